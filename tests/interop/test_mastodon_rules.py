"""The Mastodon checklist (spec §10), items 1-42: discovery, actors, inbox, follows.

Each test checks from outside, over HTTP, what a Mastodon server would see, with a fake
Mastodon (its own actors, keys and inboxes) as the other side; its name starts with the
checklist number. Items 43-72 are in test_mastodon_rules_delivery.py.
"""

import base64
import hashlib
import json
import re
from datetime import timedelta
from typing import Any

import jsonschema
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlmodel import col, update

from hub.models import Actor
from hub.services.actors import create_actor
from hub.services.publishing import publish
from tests.interop.conftest import MastodonWorld
from tests.interop.fake_mastodon import FakeActor, load_fixture
from tests.web.nodeinfo_schema import nodeinfo_schema

HUB = "https://example.com"
ORG = f"{HUB}/users/org"
WEBFINGER = f"{HUB}/.well-known/webfinger"
USERNAME = re.compile(r"^[a-z0-9_]+([.-]+[a-z0-9_]+)*$", re.IGNORECASE)
SEARCH_ACCEPT = (
    'application/ld+json; profile="https://www.w3.org/ns/activitystreams", '
    "application/activity+json, text/html;q=0.1"
)


def follow_activity(world: MastodonWorld, number: int = 1, actor: FakeActor | None = None) -> Any:
    """Return a Follow of org by alice (or `actor`), as Mastodon sends it."""
    follower = actor or world.alice
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"https://mastodon.example/follows/{follower.document['preferredUsername']}-{number}",
        "type": "Follow",
        "actor": follower.ap_id,
        "object": ORG,
    }


async def followers(world: MastodonWorld) -> tuple[int, list[str]]:
    """Return org's followers `totalItems` and the ids on its first page."""
    head = await world.get_json(f"{ORG}/followers")
    page = await world.get_json(f"{ORG}/followers?page=true")
    return head["totalItems"], page["orderedItems"]


# --- Discovery --------------------------------------------------------------------------


async def test_01_07_webfinger_raw_acct_resolves_without_a_signature(world: MastodonWorld) -> None:
    response = await world.get(f"{WEBFINGER}?resource=acct:org@example.com", {})
    assert response.request.url.query == b"resource=acct:org@example.com"
    assert "signature" not in response.request.headers
    assert response.status_code == 200
    assert response.json()["subject"] == "acct:org@example.com"


async def test_02_webfinger_percent_encoded_resource_gives_the_same_answer(
    world: MastodonWorld,
) -> None:
    raw = await world.get(f"{WEBFINGER}?resource=acct:org@example.com", {})
    encoded = await world.get(f"{WEBFINGER}?resource=acct%3Aorg%40example.com", {})
    assert encoded.status_code == 200
    assert encoded.json() == raw.json()


async def test_03_webfinger_self_link_is_the_actor_id(world: MastodonWorld) -> None:
    jrd = (await world.get(f"{WEBFINGER}?resource=acct:org@example.com", {})).json()
    self_links = [link for link in jrd["links"] if link["rel"] == "self"]
    assert self_links == [{"rel": "self", "type": "application/activity+json", "href": ORG}]
    assert (await world.get_json(ORG))["id"] == ORG


@pytest.mark.parametrize("resource", [ORG, "org@example.com", "acct:ORG@example.com"])
async def test_04_webfinger_by_url_or_bare_handle_gives_the_same_subject(
    world: MastodonWorld, resource: str
) -> None:
    response = await world.get(f"{WEBFINGER}?resource={resource}", {})
    assert response.status_code == 200
    assert response.json()["subject"] == "acct:org@example.com"


async def test_05_webfinger_unknown_missing_and_deleted(world: MastodonWorld) -> None:
    await create_actor(world.ctx, "gone")
    async with world.ctx.sessions() as session, session.begin():
        await session.exec(
            update(Actor)
            .where(col(Actor.ap_id) == f"{HUB}/users/gone")
            .values(deleted_at=world.clock())
        )
    unknown = await world.get(f"{WEBFINGER}?resource=acct:nobody@example.com", {})
    missing = await world.get(WEBFINGER, {})
    deleted = await world.get(f"{WEBFINGER}?resource=acct:gone@example.com", {})
    assert (unknown.status_code, missing.status_code, deleted.status_code) == (404, 400, 410)


async def test_06_webfinger_type_and_cors(world: MastodonWorld) -> None:
    response = await world.get(f"{WEBFINGER}?resource=acct:org@example.com", {})
    assert response.headers["content-type"].startswith("application/jrd+json")
    assert response.headers["access-control-allow-origin"] == "*"


async def test_08_host_meta_has_an_lrdd_template(world: MastodonWorld) -> None:
    response = await world.get(f"{HUB}/.well-known/host-meta", {"accept": "application/xrd+xml"})
    assert response.status_code == 200
    assert "xrd" in response.headers["content-type"]
    template = re.search(r'<Link[^>]*rel="lrdd"[^>]*template="([^"]+)"', response.text)
    assert template is not None
    assert "{uri}" in template.group(1)


async def test_09_nodeinfo_links_and_validates_2_0_and_2_1(world: MastodonWorld) -> None:
    discovery = (await world.get(f"{HUB}/.well-known/nodeinfo", {})).json()
    links = {link["rel"].rsplit("/", 1)[1]: link["href"] for link in discovery["links"]}
    assert set(links) == {"2.0", "2.1"}
    for version, href in links.items():
        jsonschema.validate((await world.get(href, {})).json(), nodeinfo_schema(version))


async def test_10_usernames_match_mastodon_and_loop_back(world: MastodonWorld) -> None:
    for actor_id in (ORG, f"{HUB}/actor"):
        actor = await world.get_json(actor_id)
        username = actor["preferredUsername"]
        assert USERNAME.match(username), username
        jrd = (await world.get(f"{WEBFINGER}?resource=acct:{username}@example.com", {})).json()
        assert [link["href"] for link in jrd["links"] if link["rel"] == "self"] == [actor_id]


# --- Actor documents and content negotiation ---------------------------------------------


@pytest.mark.parametrize(
    "accept",
    [
        "application/activity+json",
        'application/ld+json; profile="https://www.w3.org/ns/activitystreams"',
        "application/activity+json, application/ld+json",
        SEARCH_ACCEPT,
    ],
    ids=["activity-json", "ld-json-profile", "mastodon-fetch", "mastodon-search"],
)
async def test_11_12_13_actor_is_json_for_every_accept_mastodon_sends(
    world: MastodonWorld, accept: str
) -> None:
    response = await world.get(ORG, {"accept": accept})
    assert response.status_code == 200
    content_type = response.headers["content-type"]
    assert content_type.startswith("application/activity+json") or (
        content_type.startswith("application/ld+json")
        and "https://www.w3.org/ns/activitystreams" in content_type
    )
    assert response.json()["id"] == ORG


async def test_14_html_for_browsers_and_vary_on_both(world: MastodonWorld) -> None:
    html = await world.get(ORG, {"accept": "text/html"})
    as_json = await world.get(ORG)
    assert html.headers["content-type"].startswith("text/html")
    assert "accept" in html.headers["vary"].lower()
    assert "accept" in as_json.headers["vary"].lower()


async def test_15_16_17_actor_id_context_type_and_endpoints(world: MastodonWorld) -> None:
    response = await world.get(ORG)
    assert response.status_code == 200  # no redirect
    actor = response.json()
    assert actor["id"] == ORG
    context = actor["@context"]
    assert "https://www.w3.org/ns/activitystreams" in (
        context if isinstance(context, list) else [context]
    )
    assert actor["type"] in {"Person", "Organization", "Group", "Service", "Application"}
    for key in ("inbox", "outbox", "followers", "following", "preferredUsername", "publicKey"):
        assert actor[key], key


async def test_18_public_key_is_the_signing_key_and_rsa_2048(world: MastodonWorld) -> None:
    actor = await world.get_json(ORG)
    key = actor["publicKey"]
    assert key["owner"] == ORG
    public_key = serialization.load_pem_public_key(key["publicKeyPem"].encode())
    assert isinstance(public_key, rsa.RSAPublicKey)
    assert public_key.key_size >= 2048
    await world.deliver(follow_activity(world))
    await world.settle()
    (accept,) = world.mastodon.deliveries("Accept")
    assert accept.verdict.key_id == key["id"]


async def test_19_actor_served_unsigned_and_signed_by_an_unknown_key(
    world: MastodonWorld,
) -> None:
    stranger = world.mastodon.add_actor(
        {**load_fixture("actor.json"), "id": "https://other.example/users/ghost"}
    )
    world.mastodon.forget(stranger.ap_id)  # its key cannot be fetched
    for url in (ORG, f"{HUB}/actor"):
        unsigned = await world.get(url)
        signed = await world.mastodon.get(url, signer=stranger)
        assert (unsigned.status_code, signed.status_code) == (200, 200)
        assert signed.json()["id"] == url


async def test_20_21_22_shared_inbox_url_and_explicit_flags(world: MastodonWorld) -> None:
    async with world.ctx.sessions() as session, session.begin():
        await session.exec(
            update(Actor)
            .where(col(Actor.ap_id) == ORG)
            .values(icon_url=f"{HUB}/media/org.png", icon_media_type="image/png")
        )
    actor = await world.get_json(ORG)
    assert actor["endpoints"]["sharedInbox"] == f"{HUB}/inbox"
    assert actor["url"].startswith(f"{HUB}/")
    assert actor["icon"] == {
        "type": "Image",
        "mediaType": "image/png",
        "url": f"{HUB}/media/org.png",
    }
    for flag in ("manuallyApprovesFollowers", "discoverable", "indexable"):
        assert isinstance(actor[flag], bool), flag
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", actor["published"])


@pytest.mark.parametrize("collection", ["followers", "following", "outbox"])
async def test_23_collections_are_ordered_with_counts_and_a_first_page(
    world: MastodonWorld, collection: str
) -> None:
    document = await world.get_json(f"{ORG}/{collection}")
    assert document["type"] == "OrderedCollection"
    assert isinstance(document["totalItems"], int)
    first = await world.get_json(document["first"])
    assert first["type"] == "OrderedCollectionPage"


async def test_24_featured_is_a_collection_of_ids(world: MastodonWorld) -> None:
    featured = await world.get_json(f"{ORG}/featured")
    assert featured["type"] == "OrderedCollection"
    assert all(isinstance(item, str) and item.startswith(HUB) for item in featured["orderedItems"])


async def test_25_instance_actor_is_public_and_resolvable(world: MastodonWorld) -> None:
    actor = await world.get_json(f"{HUB}/actor")
    assert actor["type"] in ("Application", "Service")
    jrd = (await world.get(f"{WEBFINGER}?resource=acct:example.com@example.com", {})).json()
    assert [link["href"] for link in jrd["links"] if link["rel"] == "self"] == [f"{HUB}/actor"]


# --- Inbox (incoming signatures) ---------------------------------------------------------


async def test_26_signed_follow_is_accepted(world: MastodonWorld) -> None:
    # The signature covers (request-target) host date digest content-type, as Mastodon's.
    response = await world.deliver(follow_activity(world))
    assert response.status_code == 202


def _digest_of(activity: dict[str, Any]) -> str:
    return base64.b64encode(hashlib.sha256(json.dumps(activity).encode()).digest()).decode()


@pytest.mark.parametrize("problem", ["unsigned", "wrong-digest", "date-2h-old"])
async def test_27_unsigned_wrong_digest_or_stale_date_is_401(
    world: MastodonWorld, problem: str
) -> None:
    activity = follow_activity(world)
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
    activity = follow_activity(world)
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
        follow_activity(world), inbox=inbox, signer=world.alice, request_target=request_target
    )
    assert response.status_code == 202, response.text


async def test_31_unknown_key_is_fetched_signed_and_a_rotated_key_refetched(
    world: MastodonWorld,
) -> None:
    assert (await world.deliver(follow_activity(world, 1))).status_code == 202
    (fetch,) = [r for r in world.mastodon.fetches() if r.url == world.alice.ap_id]
    assert fetch.verdict.is_valid, fetch.verdict.reason
    assert fetch.verdict.key_id == f"{HUB}/actor#main-key"

    world.mastodon.rotate_key(world.alice)
    assert (await world.deliver(follow_activity(world, 2))).status_code == 202
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
    activity = {**follow_activity(world), "padding": "x" * (1024 * 1024)}
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
        follow_activity(world), inbox=world.org.inbox_url, signer=world.alice
    )
    assert response.status_code == 202, response.text


# --- Follow flow -------------------------------------------------------------------------


async def test_36_37_accept_is_signed_by_org_and_embeds_the_follow(world: MastodonWorld) -> None:
    follow = follow_activity(world)
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
        await world.deliver(follow_activity(world, number))
        await world.settle()
    assert len(world.mastodon.deliveries("Accept")) == 2
    assert await followers(world) == (1, [world.alice.ap_id])


@pytest.mark.parametrize("form", ["embedded", "id-only"])
async def test_40_41_undo_follow_removes_the_follower_and_stops_deliveries(
    world: MastodonWorld, form: str
) -> None:
    follow = follow_activity(world)
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
    follow = {**follow_activity(world), "object": f"{HUB}/users/board"}
    await world.deliver(follow, inbox=f"{HUB}/users/board/inbox")
    await world.settle()
    assert world.mastodon.deliveries("Accept") == []
    assert (await world.get_json(f"{HUB}/users/board"))["manuallyApprovesFollowers"] is True
    assert (await world.get_json(f"{HUB}/users/board/followers"))["totalItems"] == 0
