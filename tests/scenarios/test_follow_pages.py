"""Following and followers on the web: follow by handle or URL, requests, removal, approval."""

import httpx
import pytest
from sqlmodel import select

from hub.models import Actor, Follow, Notification, OutgoingActivity
from hub.services.actors import create_actor
from hub.services.following import follow, list_followers, list_following
from tests.support.network import Network
from tests.support.staff import csrf_from, form_token
from tests.support.staff_network import staff_client

ALPHA, BETA = "alpha.test", "beta.test"


async def _follow_form(client: httpx.AsyncClient, handle: str) -> httpx.Response:
    token = await form_token(client, "/admin/following")
    return await client.post(
        "/admin/following", data={"csrf_token": token, "actor": "org", "handle": handle}
    )


@pytest.mark.parametrize("reference", ["@org@beta.test", "https://beta.test/users/org"])
async def test_following_a_hub_through_the_form(network: Network, reference: str) -> None:
    await create_actor(network.hub(ALPHA), "org")
    await create_actor(network.hub(BETA), "org", display_name="Beta Network")
    async with staff_client(network, ALPHA) as client:
        response = await _follow_form(client, reference)
        assert response.status_code == 303
        await network.settle()
        page = await client.get("/admin/following")
    assert "Follow request sent to @org@beta.test" in page.text
    assert "Beta Network" in page.text
    assert [view.state for view in await list_following(network.hub(ALPHA), "org")] == ["accepted"]


@pytest.mark.parametrize(
    ("typed", "explained"),
    [
        ("not a handle", "Enter a handle such as @name@example.org"),
        ("@nobody@beta.test", "@nobody@beta.test was not found on beta.test"),
        ("@org@offline.test", "offline.test could not be reached"),
        ("https://beta.test/.well-known/nodeinfo", "is not an account that can be followed"),
    ],
    ids=["malformed", "unknown-handle", "unreachable-host", "not-an-actor"],
)
async def test_a_follow_that_cannot_work_says_why_and_keeps_the_text(
    network: Network, typed: str, explained: str
) -> None:
    await create_actor(network.hub(ALPHA), "org")
    await create_actor(network.hub(BETA), "org")
    async with staff_client(network, ALPHA) as client:
        response = await _follow_form(client, typed)
    assert response.status_code == 400
    assert explained in response.text
    assert f'value="{typed}"' in response.text
    assert await list_following(network.hub(ALPHA), "org") == []


async def test_a_follow_without_the_csrf_token_is_refused(network: Network) -> None:
    await create_actor(network.hub(ALPHA), "org")
    await create_actor(network.hub(BETA), "org")
    async with staff_client(network, ALPHA) as client:
        response = await client.post(
            "/admin/following", data={"actor": "org", "handle": "@org@beta.test"}
        )
    assert response.status_code == 403
    assert 'value="@org@beta.test"' in response.text
    assert await list_following(network.hub(ALPHA), "org") == []


async def test_unfollow_from_the_list(network: Network) -> None:
    await create_actor(network.hub(ALPHA), "org")
    await create_actor(network.hub(BETA), "org")
    await follow(network.hub(ALPHA), "org", "@org@beta.test")
    await network.settle()
    async with staff_client(network, ALPHA) as client:
        page = await client.get("/admin/following")
        response = await client.post(
            "/admin/following/unfollow",
            data={"csrf_token": csrf_from(page.text), "actor": "org",
                  "target": "https://beta.test/users/org"},
        )  # fmt: skip
    assert response.status_code == 303
    await network.settle()
    assert await list_followers(network.hub(BETA), "org") == []


async def test_requests_wait_until_approved_and_a_rejected_one_is_told(network: Network) -> None:
    alpha, beta, gamma = (network.hub(host) for host in (ALPHA, BETA, "gamma.test"))
    await create_actor(alpha, "org", manually_approves_followers=True)
    await create_actor(beta, "org")
    await create_actor(gamma, "org")
    await follow(beta, "org", "@org@alpha.test")
    await follow(gamma, "org", "@org@alpha.test")
    await network.settle()
    async with staff_client(network, ALPHA) as client:
        page = await client.get("/admin/followers")
        assert 'Follow requests <span class="badge">2</span>' in page.text
        token = csrf_from(page.text)
        for follower, action in (("beta.test", "approve"), ("gamma.test", "reject")):
            response = await client.post(
                "/admin/followers/decide",
                data={"csrf_token": token, "actor": "org", "action": action,
                      "follower": f"https://{follower}/users/org"},
            )  # fmt: skip
            assert response.status_code == 303
    await network.settle()
    assert [view.state for view in await list_following(beta, "org")] == ["accepted"]
    assert await list_following(gamma, "org") == []  # gamma got the Reject
    assert [view.ap_id for view in await list_followers(alpha, "org")] == [
        "https://beta.test/users/org"
    ]


async def test_removing_a_follower_sends_reject_of_its_follow(network: Network) -> None:
    alpha, beta = network.hub(ALPHA), network.hub(BETA)
    await create_actor(alpha, "org")
    await create_actor(beta, "org")
    await follow(beta, "org", "@org@alpha.test")
    await network.settle()
    async with staff_client(network, ALPHA) as client:
        page = await client.get("/admin/followers")
        response = await client.post(
            "/admin/followers/decide",
            data={"csrf_token": csrf_from(page.text), "actor": "org", "action": "remove",
                  "follower": "https://beta.test/users/org"},
        )  # fmt: skip
    assert response.status_code == 303
    await network.settle()
    assert await list_followers(alpha, "org") == []
    assert await list_following(beta, "org") == []
    async with alpha.sessions() as session:
        rejects = (
            await session.exec(
                select(OutgoingActivity.body).where(OutgoingActivity.activity_type == "Reject")
            )
        ).all()
    assert [body["object"]["type"] for body in rejects] == ["Follow"]


async def test_turning_on_approval_sends_an_actor_update(network: Network) -> None:
    alpha, beta = network.hub(ALPHA), network.hub(BETA)
    await create_actor(alpha, "org")
    await create_actor(beta, "org")
    await follow(beta, "org", "@org@alpha.test")
    await network.settle()
    async with staff_client(network, ALPHA) as client:
        token = await form_token(client, "/admin/followers")
        response = await client.post(
            "/admin/followers/approval", data={"csrf_token": token, "actor": "org", "manual": "yes"}
        )
        assert response.status_code == 303
        page = await client.get("/admin/followers")
    assert 'name="manual" value="yes" checked' in page.text
    await network.settle()
    # beta re-fetched alpha's actor on the Update and now sees the lock
    async with beta.sessions() as session:
        rows = await session.exec(select(Follow))
        assert len(rows.all()) == 1
    async with beta.sessions() as session:
        cached = (
            await session.exec(select(Actor).where(Actor.ap_id == "https://alpha.test/users/org"))
        ).one()
    assert cached.manually_approves_followers


async def test_follows_and_requests_notify_staff(network: Network) -> None:
    alpha, beta, gamma = (network.hub(host) for host in (ALPHA, BETA, "gamma.test"))
    await create_actor(alpha, "org")
    await create_actor(alpha, "board", manually_approves_followers=True)
    await create_actor(beta, "org")
    await create_actor(gamma, "org")
    await follow(beta, "org", "@org@alpha.test")
    await follow(gamma, "org", "@board@alpha.test")
    await network.settle()
    async with alpha.sessions() as session:
        kinds = sorted((await session.exec(select(Notification.kind))).all())
    assert kinds == ["follow", "follow_request"]
