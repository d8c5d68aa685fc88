"""Every public page is built for everyone: language, landmarks, one h1, alt text, labels."""

from collections import Counter

import httpx
import pytest

from hub.context import HubContext
from hub.models import Actor
from hub.services.actors import create_actor
from tests.support.html import Page, parse_page
from tests.support.posts import START, Image, add_post, add_seed_posts
from tests.support.seed import SEED_POSTS

PAGES = {
    "home": "/",
    "profile": "/@org",
    "post": "/@org/{post}",
    "warned-post": "/@org/{warned}",
    "deleted-post": "/@org/{deleted}",
    "tag": "/tags/observatory",
    "series": "/@org/series/observatory-sightings",
    "not-found": "/@org/series/nothing",
}


@pytest.fixture
async def paths(ctx: HubContext) -> dict[str, str]:
    """Fill a Hub with seed posts; return the path of each kind of page."""
    org: Actor = await create_actor(ctx, "org", display_name="The Relationships Project")
    await add_seed_posts(ctx, org, SEED_POSTS)
    post = await add_post(
        ctx,
        org,
        title="Huddles in pictures",
        tags=["observatory"],
        images=[Image("huddle.jpg", "Six people around a kitchen table")],
    )
    warned = await add_post(
        ctx, org, title="Hope", content_warning="Asylum", images=[Image("hope.jpg", "Two hands")]
    )
    deleted = await add_post(ctx, org, title="Withdrawn", deleted_at=START)
    slugs = {"post": post.slug, "warned": warned.slug, "deleted": deleted.slug}
    return {name: path.format(**slugs) for name, path in PAGES.items()}


def _check_page(page: Page) -> list[str]:
    problems = []
    html = page.find("html")
    if not html.attrs.get("lang"):
        problems.append("<html> has no lang")
    if len(page.find_all("h1")) != 1:
        problems.append(f"{len(page.find_all('h1'))} <h1> elements")
    for landmark in ("header", "nav", "main", "footer"):
        top_level = [e for e in page.find_all(landmark) if "article" not in e.parents]
        if len(top_level) != 1:
            problems.append(f"{len(top_level)} page-level <{landmark}> landmarks")
    links = page.find_all("a")
    has_main_target = any(element.attrs.get("id") == "main" for element in page.elements)
    if not links or links[0].attrs.get("href") != "#main" or not has_main_target:
        problems.append("no skip link to #main first")
    for image in page.find_all("img"):
        if "alt" not in image.attrs:
            problems.append(f"image without alt: {image.attrs.get('src')}")
    for field_tag in ("input", "select", "textarea"):
        for field in page.find_all(field_tag):
            if field.attrs.get("type") == "hidden":
                continue
            labelled = field.attrs.get("aria-label") or page.find_all(
                "label", for_=field.attrs.get("id", "-")
            )
            if not labelled:
                problems.append(f"<{field_tag}> without a label")
    for link in links:
        if not link.text.strip() and not link.attrs.get("aria-label"):
            problems.append(f"link without text: {link.attrs.get('href')}")
    ids = Counter(element.attrs["id"] for element in page.elements if "id" in element.attrs)
    problems += [f"duplicate id {name}" for name, count in ids.items() if count > 1]
    level = 0
    for element in page.elements:
        if len(element.tag) == 2 and element.tag[0] == "h" and element.tag[1].isdigit():
            if int(element.tag[1]) > level + 1:
                problems.append(f"heading jumps from h{level} to {element.tag}")
            level = int(element.tag[1])
    return problems


@pytest.mark.parametrize("name", list(PAGES))
async def test_page_meets_the_accessibility_basics(
    client: httpx.AsyncClient, paths: dict[str, str], name: str
) -> None:
    response = await client.get(paths[name], headers={"Accept": "text/html"})
    assert response.headers["content-type"].startswith("text/html")
    assert _check_page(parse_page(response.text)) == []


async def test_checker_finds_the_problems_it_looks_for() -> None:
    broken = parse_page(
        '<html><body><a href="/">Home</a><h1>One</h1><h1>Two</h1><h3>Deep</h3>'
        '<img src="x.png"><input id="q"><a href="/y"></a><p id="d"></p><p id="d"></p></body></html>'
    )
    assert _check_page(broken) == [
        "<html> has no lang",
        "2 <h1> elements",
        "0 page-level <header> landmarks",
        "0 page-level <nav> landmarks",
        "0 page-level <main> landmarks",
        "0 page-level <footer> landmarks",
        "no skip link to #main first",
        "image without alt: x.png",
        "<input> without a label",
        "link without text: /y",
        "duplicate id d",
        "heading jumps from h1 to h3",
    ]
