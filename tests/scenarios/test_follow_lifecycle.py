"""Locked actors, rejections, actor updates, key rotation and actor deletion across Hubs."""

import uuid
from typing import Any

import httpx
from sqlmodel import select

from hub.activitypub.activities import build_response_to_follow
from hub.activitypub.keys import main_key_id
from hub.federation.outbox import record_activity
from hub.models import Actor, ActorKey, Follow
from hub.services.actors import create_actor
from hub.services.following import follow, list_followers, list_following
from hub.services.publishing import publish
from tests.scenarios.test_follow_and_publish import stored_titles
from tests.support.network import Network

AP = {"Accept": "application/activity+json"}


async def send_as(
    network: Network, host: str, username: str, activity: dict[str, Any], inbox: str
) -> None:
    """Queue an activity from a local actor of `host` to one inbox, as its services would."""
    ctx = network.hub(host)
    async with ctx.sessions() as session, session.begin():
        actor = (
            await session.exec(
                select(Actor).where(Actor.ap_id == f"https://{host}/users/{username}")
            )
        ).one()
        await record_activity(
            session,
            actor=actor,
            activity=activity,
            now=ctx.clock(),
            is_public=False,
            to_followers=False,
            extra_inboxes=[inbox],
        )


async def test_locked_actor_holds_the_follow_without_accepting(network: Network) -> None:
    alpha, beta = network.hub("alpha.test"), network.hub("beta.test")
    await create_actor(alpha, "org")
    await create_actor(beta, "board", actor_type="Group", manually_approves_followers=True)
    await follow(alpha, "org", "@board@beta.test")
    await network.settle()
    assert [view.state for view in await list_followers(beta, "board")] == ["pending"]
    assert [view.state for view in await list_following(alpha, "org")] == ["pending"]
    accepts = [
        r for r in network.internet.requests if r.method == "POST" and b'"Accept"' in r.content
    ]
    assert accepts == []


async def test_reject_removes_our_follow(network: Network) -> None:
    alpha, beta = network.hub("alpha.test"), network.hub("beta.test")
    await create_actor(alpha, "org")
    await create_actor(beta, "board", manually_approves_followers=True)
    await follow(alpha, "org", "@board@beta.test")
    await network.settle()
    async with alpha.sessions() as session:
        follow_id = (await session.exec(select(Follow.ap_id))).one()
    follow_document = {
        "id": follow_id,
        "actor": "https://alpha.test/users/org",
        "object": "https://beta.test/users/board",
    }
    reject = build_response_to_follow(
        "Reject",
        f"https://beta.test/users/board#rejects/{uuid.uuid4().hex}",
        "https://beta.test/users/board",
        follow_document,
    )
    await send_as(network, "beta.test", "board", reject, "https://alpha.test/users/org/inbox")
    await network.settle()
    assert await list_following(alpha, "org") == []


async def test_repeated_follow_is_accepted_again_without_a_duplicate(network: Network) -> None:
    # checklist 38
    alpha, beta = network.hub("alpha.test"), network.hub("beta.test")
    await create_actor(alpha, "org")
    await create_actor(beta, "org")
    for _ in range(2):
        async with alpha.sessions() as session, session.begin():
            await session.exec(  # forget our side, as a user who cancels and re-follows
                Follow.__table__.delete()  # type: ignore[attr-defined]  # SQLModel table
            )
        await follow(alpha, "org", "@org@beta.test")
        await network.settle()
    assert [view.state for view in await list_followers(beta, "org")] == ["accepted"]
    accepts = [
        r for r in network.internet.requests if r.method == "POST" and b'"Accept"' in r.content
    ]
    assert len(accepts) == 2


async def test_rotated_key_is_fetched_again_and_verifies(network: Network) -> None:
    alpha, beta = network.hub("alpha.test"), network.hub("beta.test")
    await create_actor(alpha, "org")
    beta_org = await create_actor(beta, "org")
    await follow(alpha, "org", "@org@beta.test")
    await network.settle()

    # Given beta replaces its key after alpha cached the old one
    fresh = network.hub("gamma.test").generate_keys()
    async with beta.sessions() as session, session.begin():
        key = (
            await session.exec(
                select(ActorKey).where(ActorKey.key_id == main_key_id(beta_org.ap_id))
            )
        ).one()
        assert key.public_key_pem != fresh.public_pem
        key.public_key_pem, key.private_key_pem = fresh.public_pem, fresh.private_pem
        session.add(key)
    beta.private_keys.clear()
    beta.actor_documents.clear()

    # When beta publishes, alpha re-fetches the key once and accepts the post
    await publish(beta, "org", title="After rotation", summary="", body_markdown="New key")
    await network.settle()
    assert await stored_titles(network, "alpha.test") == ["After rotation"]
    async with alpha.sessions() as session:
        cached = (
            await session.exec(select(ActorKey.public_key_pem).where(ActorKey.key_id == key.key_id))
        ).one()
    assert cached == fresh.public_pem


async def test_actor_update_refreshes_the_cached_actor(network: Network) -> None:
    alpha, beta = network.hub("alpha.test"), network.hub("beta.test")
    await create_actor(alpha, "org")
    await create_actor(beta, "org", display_name="Old name")
    await follow(alpha, "org", "@org@beta.test")
    await network.settle()
    async with beta.sessions() as session, session.begin():
        actor = (
            await session.exec(select(Actor).where(Actor.ap_id == "https://beta.test/users/org"))
        ).one()
        actor.display_name = "Relationships Project"
        session.add(actor)
    # Changed behind the Hub's back: served once its document cache expires, as here at once.
    beta.actor_documents.clear()
    async with httpx.AsyncClient(transport=network.internet) as http:
        document = (await http.get("https://beta.test/users/org", headers=AP)).json()
    update = {
        "@context": document["@context"],
        "id": "https://beta.test/users/org#updates/1",
        "type": "Update",
        "actor": document["id"],
        "object": document,
    }
    await send_as(network, "beta.test", "org", update, "https://alpha.test/inbox")
    await network.settle()
    async with alpha.sessions() as session:
        cached = (
            await session.exec(select(Actor.display_name).where(Actor.ap_id == document["id"]))
        ).one()
    assert cached == "Relationships Project"


async def test_actor_delete_drops_its_follows(network: Network) -> None:
    # checklist 72 (follows part)
    alpha, beta = network.hub("alpha.test"), network.hub("beta.test")
    await create_actor(alpha, "org")
    await create_actor(beta, "org")
    await follow(beta, "org", "@org@alpha.test")
    await network.settle()
    assert len(await list_followers(alpha, "org")) == 1
    delete = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": "https://beta.test/users/org#delete",
        "type": "Delete",
        "actor": "https://beta.test/users/org",
        "object": "https://beta.test/users/org",
    }
    await send_as(network, "beta.test", "org", delete, "https://alpha.test/inbox")
    await network.settle()
    assert await list_followers(alpha, "org") == []


async def test_followers_collection_pages_by_keyset(network: Network) -> None:
    # checklist 23, 39
    alpha, beta = network.hub("alpha.test"), network.hub("beta.test")
    await create_actor(alpha, "org")
    for number in range(23):
        await create_actor(beta, f"member{number}", actor_type="Person")
        await follow(beta, f"member{number}", "@org@alpha.test")
    await network.settle()
    async with httpx.AsyncClient(transport=network.internet) as http:
        collection = (await http.get("https://alpha.test/users/org/followers", headers=AP)).json()
        assert collection["totalItems"] == 23
        first = (await http.get(collection["first"], headers=AP)).json()
        second = (await http.get(first["next"], headers=AP)).json()
    assert len(first["orderedItems"]) == 20
    assert len(second["orderedItems"]) == 3
    # Only the head counts the collection: a page costs the same however long it is.
    assert "totalItems" not in first
    assert "next" not in second
    everyone = set(first["orderedItems"]) | set(second["orderedItems"])
    assert everyone == {f"https://beta.test/users/member{number}" for number in range(23)}


async def test_first_contact_fetches_the_unknown_sender_once(network: Network) -> None:
    alpha, beta = network.hub("alpha.test"), network.hub("beta.test")
    await create_actor(alpha, "org")
    await create_actor(beta, "org")
    # Given alpha has never seen beta's actor, when beta's Follow arrives
    await follow(beta, "org", "@org@alpha.test")
    await network.settle()
    # Then alpha fetched beta's actor (for its key) once, and stored it from that fetch
    fetches = [
        request
        for request in network.internet.requests
        if request.method == "GET" and str(request.url) == "https://beta.test/users/org"
    ]
    assert len(fetches) == 1
    assert [view.state for view in await list_followers(alpha, "org")] == ["accepted"]
