"""Replies join our conversations: held from strangers, fetched parents, edits and deletes.

A Hub at example.com and a fake Mastodon (tests.interop.fake_mastodon) that signs what it
sends and serves the documents Hub fetches.
"""

import dataclasses

from sqlmodel import col, select

from hub.context import HubContext
from hub.federation.fetcher import DEFAULT_FETCH_BUDGET
from hub.federation.threads import MAX_ANCESTORS, approval_for
from hub.models import Actor, Post
from hub.services.following import follow
from tests.interop.conftest import MastodonWorld
from tests.interop.fake_mastodon import FakeActor
from tests.support.html import parse_page
from tests.support.mastodon_notes import (
    add_mastodon_user,
    create_of,
    delete_of,
    note_of,
    update_of,
)
from tests.support.moderation import approval_of, decide_on

ORG = "https://example.com/users/org"
HTML = {"accept": "text/html"}


def page_of(post_id: str) -> str:
    """Return the page URL of one of org's posts."""
    return post_id.replace("/users/org/posts/", "/@org/")


async def thread_texts(world: MastodonWorld, post_id: str) -> list[str]:
    """Return the texts of the replies shown under a post's page, in page order."""
    response = await world.get(page_of(post_id), HTML)
    assert response.status_code == 200
    return parse_page(response.text).texts("div", class_="reply-body")


async def deliver(world: MastodonWorld, activity: dict[str, object], signer: FakeActor) -> None:
    """Deliver an activity to the shared inbox, signed by its actor, and apply it."""
    response = await world.mastodon.post(activity, inbox="https://example.com/inbox", signer=signer)
    assert response.status_code == 202, response.text
    await world.settle()


async def stored_ids(ctx: HubContext) -> list[str]:
    """Return the ids of the remote posts stored, oldest first."""
    async with ctx.sessions() as session:
        rows = await session.exec(
            select(Post.ap_id).where(col(Post.is_local).is_(False)).order_by(col(Post.id))
        )
        return list(rows.all())


async def test_a_strangers_reply_waits_for_approval_then_shows(world: MastodonWorld) -> None:
    post_id = await world.publish()
    reply = note_of(world.alice, 1, "<p>Lovely bins!</p>", in_reply_to=post_id, mention=ORG)

    await deliver(world, create_of(reply), world.alice)

    assert await approval_of(world.ctx, reply["id"]) == "pending"
    assert await thread_texts(world, post_id) == []
    await decide_on(world.ctx, reply["id"])
    assert await thread_texts(world, post_id) == ["Lovely bins!"]


async def test_a_rejected_reply_never_shows(world: MastodonWorld) -> None:
    post_id = await world.publish()
    reply = note_of(world.alice, 1, "<p>Buy pills</p>", in_reply_to=post_id, mention=ORG)
    await deliver(world, create_of(reply), world.alice)

    await decide_on(world.ctx, reply["id"], "reject")

    assert await approval_of(world.ctx, reply["id"]) == "rejected"
    assert await thread_texts(world, post_id) == []
    assert await world.page_items(f"{post_id}/replies") == []


async def test_a_reply_from_an_actor_we_follow_shows_at_once(world: MastodonWorld) -> None:
    await follow(world.ctx, "org", world.alice.ap_id)
    await world.settle()
    post_id = await world.publish()
    reply = note_of(world.alice, 1, "<p>From a friend</p>", in_reply_to=post_id, mention=ORG)

    await deliver(world, create_of(reply), world.alice)

    assert await approval_of(world.ctx, reply["id"]) == "approved"
    assert await thread_texts(world, post_id) == ["From a friend"]


async def test_with_the_setting_off_strangers_replies_are_not_held(world: MastodonWorld) -> None:
    post_id = await world.publish()
    open_hub = dataclasses.replace(
        world.ctx,
        settings=dataclasses.replace(world.ctx.settings, hold_replies_from_strangers=False),
    )
    stranger = Actor(
        id=999, ap_id="https://elsewhere.example/users/x", username="x", domain="elsewhere.example",
        actor_type="Person", inbox_url="https://elsewhere.example/users/x/inbox",
        published_at=world.clock(),
    )  # fmt: skip
    assert await approval_for(world.ctx, stranger, post_id, followed=False) == "pending"
    assert await approval_for(open_hub, stranger, post_id, followed=False) == "approved"
    assert await approval_for(world.ctx, stranger, None, followed=False) == "approved"


async def test_a_reply_to_a_reply_we_lack_fetches_it_and_nests_under_it(
    world: MastodonWorld,
) -> None:
    bob = add_mastodon_user(world.mastodon, "bob")
    post_id = await world.publish()
    # Alice's reply never reached us; bob's answer to it does.
    first = note_of(world.alice, 1, "<p>First!</p>", in_reply_to=post_id, mention=ORG)
    world.mastodon.serve(first)
    second = note_of(bob, 2, "<p>Second.</p>", in_reply_to=first["id"], mention=ORG)

    await deliver(world, create_of(second), bob)

    assert await stored_ids(world.ctx) == [first["id"], second["id"]]
    # Both are strangers' replies in our conversation: both wait.
    assert await approval_of(world.ctx, first["id"]) == "pending"
    assert await approval_of(world.ctx, second["id"]) == "pending"
    await decide_on(world.ctx, first["id"])
    await decide_on(world.ctx, second["id"])
    page = parse_page((await world.get(page_of(post_id), HTML)).text)
    (nested,) = [el for el in page.find_all("div", class_="reply-body") if el.text == "Second."]
    assert nested.parents.count("ol") == 2  # inside the first reply's own list of replies


async def test_a_reply_to_a_reply_that_does_not_mention_us_joins_the_thread(
    world: MastodonWorld,
) -> None:
    await follow(world.ctx, "org", world.alice.ap_id)
    await world.settle()
    post_id = await world.publish()
    first = note_of(world.alice, 1, "<p>First</p>", in_reply_to=post_id, mention=ORG)
    await deliver(world, create_of(first), world.alice)
    bob = add_mastodon_user(world.mastodon, "bob")

    second = note_of(bob, 2, "<p>No mention here</p>", in_reply_to=first["id"])
    await deliver(world, create_of(second), bob)

    assert await approval_of(world.ctx, second["id"]) == "pending"


async def test_missing_ancestors_are_fetched_at_most_eight_within_the_budget(
    world: MastodonWorld,
) -> None:
    await follow(world.ctx, "org", world.alice.ap_id)
    await world.settle()
    chain = [note_of(world.alice, 100, "<p>Top</p>")]
    for number in range(101, 112):
        chain.append(note_of(world.alice, number, f"<p>{number}</p>", in_reply_to=chain[-1]["id"]))
    for note in chain[:-1]:
        world.mastodon.serve(note)
    fetches_before = len(world.mastodon.fetches())

    await deliver(world, create_of(chain[-1]), world.alice)

    expected = [note["id"] for note in chain[-1 - MAX_ANCESTORS : -1]] + [chain[-1]["id"]]
    assert await stored_ids(world.ctx) == expected
    assert len(world.mastodon.fetches()) - fetches_before <= DEFAULT_FETCH_BUDGET


async def test_a_parent_that_is_not_what_its_address_says_is_not_stored(
    world: MastodonWorld,
) -> None:
    await follow(world.ctx, "org", world.alice.ap_id)
    await world.settle()
    parent_id = f"{world.alice.ap_id}/statuses/50"
    # The server answers with someone else's post, from another host.
    forged = note_of(world.alice, 51, "<p>Forged</p>")
    forged.update(id="https://other.example/users/mallory/statuses/1")
    world.mastodon.documents[parent_id] = forged
    reply = note_of(world.alice, 52, "<p>Reply</p>", in_reply_to=parent_id)

    await deliver(world, create_of(reply), world.alice)

    assert await stored_ids(world.ctx) == [reply["id"]]


async def test_an_edit_keeps_the_approval_and_a_delete_leaves_the_thread(
    world: MastodonWorld,
) -> None:
    post_id = await world.publish()
    reply = note_of(world.alice, 1, "<p>Before</p>", in_reply_to=post_id, mention=ORG)
    await deliver(world, create_of(reply), world.alice)
    await decide_on(world.ctx, reply["id"])

    edited = {**reply, "content": "<p>After</p>"}
    await deliver(world, update_of(edited, "2026-10-28T16:00:00Z"), world.alice)
    assert await approval_of(world.ctx, reply["id"]) == "approved"
    assert await thread_texts(world, post_id) == ["After"]

    await deliver(world, delete_of(reply), world.alice)
    assert await thread_texts(world, post_id) == []


async def test_the_delete_of_its_author_removes_a_reply(world: MastodonWorld) -> None:
    post_id = await world.publish()
    reply = note_of(world.alice, 1, "<p>Bye</p>", in_reply_to=post_id, mention=ORG)
    await deliver(world, create_of(reply), world.alice)
    await decide_on(world.ctx, reply["id"])
    assert await thread_texts(world, post_id) == ["Bye"]

    await world.deliver_payload("delete_actor.json", inbox="https://example.com/inbox")

    assert await thread_texts(world, post_id) == []
