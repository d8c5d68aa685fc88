"""The Mastodon checklist (spec §10), items 26-42: the inbox's signature rules and follows.

As in test_mastodon_rules.py, each test name starts with the checklist numbers it proves.
"""

import base64
import hashlib
import json
from datetime import timedelta
from typing import Any

import pytest

from hub.services.actors import create_actor
from hub.services.publishing import publish
from tests.interop.conftest import MastodonWorld
from tests.interop.fake_mastodon import load_fixture

HUB = "https://example.com"
ORG = f"{HUB}/users/org"


async def followers(world: MastodonWorld) -> tuple[int, list[str]]:
    """Return org's followers `totalItems` and the ids on its first page."""
    head = await world.get_json(f"{ORG}/followers")
    return head["totalItems"], await world.page_items(f"{ORG}/followers")


# --- Inbox (incoming signatures) ---------------------------------------------------------


async def test_26_signed_follow_is_accepted(world: MastodonWorld) -> None:
    # The signature covers (request-target) host date digest content-type, as Mastodon's.
    response = await world.deliver(world.follow_of_org())
    assert response.status_code == 202


def _digest_of(activity: dict[str, Any]) -> str:
    return base64.b64encode(hashlib.sha256(json.dumps(activity).encode()).digest()).decode()


@pytest.mark.parametrize("problem", ["unsigned", "wrong-digest", "date-2h-old"])
async def test_27_unsigned_wrong_digest_or_stale_date_is_401(
    world: MastodonWorld, problem: str
) -> None:
    activity = world.follow_of_org()
    variants: dict[str, dict[str, Any]] = {
        "unsigned": {"unsigned": True},
        "wrong-digest": {"digest": "SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="},
        "date-2h-old": {"signed_at": world.clock() - timedelta(hours=2)},
    }
    variant = variants[problem]
    response = await world.mastodon.post(
        activity, inbox=world.org.inbox_url, signer=world.alice, **variant
    )
    assert response.status_code == 401
    assert response.json()["error"]
    assert await world.settle() == 0


SYNC_HEADER = (
    'collectionId="https://mastodon.example/users/alice/followers", '
    'url="https://mastodon.example/users/alice/followers_synchronization", '
    'digest="b08ab6951c7d6cc2b91e17ebd9557da7fae02489728e9332fcb3a97748244d50"'
)


@pytest.mark.parametrize(
    "variant",
    [
        {"algorithm": "hs2019"},
        {"algorithm": None},
        {"signed": ("date", "digest", "host", "(request-target)")},
        {
            "signed": ("(request-target)", "host", "date", "digest", "content-type",
                       "collection-synchronization"),
            "extra_headers": {"collection-synchronization": SYNC_HEADER},
        },
        {"digest": "lowercase"},
        {"digest": "several"},
    ],
    ids=["hs2019", "no-algorithm", "other-order", "extra-headers", "lowercase-digest",
         "several-digests"],
)  # fmt: skip
async def test_28_29_signature_variants_mastodon_and_others_send(
    world: MastodonWorld, variant: dict[str, Any]
) -> None:
    activity = world.follow_of_org()
    if variant.get("digest") == "lowercase":
        variant = {"digest": f"sha-256={_digest_of(activity)}"}
    elif variant.get("digest") == "several":
        variant = {"digest": f"SHA-512=bm90IGNoZWNrZWQ=,SHA-256={_digest_of(activity)}"}
    response = await world.mastodon.post(
        activity, inbox=world.org.inbox_url, signer=world.alice, **variant
    )
    assert response.status_code == 202, response.text


@pytest.mark.parametrize("signed_target", ["with-query", "path-only"])
async def test_30_request_target_with_query_and_path_only(
    world: MastodonWorld, signed_target: str
) -> None:
    inbox = f"{world.org.inbox_url}?from=mastodon"
    request_target = None if signed_target == "with-query" else "/users/org/inbox"
    response = await world.mastodon.post(
        world.follow_of_org(), inbox=inbox, signer=world.alice, request_target=request_target
    )
    assert response.status_code == 202, response.text


async def test_31_unknown_key_is_fetched_signed_and_a_rotated_key_refetched(
    world: MastodonWorld,
) -> None:
    assert (await world.deliver(world.follow_of_org(1))).status_code == 202
    (fetch,) = [r for r in world.mastodon.fetches() if r.url == world.alice.ap_id]
    assert fetch.verdict.is_valid, fetch.verdict.reason
    assert fetch.verdict.key_id == f"{HUB}/actor#main-key"

    world.mastodon.rotate_key(world.alice)
    assert (await world.deliver(world.follow_of_org(2))).status_code == 202
    assert len([r for r in world.mastodon.fetches() if r.url == world.alice.ap_id]) == 2


async def test_32_delete_of_an_unknown_unfetchable_actor_is_202(world: MastodonWorld) -> None:
    ghost = world.mastodon.add_actor(
        {**load_fixture("actor.json"), "id": "https://other.example/users/ghost"}
    )
    world.mastodon.forget(ghost.ap_id)
    delete = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{ghost.ap_id}#delete",
        "type": "Delete",
        "actor": ghost.ap_id,
        "object": ghost.ap_id,
    }
    assert (await world.deliver(delete, signer=ghost)).status_code == 202


async def test_33_body_over_1_mib_is_413(world: MastodonWorld) -> None:
    activity = {**world.follow_of_org(), "padding": "x" * (1024 * 1024)}
    assert (await world.deliver(activity)).status_code == 413


async def test_34_activity_signed_by_someone_else_is_not_applied(world: MastodonWorld) -> None:
    post = await publish(world.ctx, "org", title="Forge me", summary="", body_markdown="Body")
    bob = world.mastodon.add_actor(
        {**load_fixture("actor.json"), "id": "https://mastodon.example/users/bob"}
    )
    forged_like = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{bob.ap_id}#likes/1",
        "type": "Like",
        "actor": bob.ap_id,
        "object": post.ap_id,
    }
    response = await world.deliver(forged_like, signer=world.alice)
    await world.settle()
    assert response.status_code == 401
    assert (await world.get_json(post.ap_id))["likes"]["totalItems"] == 0


async def test_35_rfc9421_signed_post_is_accepted(world: MastodonWorld) -> None:
    response = await world.mastodon.post_rfc9421(
        world.follow_of_org(), inbox=world.org.inbox_url, signer=world.alice
    )
    assert response.status_code == 202, response.text


# --- Follow flow -------------------------------------------------------------------------


async def test_36_37_accept_is_signed_by_org_and_embeds_the_follow(world: MastodonWorld) -> None:
    follow = world.follow_of_org()
    await world.deliver(follow)
    await world.settle()
    (accept,) = world.mastodon.deliveries("Accept")
    assert accept.verdict.is_valid, accept.verdict.reason
    assert accept.verdict.key_id == f"{ORG}#main-key"
    body = accept.json()
    assert body["actor"] == ORG
    assert body["object"] == {key: follow[key] for key in ("id", "type", "actor", "object")}


async def test_38_39_repeated_follow_is_accepted_again_without_a_second_follower(
    world: MastodonWorld,
) -> None:
    # Mastodon repeats a follow with a new Follow id (a re-follow, or RefollowWorker).
    for number in (1, 2):
        await world.deliver(world.follow_of_org(number))
        await world.settle()
    assert len(world.mastodon.deliveries("Accept")) == 2
    assert await followers(world) == (1, [world.alice.ap_id])


@pytest.mark.parametrize("form", ["embedded", "id-only"])
async def test_40_41_undo_follow_removes_the_follower_and_stops_deliveries(
    world: MastodonWorld, form: str
) -> None:
    follow = world.follow_of_org()
    await world.deliver(follow)
    await world.settle()
    undone = (
        {k: follow[k] for k in ("id", "type", "actor", "object")}
        if form == "embedded"
        else (follow["id"])
    )
    undo = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{world.alice.ap_id}#follows/1/undo",
        "type": "Undo",
        "actor": world.alice.ap_id,
        "object": undone,
    }
    await world.deliver(undo)
    await world.settle()
    assert await followers(world) == (0, [])
    await publish(world.ctx, "org", title="After the undo", summary="", body_markdown="Body")
    await world.settle()
    assert world.mastodon.deliveries("Create") == []


async def test_42_locked_actor_sends_no_accept_while_the_follow_waits(
    world: MastodonWorld,
) -> None:
    await create_actor(world.ctx, "board", manually_approves_followers=True)
    follow = {**world.follow_of_org(), "object": f"{HUB}/users/board"}
    await world.deliver(follow, inbox=f"{HUB}/users/board/inbox")
    await world.settle()
    assert world.mastodon.deliveries("Accept") == []
    assert (await world.get_json(f"{HUB}/users/board"))["manuallyApprovesFollowers"] is True
    assert (await world.get_json(f"{HUB}/users/board/followers"))["totalItems"] == 0
