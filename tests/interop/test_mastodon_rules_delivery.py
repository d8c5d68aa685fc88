"""The Mastodon checklist (spec §10), items 43-48, 62 and 67-72: deliveries and interactions.

As in test_mastodon_rules.py, each test name starts with the checklist number it proves and
checks from outside: what the fake Mastodon receives, and what the Hub serves over HTTP.
"""

import base64
import hashlib
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hub.services.following import follow, unfollow
from hub.services.moderation import list_reports
from tests.interop.conftest import MastodonWorld
from tests.interop.fake_mastodon import FakeActor, Received, load_fixture, parse_http_date
from tests.support.moderation import decide_on

HUB = "https://example.com"
ORG = f"{HUB}/users/org"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
SHARED_INBOX = "https://mastodon.example/inbox"


def bob_of(world: MastodonWorld) -> FakeActor:
    """Add a second Mastodon user on the same server (same shared inbox)."""
    document = load_fixture("actor.json")
    base = "https://mastodon.example/users/bob"
    document.update(
        id=base, preferredUsername="bob", inbox=f"{base}/inbox", followers=f"{base}/followers"
    )
    document["publicKey"] = {**document["publicKey"], "id": f"{base}#main-key", "owner": base}
    return world.mastodon.add_actor(document)


async def created(world: MastodonWorld, **options: Any) -> Received:
    """Publish as org and return the one Create delivery the fake received."""
    await world.publish(**options)
    (create,) = world.mastodon.deliveries("Create")
    return create


# --- Outgoing deliveries -----------------------------------------------------------------


async def test_43_a_post_reaches_each_shared_inbox_once(world: MastodonWorld) -> None:
    await world.followed_by(world.alice, bob_of(world))
    create = await created(world)
    assert create.url == SHARED_INBOX
    assert len(world.mastodon.deliveries()) == 3  # two Accepts, one Create


async def test_44_outgoing_posts_carry_the_headers_mastodon_requires(world: MastodonWorld) -> None:
    await world.followed_by(world.alice)
    create = await created(world)
    headers = create.headers
    assert headers["host"] == "mastodon.example"
    assert abs(parse_http_date(headers["date"]) - datetime.now(UTC)) < timedelta(seconds=60)
    digest = base64.b64encode(hashlib.sha256(create.body).digest()).decode()
    assert headers["digest"] == f"SHA-256={digest}"
    assert headers["content-type"] == "application/activity+json"
    assert re.search(r'keyId="[^"]+"', headers["signature"])
    assert 'algorithm="rsa-sha256"' in headers["signature"]
    assert {"(request-target)", "host", "date", "digest"} <= set(create.verdict.signed_headers)
    assert create.verdict.is_valid, create.verdict.reason


async def test_45_outgoing_fetches_are_signed(world: MastodonWorld) -> None:
    await world.followed_by(world.alice)
    fetches = world.mastodon.fetches()
    assert fetches
    for fetch in fetches:
        assert fetch.verdict.is_valid, (fetch.url, fetch.verdict.reason)
        assert {"(request-target)", "host", "date"} <= set(fetch.verdict.signed_headers)


async def test_46_user_agent_names_software_version_and_url(world: MastodonWorld) -> None:
    await world.followed_by(world.alice)
    for request in world.mastodon.received:
        assert re.fullmatch(
            r"Hub/\d+\.\d+\.\d+\S* \(\+https://example\.com/\)", request.headers["user-agent"]
        )


@pytest.mark.parametrize("status", [500, 503, 401, 408, 429])
async def test_47_transient_answers_are_retried(world: MastodonWorld, status: int) -> None:
    await world.followed_by(world.alice)
    world.mastodon.answer_inbox(SHARED_INBOX, status, 202)
    await world.publish()
    world.clock.advance(timedelta(hours=1))
    await world.settle()
    assert [r.url for r in world.mastodon.deliveries("Create")] == [SHARED_INBOX] * 2


@pytest.mark.parametrize("status", [400, 403, 404, 410])
async def test_47_final_answers_are_not_retried(world: MastodonWorld, status: int) -> None:
    await world.followed_by(world.alice)
    world.mastodon.answer_inbox(SHARED_INBOX, status)
    await world.publish()
    world.clock.advance(timedelta(days=4))
    await world.settle()
    assert len(world.mastodon.deliveries("Create")) == 1


async def test_47_retries_go_on_for_more_than_a_day(world: MastodonWorld) -> None:
    await world.followed_by(world.alice)
    world.mastodon.answer_inbox(SHARED_INBOX, 503)
    await world.publish()
    for _ in range(4 * 5):
        world.clock.advance(timedelta(hours=6))
        await world.settle()
    attempts = world.mastodon.deliveries("Create")
    span = parse_http_date(attempts[-1].headers["date"]) - parse_http_date(
        attempts[0].headers["date"]
    )
    assert len(attempts) >= 10
    assert span > timedelta(hours=24)


async def test_48_one_to_one_activities_go_to_the_personal_inbox(world: MastodonWorld) -> None:
    await world.followed_by(world.alice)
    await follow(world.ctx, "org", world.alice.ap_id)
    await world.settle()
    await unfollow(world.ctx, "org", world.alice.ap_id)
    await world.settle()
    sent = {kind: [r.url for r in world.mastodon.deliveries(kind)] for kind in ("Accept", "Follow")}
    sent["Undo"] = [r.url for r in world.mastodon.deliveries("Undo")]
    assert sent == {kind: [world.alice.inbox] for kind in ("Accept", "Follow", "Undo")}


# --- Interactions ------------------------------------------------------------------------


async def test_62_67_like_is_counted_in_likes_and_undone(world: MastodonWorld) -> None:
    post_id = await world.publish()
    await world.deliver_payload("like.json", post_id)
    assert await world.total(post_id, "likes") == 1
    await world.deliver_payload("undo_like.json", post_id)
    assert await world.total(post_id, "likes") == 0


async def test_62_68_announce_is_counted_in_shares_and_undone(world: MastodonWorld) -> None:
    post_id = await world.publish()
    await world.deliver_payload("announce.json", post_id, inbox=f"{HUB}/inbox")
    assert await world.total(post_id, "shares") == 1
    await world.deliver_payload("undo_announce.json", post_id, inbox=f"{HUB}/inbox")
    assert await world.total(post_id, "shares") == 0


async def test_69_reply_is_stored_and_its_delete_removes_it(world: MastodonWorld) -> None:
    post_id = await world.publish()
    await world.deliver_payload("create_reply.json", post_id, inbox=f"{HUB}/inbox")
    reply_id = load_fixture("create_reply.json")["object"]["id"]
    await decide_on(world.ctx, reply_id)  # a stranger's reply is held until approved
    assert await world.page_items(f"{post_id}/replies") == [reply_id]
    await world.deliver_payload("delete_note.json", post_id, inbox=f"{HUB}/inbox")
    assert await world.page_items(f"{post_id}/replies") == []


async def test_70_flag_from_the_instance_actor_is_202_and_recorded(world: MastodonWorld) -> None:
    post_id = await world.publish()
    await world.deliver_payload("flag.json", post_id, signer=world.instance)
    assert [report.target_ap_ids for report in await list_reports(world.ctx)] == [(ORG, post_id)]


async def test_71_block_removes_the_follow_and_stops_deliveries(world: MastodonWorld) -> None:
    await world.followed_by(world.alice)
    await world.deliver_payload("block.json")
    assert await world.page_items(f"{ORG}/followers") == []
    await world.publish()
    assert world.mastodon.deliveries("Create") == []


async def test_72_delete_actor_removes_follows_likes_boosts_and_replies(
    world: MastodonWorld,
) -> None:
    await world.followed_by(world.alice)
    post_id = await world.publish()
    for name in ("like.json", "announce.json", "create_reply.json"):
        await world.deliver_payload(name, post_id)
    await world.deliver_payload("delete_actor.json", inbox=f"{HUB}/inbox")
    assert await world.page_items(f"{ORG}/followers") == []
    for collection in ("likes", "shares", "replies"):
        assert await world.total(post_id, collection) == 0, collection
