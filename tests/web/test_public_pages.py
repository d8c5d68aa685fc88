"""The public web: home, profile, post, tag and series pages show what the public may see."""

from datetime import timedelta

import httpx
import pytest

from hub.context import HubContext
from hub.models import Actor
from hub.services.actors import create_actor
from hub.services.media import upload_image
from hub.services.publishing import PostInput, publish_post
from tests.support.html import parse_page
from tests.support.images import image_bytes
from tests.support.posts import START, Image, add_post, add_seed_posts
from tests.support.seed import HUDDLE_CRAFT, MICRO_CARE, OBSERVATORY_7, OBSERVATORY_8, SEED_POSTS

AP_ACCEPT = {"Accept": "application/activity+json"}


@pytest.fixture
async def org(ctx: HubContext) -> Actor:
    """The organisation actor of the Hub at hub.test."""
    return await create_actor(
        ctx,
        "org",
        display_name="The Relationships Project",
        summary_html="<p>A world designed for and around relationships.</p>",
    )


async def test_home_page_introduces_the_organisation_and_its_latest_posts(
    client: httpx.AsyncClient, ctx: HubContext, org: Actor
) -> None:
    await add_seed_posts(ctx, org, SEED_POSTS)
    await add_post(ctx, org, title="Unlisted note", visibility="unlisted")
    await add_post(ctx, org, title="A draft", state="draft")
    response = await client.get("/")
    assert response.status_code == 200
    page = parse_page(response.text)
    assert page.texts("h1") == ["The Relationships Project"]
    assert "@org@hub.test" in page.texts("strong")
    assert "A world designed for and around relationships." in response.text
    titles = page.texts("h3", class_="post-title")
    assert titles == [post.title for post in reversed(SEED_POSTS)]
    assert HUDDLE_CRAFT.summary in page.texts("p", class_="in-brief")[2]


async def test_home_page_pages_back_with_an_older_posts_link(
    client: httpx.AsyncClient, ctx: HubContext, org: Actor
) -> None:
    for n in range(23):
        await add_post(ctx, org, title=f"Sighting {n}", published_at=START + timedelta(hours=n))
    first = parse_page((await client.get("/")).text)
    assert len(first.find_all("h3", class_="post-title")) == 20
    older_link = first.find("a", rel="next").attrs["href"]
    assert older_link.startswith("/?before=")
    second = parse_page((await client.get(older_link)).text)
    assert second.texts("h3", class_="post-title") == ["Sighting 2", "Sighting 1", "Sighting 0"]
    assert second.find_all("a", rel="next") == []
    assert second.texts("h2", id="latest-heading") == ["Older posts"]


async def test_profile_lists_public_and_unlisted_posts_with_feeds(
    client: httpx.AsyncClient, ctx: HubContext, org: Actor
) -> None:
    await add_seed_posts(ctx, org, [OBSERVATORY_7, OBSERVATORY_8])
    await add_post(
        ctx,
        org,
        title="Unlisted note",
        visibility="unlisted",
        published_at=START + timedelta(days=9),
    )
    await add_post(ctx, org, title="For followers", visibility="followers")
    response = await client.get("/@org")
    page = parse_page(response.text)
    assert page.texts("h3", class_="post-title") == [
        "Unlisted note",
        OBSERVATORY_8.title,
        OBSERVATORY_7.title,
    ]
    atom = page.find("link", rel="alternate", type="application/atom+xml")
    rss = page.find("link", rel="alternate", type="application/rss+xml")
    assert atom.attrs["href"] == "https://hub.test/@org/feed.atom"
    assert rss.attrs["href"] == "https://hub.test/@org/feed.rss"


async def test_profile_pages_back_by_cursor(
    client: httpx.AsyncClient, ctx: HubContext, org: Actor
) -> None:
    for n in range(21):
        await add_post(ctx, org, title=f"Note {n}", published_at=START + timedelta(hours=n))
    first = parse_page((await client.get("/@org")).text)
    older_link = first.find("a", rel="next").attrs["href"]
    assert older_link.startswith("/@org?before=")
    second = parse_page((await client.get(older_link)).text)
    assert second.texts("h3", class_="post-title") == ["Note 0"]


@pytest.fixture
async def rich_post(ctx: HubContext, org: Actor) -> str:
    """A seed post with an image, tags, a series and an edit; return its page path."""
    post = await add_post(
        ctx,
        org,
        title=OBSERVATORY_7.title,
        summary=OBSERVATORY_7.summary,
        body_html="<p>We begin to <em>take stock</em>.</p>",
        tags=["Observatory", "relationships"],
        series="Observatory Sightings",
        language="en-GB",
        published_at=START,
        updated_at=START + timedelta(days=2),
        images=[Image("sighting-7.jpg", "A street party seen from a window", 1200, 675)],
    )
    return f"/@org/{post.slug}"


async def test_post_page_shows_the_whole_post(
    client: httpx.AsyncClient, org: Actor, rich_post: str
) -> None:
    response = await client.get(rich_post)
    assert response.status_code == 200
    page = parse_page(response.text)
    assert page.texts("h1") == [OBSERVATORY_7.title]
    byline = page.texts("p", class_="byline")[0]
    assert byline.startswith("By The Relationships Project @org@hub.test, 1 March 2026")
    assert "(edited on 3 March 2026)" in byline
    assert page.texts("div", class_="in-brief") == [f"In brief {OBSERVATORY_7.summary}"]
    assert "<p>We begin to <em>take stock</em>.</p>" in response.text
    image = page.find("img")
    assert image.attrs == {
        "src": "https://hub.test/media/sighting-7.jpg",
        "alt": "A street party seen from a window",
        "width": "1200",
        "height": "675",
        "loading": "lazy",
        "decoding": "async",
    }
    tags = [(link.attrs["href"], link.text) for link in page.find_all("a", rel="tag")]
    assert tags == [
        ("https://hub.test/tags/observatory", "#Observatory"),
        ("https://hub.test/tags/relationships", "#relationships"),
    ]
    series = page.find("p", class_="series-link")
    assert "Observatory Sightings" in series.text
    assert page.find("article", class_="post").attrs["lang"] == "en-GB"
    assert page.find_all("a", href="https://hub.test/@org/series/observatory-sightings")


async def test_post_page_head_serves_previews_and_attribution(
    client: httpx.AsyncClient, org: Actor, rich_post: str
) -> None:
    page = parse_page((await client.get(rich_post)).text)
    url = f"https://hub.test{rich_post}"
    object_id = url.replace("/@org/", "/users/org/posts/")
    alternate = page.find("link", rel="alternate", type="application/activity+json")
    assert alternate.attrs["href"] == object_id
    assert page.find("link", rel="canonical").attrs["href"] == url
    assert page.meta("og:title") == OBSERVATORY_7.title
    assert page.meta("og:description") == OBSERVATORY_7.summary
    assert page.meta("og:url") == url
    assert page.meta("og:type") == "article"
    assert page.meta("og:image") == "https://hub.test/media/sighting-7.jpg"
    assert page.meta("og:image:alt") == "A street party seen from a window"
    assert (page.meta("og:image:width"), page.meta("og:image:height")) == ("1200", "675")
    assert page.meta("description") == OBSERVATORY_7.summary
    # spec §5.9: the byline on Mastodon's link card
    assert page.meta("fediverse:creator") == "@org@hub.test"


async def test_post_without_summary_describes_itself_with_its_body(
    client: httpx.AsyncClient, ctx: HubContext, org: Actor
) -> None:
    body = "<p>" + "Relationships are the first mile, not the extra one. " * 12 + "</p>"
    post = await add_post(ctx, org, title="Micro Care", body_html=body)
    page = parse_page((await client.get(f"/@org/{post.slug}")).text)
    description = page.meta("og:description")
    assert description.startswith("Relationships are the first mile, not the extra one.")
    assert description.endswith("…")
    assert len(description) <= 300
    assert page.find_all("meta", property="og:image") == []


async def test_content_warning_hides_the_post_behind_a_disclosure(
    client: httpx.AsyncClient, ctx: HubContext, org: Actor
) -> None:
    post = await add_post(
        ctx,
        org,
        title="A Message of Hope and Solidarity",
        summary="Khaled reflects on seeking asylum.",
        body_html="<p>The mutual experience can help us all.</p>",
        content_warning="Asylum and detention",
        images=[Image("hope.jpg", "Hands held together")],
    )
    page = parse_page((await client.get(f"/@org/{post.slug}")).text)
    details = page.find("details", class_="content-warning")
    assert "open" not in details.attrs
    assert "Content warning: Asylum and detention" in " ".join(details.text.split())
    assert "The mutual experience can help us all." in details.text
    assert page.find("img").parents[-2:] == ("details", "figure")
    # The preview card of a warned post shows no image.
    assert page.find_all("meta", property="og:image") == []


async def test_post_page_escapes_what_it_did_not_sanitise(
    client: httpx.AsyncClient, ctx: HubContext, org: Actor
) -> None:
    post = await add_post(
        ctx,
        org,
        title="<script>alert(1)</script>",
        summary='"><img src=x onerror=alert(2)>',
        images=[Image("x.png", '"><script>alert(3)</script>')],
    )
    response = await client.get(f"/@org/{post.slug}")
    assert "<script>" not in response.text
    assert "<img src=x" not in response.text
    assert parse_page(response.text).texts("h1") == ["<script>alert(1)</script>"]


@pytest.mark.parametrize(
    ("visibility", "state"),
    [("followers", "published"), ("public", "draft"), ("public", "scheduled")],
    ids=["followers-only", "draft", "scheduled"],
)
@pytest.mark.parametrize("accept", ["text/html", "application/activity+json"])
async def test_posts_the_public_may_not_see_are_not_found(
    client: httpx.AsyncClient,
    ctx: HubContext,
    org: Actor,
    visibility: str,
    state: str,
    accept: str,
) -> None:
    post = await add_post(ctx, org, title="Not for you", visibility=visibility, state=state)
    for path in (f"/@org/{post.slug}", f"/users/org/posts/{post.slug}"):
        response = await client.get(path, headers={"Accept": accept})
        assert response.status_code == 404
        assert "Not for you" not in response.text


async def test_unlisted_post_has_its_own_page(
    client: httpx.AsyncClient, ctx: HubContext, org: Actor
) -> None:
    post = await add_post(ctx, org, title="Quietly shared", visibility="unlisted")
    response = await client.get(f"/@org/{post.slug}")
    assert response.status_code == 200
    assert parse_page(response.text).texts("h1") == ["Quietly shared"]


async def test_deleted_post_page_is_gone(
    client: httpx.AsyncClient, ctx: HubContext, org: Actor
) -> None:
    post = await add_post(ctx, org, title="Withdrawn", deleted_at=START + timedelta(days=1))
    response = await client.get(f"/@org/{post.slug}")
    assert response.status_code == 410
    page = parse_page(response.text)
    assert page.texts("h1") == ["This post was deleted"]
    assert "Withdrawn" not in response.text
    as_json = await client.get(f"/users/org/posts/{post.slug}", headers=AP_ACCEPT)
    assert as_json.status_code == 410
    assert as_json.json()["type"] == "Tombstone"


async def test_tag_page_lists_public_posts_with_the_tag(
    client: httpx.AsyncClient, ctx: HubContext, org: Actor
) -> None:
    await add_seed_posts(ctx, org, SEED_POSTS)
    await add_post(ctx, org, title="Unlisted sighting", tags=["observatory"], visibility="unlisted")
    response = await client.get("/tags/Observatory")
    assert response.status_code == 200
    page = parse_page(response.text)
    assert page.texts("h1") == ["Posts tagged #observatory"]
    assert page.texts("h2", class_="post-title") == [OBSERVATORY_8.title, OBSERVATORY_7.title]


async def test_tag_page_of_an_unused_tag_says_so(client: httpx.AsyncClient, org: Actor) -> None:
    response = await client.get("/tags/wellbeing")
    assert response.status_code == 200
    assert "No public posts have this tag yet." in response.text


@pytest.mark.parametrize("path", ["/tags/2026", "/tags/a%20b", "/tags/" + "x" * 101])
async def test_impossible_tag_pages_are_not_found(client: httpx.AsyncClient, path: str) -> None:
    assert (await client.get(path)).status_code == 404


async def test_series_page_lists_the_series(
    client: httpx.AsyncClient, ctx: HubContext, org: Actor
) -> None:
    await add_seed_posts(ctx, org, SEED_POSTS)
    response = await client.get("/@org/series/observatory-sightings")
    assert response.status_code == 200
    page = parse_page(response.text)
    assert page.texts("h1") == ["Observatory Sightings"]
    assert page.texts("h2", class_="post-title") == [OBSERVATORY_8.title, OBSERVATORY_7.title]
    assert MICRO_CARE.title not in response.text


@pytest.mark.parametrize("path", ["/@org/series/unknown", "/@nobody/series/observatory-sightings"])
async def test_unknown_series_is_not_found(
    client: httpx.AsyncClient, ctx: HubContext, org: Actor, path: str
) -> None:
    await add_seed_posts(ctx, org, [OBSERVATORY_7])
    assert (await client.get(path)).status_code == 404


@pytest.mark.parametrize("path", ["/", "/@org", "/tags/care", "/@org/series/joining-the-dots"])
@pytest.mark.parametrize("cursor", ["yesterday", "1-2-3", "9" * 40])
async def test_malformed_page_cursor_is_a_clear_400(
    client: httpx.AsyncClient, org: Actor, path: str, cursor: str
) -> None:
    response = await client.get(path, params={"before": cursor})
    assert response.status_code == 400
    assert "before" in response.text


async def test_actor_document_credits_the_hub_domain(client: httpx.AsyncClient, org: Actor) -> None:
    # spec §5.9: Mastodon trusts fediverse:creator only on domains the actor lists
    response = await client.get("/users/org", headers=AP_ACCEPT)
    assert response.json()["attributionDomains"] == ["hub.test"]


async def test_post_published_with_an_uploaded_image_shows_it_from_the_media_route(
    client: httpx.AsyncClient, ctx: HubContext, org: Actor
) -> None:
    upload = await upload_image(
        ctx,
        image_bytes((640, 360), "JPEG"),
        filename="street-party.jpg",
        declared_type="image/jpeg",
        description="A street party seen from a window",
        account_id=None,
    )
    assert upload.id is not None
    published = await publish_post(
        ctx,
        "org",
        PostInput(
            title=OBSERVATORY_8.title,
            summary=OBSERVATORY_8.summary,
            body_markdown="We scratch beneath the surface.",
            tags=("observatory",),
            series="Observatory Sightings",
            media_ids=(upload.id,),
        ),
    )
    page = parse_page((await client.get(published.html_url)).text)
    image = page.find("img")
    assert image.attrs["alt"] == "A street party seen from a window"
    assert (image.attrs["width"], image.attrs["height"]) == ("640", "360")
    assert page.meta("og:image") == image.attrs["src"]
    served = await client.get(image.attrs["src"])
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/jpeg"
    assert page.find_all("a", href="https://hub.test/@org/series/observatory-sightings")
