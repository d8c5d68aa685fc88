"""The public "follow this organisation" page sends visitors to their own server."""

import httpx
import pytest

from hub.context import HubContext
from hub.services.actors import create_actor
from tests.support.html import parse_page
from tests.web.test_accessibility import _check_page as check_page


@pytest.fixture
async def org(ctx: HubContext) -> None:
    """The organisation actor of the Hub at hub.test."""
    await create_actor(ctx, "org", display_name="The Relationships Project")


@pytest.mark.usefixtures("org")
async def test_the_page_asks_for_the_server_and_names_the_handle(client: httpx.AsyncClient) -> None:
    response = await client.get("/@org/follow")
    assert response.status_code == 200
    assert 'id="server" name="server"' in response.text
    assert "@org@hub.test" in response.text
    assert response.headers["cache-control"].startswith("public")


@pytest.mark.usefixtures("org")
@pytest.mark.parametrize(
    "typed",
    ["mastodon.social", " https://Mastodon.Social/ ", "@me@mastodon.social", "me@mastodon.social"],
)
async def test_a_server_name_redirects_to_its_authorize_interaction_page(
    client: httpx.AsyncClient, typed: str
) -> None:
    response = await client.get("/@org/follow", params={"server": typed})
    assert response.status_code == 303
    assert response.headers["location"] == (
        "https://mastodon.social/authorize_interaction?uri=https%3A%2F%2Fhub.test%2Fusers%2Forg"
    )


@pytest.mark.usefixtures("org")
async def test_an_international_server_name_is_sent_in_ascii(client: httpx.AsyncClient) -> None:
    response = await client.get("/@org/follow", params={"server": "bücher.example"})
    assert response.headers["location"].startswith("https://xn--bcher-kva.example/")


@pytest.mark.usefixtures("org")
@pytest.mark.parametrize(
    "typed",
    [
        "",
        "localhost",
        "javascript:alert(1)",
        "evil.example/path?x=1",
        "https://user:pass@evil.example",
        "10.0.0.1",
        "a" * 300 + ".example",
        "<script>.example",
    ],
    ids=["empty", "no-dot", "script-url", "path", "credentials", "ip", "too-long", "markup"],
)
async def test_a_bad_server_name_is_explained_and_kept(
    client: httpx.AsyncClient, typed: str
) -> None:
    response = await client.get("/@org/follow", params={"server": typed})
    assert response.status_code == 400
    assert "such as mastodon.social" in response.text
    assert "location" not in response.headers
    assert "<script>.example" not in response.text


@pytest.mark.usefixtures("org")
async def test_profile_and_home_link_to_the_follow_page(client: httpx.AsyncClient) -> None:
    for path in ("/@org", "/"):
        assert 'href="https://hub.test/@org/follow"' in (await client.get(path)).text


async def test_an_unknown_actor_has_no_follow_page(client: httpx.AsyncClient) -> None:
    assert (await client.get("/@nobody/follow")).status_code == 404


@pytest.mark.usefixtures("org")
@pytest.mark.parametrize("query", ["", "?server=nonsense"])
async def test_the_follow_page_meets_the_accessibility_basics(
    client: httpx.AsyncClient, query: str
) -> None:
    response = await client.get(f"/@org/follow{query}", headers={"Accept": "text/html"})
    assert check_page(parse_page(response.text)) == []
