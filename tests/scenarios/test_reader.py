"""The reader across three Hubs: posts, boosts, likes, replies, edits and deletes arrive.

alpha and beta follow each other; gamma follows alpha. Everything below goes through the
services staff use (the web pages call the same functions) and real federation.
"""

from dataclasses import dataclass
from datetime import timedelta

import httpx
from sqlmodel import col, select

from hub.context import HubContext
from hub.models import Actor, Interaction, Notification, Post
from hub.services.actors import get_local_actor
from hub.services.interactions import react
from hub.services.post_building import PostInput
from hub.services.publishing import delete_post, edit_post, publish, publish_post
from hub.services.reader import ReaderItem, reader_page
from tests.support.field import three_joined_hubs
from tests.support.network import Network


@dataclass(frozen=True)
class Field:
    """The three Hubs, joined as the scenario needs, and beta's first post."""

    alpha: HubContext
    beta: HubContext
    gamma: HubContext
    post_ap_id: str
    slug: str


async def joined(network: Network) -> Field:
    """Given alpha and beta follow each other and gamma follows alpha, beta publishes."""
    alpha, beta, gamma = await three_joined_hubs(network)
    published = await publish(
        beta, "org", title="Swifts are back", summary="Counts from the roofs",
        body_markdown="Forty swifts over the **terraces**.", tags=["observatory"],
    )  # fmt: skip
    await network.settle()
    return Field(alpha, beta, gamma, published.ap_id, published.slug)


async def titles(ctx: HubContext) -> list[tuple[str, str | None]]:
    """Return (title, booster handle) of every item on the reader's first page."""
    page = await reader_page(ctx)
    return [(item.title, item.booster.handle if item.booster else None) for item in page.items]


async def first_item(ctx: HubContext) -> ReaderItem:
    """Return the newest item of the reader."""
    page = await reader_page(ctx)
    assert page.items, "the reader is empty"
    return page.items[0]


async def test_a_followed_hubs_post_appears_in_the_reader(network: Network) -> None:
    field = await joined(network)
    item = await first_item(field.alpha)
    assert (item.title, item.summary) == ("Swifts are back", "Counts from the roofs")
    assert "<strong>terraces</strong>" in item.body_html
    assert item.author.handle == "org@beta.test"
    assert item.booster is None
    assert item.tags == ("observatory",)
    # gamma follows alpha only, so beta's post is not in its reader
    assert await titles(field.gamma) == []


async def test_a_boost_reaches_the_followers_of_the_booster(network: Network) -> None:
    field = await joined(network)
    # When alpha boosts beta's post
    assert await react(field.alpha, "org", field.post_ap_id, "boost")
    await network.settle()
    # Then gamma (which follows alpha only) shows it as boosted by alpha, fetched from beta
    assert await titles(field.gamma) == [("Swifts are back", "org@alpha.test")]
    assert (await first_item(field.alpha)).is_boosted is False  # read as nobody
    page = await reader_page(field.alpha, reading_as=await _org(field.alpha))
    assert page.items[0].is_boosted
    # And beta counts the boost and notifies its staff
    assert await _interaction_kinds(field.beta) == ["announce"]
    assert "boost" in await _notification_kinds(field.beta)


async def test_undoing_a_boost_takes_it_out_of_the_followers_reader(network: Network) -> None:
    field = await joined(network)
    await react(field.alpha, "org", field.post_ap_id, "boost")
    await network.settle()
    assert await react(field.alpha, "org", field.post_ap_id, "unboost")
    await network.settle()
    assert await titles(field.gamma) == []
    assert await _interaction_kinds(field.beta) == []


async def test_a_like_is_recorded_by_the_author_hub(network: Network) -> None:
    field = await joined(network)
    assert await react(field.alpha, "org", field.post_ap_id, "like")
    assert not await react(field.alpha, "org", field.post_ap_id, "like")  # once only
    await network.settle()
    assert await _interaction_kinds(field.beta) == ["like"]
    assert await _notification_kinds(field.beta) == ["follow", "like"]
    # Spec §10 item 48: the Like went to the author's personal inbox, not the shared one
    likes = [
        request
        for request in network.internet.requests
        if request.method == "POST" and b'"type":"Like"' in request.content
    ]
    assert [str(request.url) for request in likes] == ["https://beta.test/users/org/inbox"]
    await react(field.alpha, "org", field.post_ap_id, "unlike")
    await network.settle()
    assert await _interaction_kinds(field.beta) == []


async def test_a_reply_reaches_the_author_and_mentions_them(network: Network) -> None:
    field = await joined(network)
    values = PostInput(title="", body_markdown="What a count! Where were they?",
                       in_reply_to=field.post_ap_id)  # fmt: skip
    await publish_post(field.alpha, "org", values)
    await network.settle()
    async with field.beta.sessions() as session:
        reply = (await session.exec(select(Post).where(Post.in_reply_to == field.post_ap_id))).one()
    assert "Where were they?" in reply.content_html
    assert reply.document is not None
    assert reply.document["type"] == "Note"
    assert {"type": "Mention", "href": "https://beta.test/users/org", "name": "@org@beta.test"} in (
        reply.document["tag"]
    )
    assert "reply" in await _notification_kinds(field.beta)


async def test_edits_and_deletes_reach_the_reader(network: Network) -> None:
    field = await joined(network)
    await react(field.alpha, "org", field.post_ap_id, "boost")
    await network.settle()
    # When beta edits its post, alpha's reader shows the new title, marked edited
    network.clock.advance(timedelta(minutes=1))
    corrected = PostInput(title="Swifts are back (corrected)", body_markdown="Forty-two.")
    await edit_post(field.beta, "org", field.slug, corrected)
    await network.settle()
    item = await first_item(field.alpha)
    assert item.title == "Swifts are back (corrected)"
    assert item.edited_at is not None
    # When beta deletes it, it leaves alpha's reader and gamma's boost of it
    await delete_post(field.beta, "org", field.slug)
    await network.settle()
    assert await titles(field.alpha) == []
    assert await titles(field.gamma) == []


async def _org(ctx: HubContext) -> Actor:
    return await get_local_actor(ctx, "org")


async def _interaction_kinds(ctx: HubContext) -> list[str]:
    async with ctx.sessions() as session:
        rows = await session.exec(select(Interaction.kind).order_by(col(Interaction.id)))
        return list(rows.all())


async def _notification_kinds(ctx: HubContext) -> list[str]:
    async with ctx.sessions() as session:
        rows = await session.exec(select(Notification.kind).order_by(col(Notification.id)))
        return list(rows.all())


async def test_our_boost_can_be_fetched_by_its_id_until_undone(network: Network) -> None:
    field = await joined(network)
    await react(field.alpha, "org", field.post_ap_id, "boost")
    async with field.alpha.sessions() as session:
        announce_id = (
            await session.exec(select(Interaction.ap_id).where(Interaction.kind == "announce"))
        ).one()
    async with httpx.AsyncClient(transport=network.internet) as http:
        fetched = await http.get(announce_id, headers={"Accept": "application/activity+json"})
        assert fetched.status_code == 200
        assert (fetched.json()["type"], fetched.json()["object"]) == ("Announce", field.post_ap_id)
        await react(field.alpha, "org", field.post_ap_id, "unboost")
        assert (await http.get(announce_id)).status_code == 404
