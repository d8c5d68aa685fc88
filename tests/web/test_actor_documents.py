"""Actor documents, collections and content negotiation (spec §1.5, §2, checklist 11-25)."""

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from sqlmodel import col, update

from hub.context import HubContext
from hub.models import Actor
from hub.services.actors import create_actor
from hub.services.followers import set_manual_approval

AS_CONTEXT = "https://www.w3.org/ns/activitystreams"
AP_ACCEPT = {"Accept": "application/activity+json"}
ACTOR_URL = "https://hub.test/users/org"


@pytest.fixture
async def org(ctx: HubContext) -> None:
    """Create the organisation actor `org`."""
    await create_actor(
        ctx, "org", display_name="Relationships Project", summary_html="<p>Learning together</p>"
    )


@pytest.mark.parametrize(
    "accept",
    [
        "application/activity+json",
        'application/ld+json; profile="https://www.w3.org/ns/activitystreams"',
        "application/activity+json, application/ld+json",
        'application/ld+json; profile="https://www.w3.org/ns/activitystreams", '
        "application/activity+json, text/html;q=0.1",
        "application/json",
    ],
    ids=["activity-json", "ld-json-profile", "mastodon-fetch", "mastodon-search", "plain-json"],
)
async def test_actor_is_served_as_activity_json(
    client: httpx.AsyncClient, org: None, accept: str
) -> None:
    # checklist 11, 12, 13
    response = await client.get(ACTOR_URL, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/activity+json"
    assert response.headers["vary"] == "Accept"
    assert response.json()["id"] == ACTOR_URL


@pytest.mark.parametrize(
    "accept",
    ["text/html", "text/html,application/xhtml+xml,*/*;q=0.8", "*/*", None],
    ids=["html", "browser", "anything", "none"],
)
async def test_actor_url_serves_html_to_browsers(
    client: httpx.AsyncClient, org: None, accept: str | None
) -> None:
    # checklist 14
    headers = {"Accept": accept} if accept else {}
    response = await client.get(ACTOR_URL, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "Accept" in response.headers["vary"].split(", ")
    assert "@org@hub.test" in response.text
    assert f'<link rel="alternate" type="application/activity+json" href="{ACTOR_URL}">' in (
        response.text
    )


async def test_actor_document_has_what_mastodon_reads(client: httpx.AsyncClient, org: None) -> None:
    # checklist 15-22
    response = await client.get(ACTOR_URL, headers=AP_ACCEPT)
    actor = response.json()
    assert AS_CONTEXT in actor["@context"]
    assert actor["type"] == "Organization"
    assert actor["preferredUsername"] == "org"
    assert actor["name"] == "Relationships Project"
    assert actor["summary"] == "<p>Learning together</p>"
    assert actor["url"] == "https://hub.test/@org"
    for endpoint in ("inbox", "outbox", "followers", "following", "featured"):
        assert actor[endpoint] == f"{ACTOR_URL}/{endpoint}"
    assert actor["endpoints"] == {"sharedInbox": "https://hub.test/inbox"}
    assert actor["manuallyApprovesFollowers"] is False
    assert actor["discoverable"] is True
    assert actor["indexable"] is True
    assert actor["published"].endswith("Z")
    assert actor["publicKey"]["id"] == f"{ACTOR_URL}#main-key"
    assert actor["publicKey"]["owner"] == ACTOR_URL
    key = load_pem_public_key(actor["publicKey"]["publicKeyPem"].encode())
    assert isinstance(key, rsa.RSAPublicKey)
    assert key.key_size >= 2048
    assert "PRIVATE" not in response.text


async def test_each_actor_has_its_own_key(client: httpx.AsyncClient, ctx: HubContext) -> None:
    await create_actor(ctx, "org")
    await create_actor(ctx, "observatory", actor_type="Service")
    first = (await client.get(ACTOR_URL, headers=AP_ACCEPT)).json()
    second = (await client.get("https://hub.test/users/observatory", headers=AP_ACCEPT)).json()
    assert second["type"] == "Service"
    assert first["publicKey"]["publicKeyPem"] != second["publicKey"]["publicKeyPem"]


async def test_profile_page_url_also_negotiates(client: httpx.AsyncClient, org: None) -> None:
    html = await client.get("https://hub.test/@org")
    assert "Follow from Mastodon" in html.text
    as_json = await client.get("https://hub.test/@org", headers=AP_ACCEPT)
    assert as_json.json()["id"] == ACTOR_URL


async def test_instance_actor_is_public_application(client: httpx.AsyncClient) -> None:
    # checklist 25 and spec §2.4
    response = await client.get("/actor", headers=AP_ACCEPT)
    assert response.status_code == 200
    actor = response.json()
    assert actor["type"] == "Application"
    assert actor["id"] == "https://hub.test/actor"
    assert actor["preferredUsername"] == "hub.test"
    assert actor["publicKey"]["owner"] == "https://hub.test/actor"


@pytest.mark.parametrize("name", ["outbox", "followers", "following"])
async def test_empty_collections_are_valid_ordered_collections(
    client: httpx.AsyncClient, org: None, name: str
) -> None:
    # checklist 23
    collection_url = f"{ACTOR_URL}/{name}"
    collection = (await client.get(collection_url, headers=AP_ACCEPT)).json()
    assert collection["type"] == "OrderedCollection"
    assert collection["id"] == collection_url
    assert collection["totalItems"] == 0
    page = (await client.get(collection["first"], headers=AP_ACCEPT)).json()
    assert page["type"] == "OrderedCollectionPage"
    assert page["partOf"] == collection_url
    assert page["orderedItems"] == []
    assert "next" not in page


async def test_featured_is_an_ordered_collection_with_inline_items(
    client: httpx.AsyncClient, org: None
) -> None:
    # checklist 24: Mastodon reads only the first page of featured
    featured = (await client.get(f"{ACTOR_URL}/featured", headers=AP_ACCEPT)).json()
    assert featured["type"] == "OrderedCollection"
    assert featured["totalItems"] == 0
    assert featured["orderedItems"] == []


async def test_home_page_shows_the_organisation_handle(
    client: httpx.AsyncClient, org: None
) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    assert "@org@hub.test" in response.text
    assert '<main id="main"' in response.text


async def test_actor_json_is_served_from_the_cache_until_the_actor_changes(
    ctx: HubContext, client: httpx.AsyncClient
) -> None:
    await create_actor(ctx, "cached")
    first = (await client.get("/users/cached", headers=AP_ACCEPT)).json()
    assert first["manuallyApprovesFollowers"] is False
    async with ctx.sessions() as session, session.begin():
        await session.exec(
            update(Actor).where(col(Actor.username) == "cached").values(display_name="Elsewhere")
        )
    # A change made behind this process's back shows once the cache's time limit passes.
    assert (await client.get("/users/cached", headers=AP_ACCEPT)).json()["name"] == first["name"]
    await set_manual_approval(ctx, "cached", manual=True)
    changed = (await client.get("/users/cached", headers=AP_ACCEPT)).json()
    assert changed["manuallyApprovesFollowers"] is True
    assert changed["name"] == "Elsewhere"
