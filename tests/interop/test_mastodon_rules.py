"""The Mastodon checklist (spec §10), items 1-25: discovery and actor documents.

Each test checks from outside, over HTTP, what a Mastodon server would see, with a fake
Mastodon (its own actors, keys and inboxes) as the other side; its name starts with the
checklist numbers it proves. The other items: test_mastodon_rules_inbox.py (26-42),
test_mastodon_rules_posts.py (49-61, 64, 65), test_mastodon_rules_delivery.py (43-48, 62,
67-72).
"""

import re

import jsonschema
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlmodel import col, update

from hub.models import Actor
from hub.services.actors import create_actor
from tests.interop.conftest import MastodonWorld
from tests.interop.fake_mastodon import load_fixture
from tests.web.nodeinfo_schema import nodeinfo_schema

HUB = "https://example.com"
ORG = f"{HUB}/users/org"
WEBFINGER = f"{HUB}/.well-known/webfinger"
USERNAME = re.compile(r"^[a-z0-9_]+([.-]+[a-z0-9_]+)*$", re.IGNORECASE)
SEARCH_ACCEPT = (
    'application/ld+json; profile="https://www.w3.org/ns/activitystreams", '
    "application/activity+json, text/html;q=0.1"
)


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
    await world.deliver(world.follow_of_org())
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
