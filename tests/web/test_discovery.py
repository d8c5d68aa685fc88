"""WebFinger, host-meta and NodeInfo as Mastodon and crawlers use them (spec §1, checklist 1-10)."""

import re
from urllib.parse import quote

import httpx
import jsonschema
import pytest

from hub.context import HubContext
from hub.services.actors import create_actor
from tests.web.nodeinfo_schema import nodeinfo_schema

WEBFINGER = "/.well-known/webfinger"


@pytest.fixture
async def org(ctx: HubContext) -> str:
    """Create the organisation actor `org` and return its id."""
    actor = await create_actor(ctx, "org", display_name="Relationships Project")
    return actor.ap_id


async def test_webfinger_acct_resolves_to_actor_id(client: httpx.AsyncClient, org: str) -> None:
    # checklist 1, 3
    response = await client.get(WEBFINGER, params={"resource": "acct:org@hub.test"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/jrd+json"
    document = response.json()
    assert document["subject"] == "acct:org@hub.test"
    self_links = [link for link in document["links"] if link["rel"] == "self"]
    assert self_links == [{"rel": "self", "type": "application/activity+json", "href": org}]


@pytest.mark.parametrize(
    "resource",
    [
        "acct:org@hub.test",
        "acct%3Aorg%40hub.test",
        "org@hub.test",
        "@org@hub.test",
        "acct:ORG@HUB.TEST",
        "https://hub.test/users/org",
        "https://hub.test/@org",
    ],
    ids=["acct", "percent-encoded", "bare", "at-prefixed", "uppercase", "actor-url", "page-url"],
)
async def test_webfinger_resource_forms_give_the_same_subject(
    client: httpx.AsyncClient, org: str, resource: str
) -> None:
    # checklist 2, 4: raw and percent-encoded values, URLs and bare handles resolve alike
    response = await client.get(f"{WEBFINGER}?resource={resource}")
    assert response.status_code == 200
    assert response.json()["subject"] == "acct:org@hub.test"


async def test_webfinger_answers_cors_and_cache_headers(
    client: httpx.AsyncClient, org: str
) -> None:
    # checklist 6
    response = await client.get(WEBFINGER, params={"resource": "acct:org@hub.test"})
    assert response.headers["access-control-allow-origin"] == "*"
    assert "max-age" in response.headers["cache-control"]


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("", 400),
        ("?resource=", 400),
        ("?resource=acct:", 400),
        ("?resource=acct:nobody", 400),
        ("?resource=acct:@hub.test", 400),
        ("?resource=acct:bad%20name@hub.test", 400),
        ("?resource=mailto:org@hub.test", 400),
        ("?resource=acct:nobody@hub.test", 404),
        ("?resource=acct:org@elsewhere.test", 404),
        ("?resource=https://hub.test/users/nobody", 404),
        ("?resource=https://elsewhere.test/users/org", 404),
    ],
    ids=[
        "missing",
        "empty",
        "bare-acct",
        "no-host",
        "no-user",
        "space-in-name",
        "mailto",
        "unknown-user",
        "other-host",
        "unknown-url",
        "other-url",
    ],
)
async def test_webfinger_rejects_bad_or_unknown_resources(
    client: httpx.AsyncClient, org: str, query: str, status: int
) -> None:
    # checklist 5
    response = await client.get(WEBFINGER + query)
    assert response.status_code == status
    assert response.json()["error"]


async def test_instance_actor_is_webfinger_resolvable(client: httpx.AsyncClient) -> None:
    # checklist 25: Mastodon maps acct:{domain}@{domain} to its instance actor
    response = await client.get(WEBFINGER, params={"resource": "acct:hub.test@hub.test"})
    assert response.status_code == 200
    href = next(link["href"] for link in response.json()["links"] if link["rel"] == "self")
    assert href == "https://hub.test/actor"
    actor = await client.get(href, headers={"Accept": "application/activity+json"})
    assert actor.json()["type"] == "Application"
    assert actor.json()["id"] == href


async def test_host_meta_points_lrdd_at_webfinger(client: httpx.AsyncClient) -> None:
    # checklist 8
    response = await client.get("/.well-known/host-meta")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xrd+xml")
    template = re.search(r'rel="lrdd" template="([^"]+)"', response.text)
    assert template is not None
    assert template.group(1) == "https://hub.test/.well-known/webfinger?resource={uri}"
    as_json = await client.get("/.well-known/host-meta", headers={"Accept": "application/json"})
    assert as_json.json()["links"][0]["template"] == template.group(1)


@pytest.mark.parametrize("version", ["2.0", "2.1"])
async def test_nodeinfo_documents_validate_against_their_schema(
    client: httpx.AsyncClient, org: str, version: str
) -> None:
    # checklist 9
    discovery = (await client.get("/.well-known/nodeinfo")).json()
    rel = f"http://nodeinfo.diaspora.software/ns/schema/{version}"
    href = next(link["href"] for link in discovery["links"] if link["rel"] == rel)
    response = await client.get(href)
    assert response.status_code == 200
    assert f"schema/{version}#" in response.headers["content-type"]
    document = response.json()
    jsonschema.validate(document, nodeinfo_schema(version))
    assert document["usage"]["users"]["total"] == 1


async def test_webfinger_self_link_loops_back_for_every_actor(
    client: httpx.AsyncClient, ctx: HubContext
) -> None:
    # checklist 10: preferredUsername@host-of-id must WebFinger back to the same id
    for name in ("org", "observatory", "guest.author"):
        await create_actor(ctx, name, actor_type="Person")
    for name in ("org", "observatory", "guest.author"):
        actor_url = f"https://hub.test/users/{name}"
        actor = (
            await client.get(actor_url, headers={"Accept": "application/activity+json"})
        ).json()
        handle = f"acct:{actor['preferredUsername']}@hub.test"
        jrd = (await client.get(f"{WEBFINGER}?resource={quote(handle)}")).json()
        assert next(link["href"] for link in jrd["links"] if link["rel"] == "self") == actor["id"]
