"""Cache headers for what many servers fetch at once after a post federates."""

from datetime import timedelta

import httpx
import pytest

from hub.context import HubContext
from hub.models import Actor
from hub.services.actors import create_actor
from tests.support.posts import START, add_post

AP_ACCEPT = {"Accept": "application/activity+json"}
HTML_ACCEPT = {"Accept": "text/html"}


@pytest.fixture
async def org(ctx: HubContext) -> Actor:
    """The organisation actor."""
    return await create_actor(ctx, "org", display_name="The Relationships Project")


@pytest.fixture
async def post_path(ctx: HubContext, org: Actor) -> str:
    """The page path of a published post."""
    post = await add_post(
        ctx, org, title="Shifting Power", published_at=START, updated_at=START + timedelta(hours=2)
    )
    return f"/@org/{post.slug}"


def _max_age(response: httpx.Response) -> int:
    directives = [part.strip() for part in response.headers["cache-control"].split(",")]
    assert "public" in directives
    (max_age,) = (int(part.split("=")[1]) for part in directives if part.startswith("max-age="))
    return max_age


def _cacheable_urls(post_path: str) -> list[tuple[str, dict[str, str]]]:
    object_path = post_path.replace("/@org/", "/users/org/posts/")
    return [
        (post_path, HTML_ACCEPT),
        (post_path, AP_ACCEPT),
        (object_path, AP_ACCEPT),
        ("/users/org", AP_ACCEPT),
        ("/@org", HTML_ACCEPT),
        ("/actor", AP_ACCEPT),
        ("/@org/feed.atom", {}),
        ("/@org/feed.rss", {}),
        ("/", HTML_ACCEPT),
        ("/tags/power", HTML_ACCEPT),
    ]


async def test_public_responses_are_briefly_cacheable_with_validators(
    client: httpx.AsyncClient, post_path: str
) -> None:
    for path, headers in _cacheable_urls(post_path):
        response = await client.get(path, headers=headers)
        assert response.status_code == 200, path
        assert 60 <= _max_age(response) <= 300, path
        assert response.headers["etag"].startswith('"'), path


@pytest.mark.parametrize("index", range(10), ids=lambda n: f"url{n}")
async def test_revalidation_with_the_etag_gets_304(
    client: httpx.AsyncClient, post_path: str, index: int
) -> None:
    path, headers = _cacheable_urls(post_path)[index]
    first = await client.get(path, headers=headers)
    second = await client.get(path, headers={**headers, "If-None-Match": first.headers["etag"]})
    assert second.status_code == 304
    assert second.content == b""
    assert second.headers["etag"] == first.headers["etag"]
    assert second.headers["cache-control"] == first.headers["cache-control"]
    assert second.headers.get("vary") == first.headers.get("vary")


async def test_a_changed_post_no_longer_matches_the_old_etag(
    client: httpx.AsyncClient, ctx: HubContext, org: Actor
) -> None:
    await add_post(ctx, org, title="First")
    first = await client.get("/@org/feed.atom")
    await add_post(ctx, org, title="Second", published_at=START + timedelta(days=1))
    second = await client.get("/@org/feed.atom", headers={"If-None-Match": first.headers["etag"]})
    assert second.status_code == 200
    assert second.headers["etag"] != first.headers["etag"]


async def test_html_and_json_of_one_url_have_different_etags_and_vary_on_accept(
    client: httpx.AsyncClient, post_path: str
) -> None:
    html = await client.get(post_path, headers=HTML_ACCEPT)
    as_json = await client.get(post_path, headers=AP_ACCEPT)
    assert html.headers["etag"] != as_json.headers["etag"]
    assert "Accept" in html.headers["vary"].split(", ")
    assert "Accept" in as_json.headers["vary"].split(", ")
    mismatched = await client.get(
        post_path, headers={**AP_ACCEPT, "If-None-Match": html.headers["etag"]}
    )
    assert mismatched.status_code == 200


async def test_post_and_feed_carry_last_modified_and_honour_if_modified_since(
    client: httpx.AsyncClient, post_path: str
) -> None:
    for path in (post_path, "/@org/feed.atom"):
        response = await client.get(path)
        assert response.headers["last-modified"] == "Sun, 01 Mar 2026 11:00:00 GMT"
        later = await client.get(
            path, headers={"If-Modified-Since": "Sun, 01 Mar 2026 12:00:00 GMT"}
        )
        assert later.status_code == 304
        earlier = await client.get(
            path, headers={"If-Modified-Since": "Sun, 01 Mar 2026 10:59:59 GMT"}
        )
        assert earlier.status_code == 200


@pytest.mark.parametrize("value", ["yesterday", "", "Sun, 99 Foo 2026 99:00:00 GMT", "W/"])
async def test_unreadable_validators_get_the_full_response(
    client: httpx.AsyncClient, post_path: str, value: str
) -> None:
    for header in ("If-Modified-Since", "If-None-Match"):
        response = await client.get(post_path, headers={header: value})
        assert response.status_code == 200


async def test_requests_with_cookies_are_never_publicly_cacheable(
    client: httpx.AsyncClient, post_path: str
) -> None:
    for path, headers in _cacheable_urls(post_path):
        response = await client.get(path, headers={**headers, "Cookie": "session=abc"})
        assert response.headers["cache-control"] == "private, no-cache", path


async def test_gone_posts_are_briefly_cacheable(
    client: httpx.AsyncClient, ctx: HubContext, org: Actor
) -> None:
    post = await add_post(ctx, org, title="Withdrawn", deleted_at=START)
    for path, headers in ((f"/@org/{post.slug}", HTML_ACCEPT), (f"/@org/{post.slug}", AP_ACCEPT)):
        response = await client.get(path, headers=headers)
        assert response.status_code == 410
        assert 0 < _max_age(response) <= 300


async def test_head_request_gets_headers_without_a_body(
    client: httpx.AsyncClient, post_path: str
) -> None:
    response = await client.head(post_path)
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["etag"]


async def test_gone_actors_are_briefly_cacheable(
    client: httpx.AsyncClient, ctx: HubContext, org: Actor
) -> None:
    async with ctx.sessions() as session, session.begin():
        stored = await session.get(Actor, org.id)
        assert stored is not None
        stored.deleted_at = START
    for headers in (HTML_ACCEPT, AP_ACCEPT):
        response = await client.get("/users/org", headers=headers)
        assert response.status_code == 410
        assert 0 < _max_age(response) <= 300
