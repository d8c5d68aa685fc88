"""Real Mastodon payloads (tests/fixtures/mastodon) delivered to a Hub each have their effect."""

import pytest
from sqlmodel import col, select

from hub.activitypub.actors import parse_actor
from hub.models import Actor, MediaAttachment, Post
from hub.services.errors import Conflict
from hub.services.following import follow, list_followers, list_following
from hub.services.moderation import list_reports
from tests.interop.conftest import MastodonWorld
from tests.interop.fake_mastodon import load_fixture, load_payload
from tests.support.moderation import approval_of, decide_on

SHARED_INBOX = "https://example.com/inbox"
ALICE = "https://mastodon.example/users/alice"


async def follower_handles(world: MastodonWorld) -> list[tuple[str, str]]:
    """Return (handle, state) of org's followers."""
    return [(view.handle, view.state) for view in await list_followers(world.ctx, "org")]


def test_actor_documents_parse_with_their_aliases() -> None:
    alice = parse_actor(load_fixture("actor.json"), fetched_url=ALICE)
    assert (alice.username, alice.domain) == ("alice", "mastodon.example")
    assert alice.shared_inbox_url == "https://mastodon.example/inbox"
    assert [key.key_id for key in alice.public_keys] == [f"{ALICE}#main-key"]
    moved = parse_actor(load_fixture("moved_actor.json"))
    assert moved.also_known_as == (ALICE,)
    instance = parse_actor(load_fixture("instance_actor.json"))
    assert instance.actor_type == "Application"


async def test_follow_gets_a_signed_accept_and_undo_removes_it(world: MastodonWorld) -> None:
    follow_activity = load_payload("follow.json")
    await world.deliver_payload("follow.json")
    assert await follower_handles(world) == [("alice@mastodon.example", "accepted")]
    (accept,) = world.mastodon.deliveries("Accept")
    assert accept.url == world.alice.inbox
    assert accept.verdict.is_valid, accept.verdict.reason
    assert accept.json()["object"]["id"] == follow_activity["id"]

    await world.deliver_payload("undo_follow.json")
    assert await follower_handles(world) == []


async def test_note_with_mention_tags_media_and_warning_is_stored(world: MastodonWorld) -> None:
    await world.deliver_payload("create_note.json", inbox=SHARED_INBOX)
    async with world.ctx.sessions() as session:
        post = (await session.exec(select(Post).where(col(Post.is_local).is_(False)))).one()
        media = (await session.exec(select(MediaAttachment))).all()
    assert post.object_type == "Note"
    assert post.tags == ["gardening", "communitygardens"]
    assert post.content_warning == "Harvest numbers (long post)"
    assert post.is_sensitive
    assert "Forty kilos of squash." in post.content_html
    assert post.language == "en"
    assert [(m.remote_url, m.media_type, m.description, m.is_local) for m in media] == [
        (
            "https://mastodon.example/system/media_attachments/files/113/502/345/775/223/114"
            "/original/9c1a3f2e0d4b7a65.jpg",
            "image/jpeg",
            "Raised beds full of squash in morning light",
            False,
        )
    ]


async def test_reply_is_listed_edited_and_removed_by_its_delete(world: MastodonWorld) -> None:
    post_id = await world.publish()
    reply_id = load_payload("create_reply.json")["object"]["id"]

    await world.deliver_payload("create_reply.json", post_id, inbox=SHARED_INBOX)
    # Nobody here follows alice: her reply waits for approval, unlisted, until approved.
    assert await approval_of(world.ctx, reply_id) == "pending"
    assert await world.page_items(f"{post_id}/replies") == []
    await decide_on(world.ctx, reply_id)
    assert await world.page_items(f"{post_id}/replies") == [reply_id]
    assert await world.total(post_id, "replies") == 1

    await world.deliver_payload("update_note.json", post_id, inbox=SHARED_INBOX)
    async with world.ctx.sessions() as session:
        reply = (await session.exec(select(Post).where(Post.ap_id == reply_id))).one()
    assert "(and autumn)" in reply.content_html
    assert reply.updated_at is not None

    await world.deliver_payload("delete_note.json", post_id, inbox=SHARED_INBOX)
    assert await world.page_items(f"{post_id}/replies") == []
    assert await world.total(post_id, "replies") == 0


async def test_like_is_counted_once_and_undone(world: MastodonWorld) -> None:
    post_id = await world.publish()
    await world.deliver_payload("like.json", post_id)
    again = {**load_payload("like.json", post_id), "id": f"{ALICE}#likes/2418"}
    assert (await world.deliver(again)).status_code == 202
    await world.settle()
    assert await world.total(post_id, "likes") == 1

    await world.deliver_payload("undo_like.json", post_id)
    assert await world.total(post_id, "likes") == 0


async def test_announce_is_counted_not_stored_as_a_post_and_undone(
    world: MastodonWorld,
) -> None:
    post_id = await world.publish()
    await world.deliver_payload("announce.json", post_id, inbox=SHARED_INBOX)
    assert await world.total(post_id, "shares") == 1
    async with world.ctx.sessions() as session:
        remote_posts = await session.exec(select(Post).where(col(Post.is_local).is_(False)))
        assert remote_posts.all() == []

    await world.deliver_payload("undo_announce.json", post_id, inbox=SHARED_INBOX)
    assert await world.total(post_id, "shares") == 0


async def test_update_person_refreshes_the_cached_profile(world: MastodonWorld) -> None:
    await world.deliver_payload("follow.json")
    world.mastodon.replace_actor(load_fixture("updated_actor.json"))
    await world.deliver_payload("update_person.json", inbox=SHARED_INBOX)
    async with world.ctx.sessions() as session:
        alice = (await session.exec(select(Actor).where(Actor.ap_id == ALICE))).one()
    assert alice.display_name == "Alice in the Garden"


async def test_delete_actor_removes_follows_likes_boosts_and_replies(
    world: MastodonWorld,
) -> None:
    post_id = await world.publish()
    for name in ("follow.json", "like.json", "announce.json", "create_reply.json"):
        await world.deliver_payload(name, post_id)
    assert await world.total(post_id, "likes") == 1

    await world.deliver_payload("delete_actor.json", inbox=SHARED_INBOX)
    assert await follower_handles(world) == []
    for collection in ("likes", "shares", "replies"):
        assert await world.total(post_id, collection) == 0, collection


async def test_flag_from_the_instance_actor_becomes_a_report(world: MastodonWorld) -> None:
    post_id = await world.publish()
    await world.deliver_payload("flag.json", post_id, signer=world.instance)
    (report,) = await list_reports(world.ctx)
    assert report.reporter_ap_id == "https://mastodon.example/actor"
    assert report.target_ap_ids == (world.org.ap_id, post_id)
    assert report.comment == "Please take a look at this user and their posts"


async def accepted_follow_of_alice(world: MastodonWorld) -> None:
    """Make org follow alice, and alice accept as Mastodon does."""
    await follow(world.ctx, "org", ALICE)
    await world.settle()
    (sent,) = world.mastodon.deliveries("Follow")
    assert sent.verdict.is_valid, sent.verdict.reason
    follow_activity = sent.json()
    accept = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{ALICE}#accepts/follows/1",
        "type": "Accept",
        "actor": ALICE,
        "object": {key: follow_activity[key] for key in ("id", "type", "actor", "object")},
    }
    assert (await world.deliver(accept)).status_code == 202
    await world.settle()
    assert [view.state for view in await list_following(world.ctx, "org")] == ["accepted"]


async def test_block_ends_both_follows_and_deliveries_until_undone(world: MastodonWorld) -> None:
    await world.deliver_payload("follow.json")
    await accepted_follow_of_alice(world)

    await world.deliver_payload("block.json")
    assert await follower_handles(world) == []
    assert await list_following(world.ctx, "org") == []
    await world.publish()
    assert world.mastodon.deliveries("Create") == []

    await world.deliver_payload("undo_block.json")
    await follow(world.ctx, "org", ALICE)
    await world.settle()
    assert len(world.mastodon.deliveries("Follow")) == 2


async def test_blocked_actor_cannot_be_followed(world: MastodonWorld) -> None:
    await world.deliver_payload("block.json")
    with pytest.raises(Conflict):
        await follow(world.ctx, "org", ALICE)


async def test_move_follows_the_new_account_that_claims_the_old(world: MastodonWorld) -> None:
    await accepted_follow_of_alice(world)
    new = world.mastodon.add_actor(load_fixture("moved_actor.json"))

    await world.deliver_payload("move.json", inbox=SHARED_INBOX)
    (undo,) = world.mastodon.deliveries("Undo", inbox=world.alice.inbox)
    assert undo.json()["object"]["type"] == "Follow"
    (new_follow,) = world.mastodon.deliveries("Follow", inbox=new.inbox)
    assert new_follow.verdict.is_valid
    following = await list_following(world.ctx, "org")
    assert [(view.ap_id, view.state) for view in following] == [(new.ap_id, "pending")]


async def test_move_to_an_account_that_does_not_claim_the_old_is_ignored(
    world: MastodonWorld,
) -> None:
    await accepted_follow_of_alice(world)
    impostor = load_fixture("moved_actor.json")
    impostor["alsoKnownAs"] = []
    world.mastodon.add_actor(impostor)

    await world.deliver_payload("move.json", inbox=SHARED_INBOX)
    following = await list_following(world.ctx, "org")
    assert [view.ap_id for view in following] == [ALICE]
    assert world.mastodon.deliveries("Undo") == []
