"""Notifications: each kind is written with its event, listed for staff, and marked read."""

import re

from sqlmodel import col, select

from hub.context import HubContext
from hub.models import Notification
from hub.services.actors import create_actor
from hub.services.following import follow
from hub.services.interactions import react
from hub.services.notifications import notification_page, unread_count
from hub.services.post_building import PostInput
from hub.services.publishing import publish, publish_post
from hub.services.reader import reader_page
from tests.support.network import Network
from tests.support.staff import csrf_from
from tests.support.staff_network import staff_client

ALPHA, BETA = "alpha.test", "beta.test"


async def kinds(ctx: HubContext) -> list[str]:
    """Return the kinds of a Hub's notifications, oldest first."""
    async with ctx.sessions() as session:
        rows = await session.exec(select(Notification.kind).order_by(col(Notification.id)))
        return list(rows.all())


async def _pair(network: Network) -> tuple[HubContext, HubContext]:
    alpha, beta = network.hub(ALPHA), network.hub(BETA)
    await create_actor(alpha, "org", display_name="Alpha Trust")
    await create_actor(beta, "org", display_name="Beta Network")
    return alpha, beta


async def test_a_mention_by_a_stranger_notifies_without_entering_the_reader(
    network: Network,
) -> None:
    alpha, beta = await _pair(network)
    await publish(beta, "org", title="Thanks", summary="",
                  body_markdown="Thanks to @org@alpha.test for the figures.")  # fmt: skip
    await network.settle()
    assert await kinds(alpha) == ["mention"]
    assert (await reader_page(alpha)).items == ()


async def test_a_reply_notifies_once_though_it_also_mentions(network: Network) -> None:
    alpha, beta = await _pair(network)
    await follow(beta, "org", "@org@alpha.test")
    await network.settle()
    published = await publish(alpha, "org", title="Swifts", summary="", body_markdown="Counts.")
    await network.settle()
    await publish_post(
        beta, "org", PostInput(title="", body_markdown="Lovely.", in_reply_to=published.ap_id)
    )
    await network.settle()
    assert await kinds(alpha) == ["follow", "reply"]


async def test_likes_and_boosts_of_our_posts_notify(network: Network) -> None:
    alpha, beta = await _pair(network)
    await follow(beta, "org", "@org@alpha.test")
    await network.settle()
    published = await publish(alpha, "org", title="Swifts", summary="", body_markdown="Counts.")
    await network.settle()
    await react(beta, "org", published.ap_id, "like")
    await react(beta, "org", published.ap_id, "boost")
    await network.settle()
    assert await kinds(alpha) == ["follow", "like", "boost"]
    # An undone like leaves the notification: it happened
    await react(beta, "org", published.ap_id, "unlike")
    await network.settle()
    assert await kinds(alpha) == ["follow", "like", "boost"]


async def test_staff_see_notifications_count_and_mark_them_read(network: Network) -> None:
    alpha, beta = await _pair(network)
    await follow(beta, "org", "@org@alpha.test")
    await publish(beta, "org", title="Hello", summary="", body_markdown="Hi @org@alpha.test")
    await network.settle()
    async with staff_client(network, ALPHA) as client:
        page = await client.get("/admin/notifications")
        assert page.status_code == 200
        assert re.search(r"Notifications <span class=\"badge count\">2<", page.text)
        assert "Beta Network" in page.text
        assert "followed <strong>@org</strong>" in page.text
        assert "mentioned <strong>@org</strong>" in page.text
        marked = await client.post(
            "/admin/notifications/read",
            data={"csrf_token": csrf_from(page.text), "up_to": _newest_id(page.text)},
        )
        assert marked.status_code == 303
        after = await client.get("/admin/posts")
        assert "badge count" not in after.text
    assert await unread_count(alpha, None) == 0


async def test_marking_read_spares_what_arrived_since(network: Network) -> None:
    alpha, beta = await _pair(network)
    await follow(beta, "org", "@org@alpha.test")
    await network.settle()
    async with staff_client(network, ALPHA) as client:
        page = await client.get("/admin/notifications")
        up_to = _newest_id(page.text)
        await publish(beta, "org", title="Hello", summary="", body_markdown="Hi @org@alpha.test")
        await network.settle()
        await client.post(
            "/admin/notifications/read", data={"csrf_token": csrf_from(page.text), "up_to": up_to}
        )
    assert await unread_count(alpha, None) == 1


async def test_staff_see_only_the_notifications_of_their_actors(network: Network) -> None:
    alpha, beta = await _pair(network)
    await create_actor(alpha, "board")
    await follow(beta, "org", "@board@alpha.test")
    await network.settle()
    async with staff_client(network, ALPHA, actors=("org",)) as client:
        page = await client.get("/admin/notifications")
    assert "No notifications yet" in page.text
    assert (await notification_page(alpha, None)).items[0].local_actor == "board"


def _newest_id(page: str) -> str:
    match = re.search(r'name="up_to" value="(\d+)"', page)
    assert match is not None, "no mark-as-read form"
    return match.group(1)
