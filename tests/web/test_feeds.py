"""Atom and RSS feeds: valid XML that feed readers parse, with the latest public posts."""

from datetime import timedelta
from email.utils import parsedate_to_datetime
from xml.etree import ElementTree as ET

import httpx
import pytest

from hub.context import HubContext
from hub.models import Actor
from hub.services.actors import create_actor
from tests.support.posts import START, Image, add_post, add_seed_posts
from tests.support.seed import HUDDLE_CRAFT, OBSERVATORY_7, SEED_POSTS

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
async def org(ctx: HubContext) -> Actor:
    """The organisation actor."""
    return await create_actor(ctx, "org", display_name="The Relationships Project")


def parse_feed(document: bytes) -> ET.Element:
    """Parse a feed this Hub wrote (our own output, so the stdlib parser is safe here)."""
    return ET.fromstring(document)  # noqa: S314 - our own document, not untrusted input


def _text(element: ET.Element, path: str) -> str:
    found = element.find(path)
    assert found is not None, path
    return found.text or ""


async def test_atom_feed_describes_the_latest_public_posts(
    client: httpx.AsyncClient, ctx: HubContext, org: Actor
) -> None:
    await add_seed_posts(ctx, org, [OBSERVATORY_7, HUDDLE_CRAFT])
    await add_post(
        ctx, org, title="Unlisted", visibility="unlisted", published_at=START + timedelta(days=5)
    )
    response = await client.get("/@org/feed.atom")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    feed = parse_feed(response.content)
    assert feed.tag == f"{ATOM}feed"
    assert _text(feed, f"{ATOM}id") == "https://hub.test/@org/feed.atom"
    assert _text(feed, f"{ATOM}title") == "The Relationships Project (@org@hub.test)"
    assert _text(feed, f"{ATOM}updated") == "2026-03-02T09:00:00Z"
    assert _text(feed, f"{ATOM}author/{ATOM}name") == "The Relationships Project"
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links == {
        "self": "https://hub.test/@org/feed.atom",
        "alternate": "https://hub.test/@org",
    }
    entries = feed.findall(f"{ATOM}entry")
    assert [_text(entry, f"{ATOM}title") for entry in entries] == [
        HUDDLE_CRAFT.title,
        OBSERVATORY_7.title,
    ]
    huddle = entries[0]
    assert _text(huddle, f"{ATOM}id").startswith("https://hub.test/users/org/posts/")
    assert _text(huddle, f"{ATOM}published") == "2026-03-02T09:00:00Z"
    assert _text(huddle, f"{ATOM}updated") == "2026-03-02T09:00:00Z"
    assert _text(huddle, f"{ATOM}summary") == HUDDLE_CRAFT.summary
    content = huddle.find(f"{ATOM}content")
    assert content is not None
    assert content.get("type") == "html"
    assert content.text == HUDDLE_CRAFT.body
    assert [category.get("term") for category in huddle.findall(f"{ATOM}category")] == [
        "learning",
        "JoiningTheDots",
    ]


async def test_rss_feed_describes_the_latest_public_posts(
    client: httpx.AsyncClient, ctx: HubContext, org: Actor
) -> None:
    await add_seed_posts(ctx, org, [OBSERVATORY_7, HUDDLE_CRAFT])
    response = await client.get("/@org/feed.rss")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/rss+xml; charset=utf-8"
    rss = parse_feed(response.content)
    assert rss.tag == "rss"
    assert rss.get("version") == "2.0"
    channel = rss.find("channel")
    assert channel is not None
    assert _text(channel, "link") == "https://hub.test/@org"
    assert _text(channel, "description")
    self_link = channel.find(f"{ATOM}link")
    assert self_link is not None
    assert self_link.get("href") == "https://hub.test/@org/feed.rss"
    assert parsedate_to_datetime(_text(channel, "lastBuildDate")) == START + timedelta(days=1)
    items = channel.findall("item")
    assert [_text(item, "title") for item in items] == [HUDDLE_CRAFT.title, OBSERVATORY_7.title]
    huddle = items[0]
    assert _text(huddle, "link").startswith("https://hub.test/@org/")
    assert _text(huddle, "guid") == _text(huddle, "link")
    assert parsedate_to_datetime(_text(huddle, "pubDate")) == START + timedelta(days=1)
    description = _text(huddle, "description")
    assert description.startswith("<p><strong>In brief</strong> In this Joining the Dots blog")
    assert HUDDLE_CRAFT.body in description
    assert [category.text for category in huddle.findall("category")] == list(HUDDLE_CRAFT.tags)


async def test_feeds_carry_images_as_enclosures_and_inline(
    client: httpx.AsyncClient, ctx: HubContext, org: Actor
) -> None:
    await add_post(
        ctx,
        org,
        title="Huddles in pictures",
        images=[
            Image("huddle.jpg", "Six people around a table", 1200, 800, size_bytes=91_000),
            Image("notes.png", "Sticky notes", media_type="image/png", size_bytes=12_000),
        ],
    )
    atom = parse_feed((await client.get("/@org/feed.atom")).content)
    entry = atom.find(f"{ATOM}entry")
    assert entry is not None
    enclosures = [
        (link.get("href"), link.get("type"), link.get("length"))
        for link in entry.findall(f"{ATOM}link")
        if link.get("rel") == "enclosure"
    ]
    assert enclosures == [
        ("https://hub.test/media/huddle.jpg", "image/jpeg", "91000"),
        ("https://hub.test/media/notes.png", "image/png", "12000"),
    ]
    assert (
        '<img src="https://hub.test/media/huddle.jpg" alt="Six people around a table" '
        'width="1200" height="800">' in _text(entry, f"{ATOM}content")
    )
    rss = parse_feed((await client.get("/@org/feed.rss")).content)
    enclosure = rss.find("channel/item/enclosure")
    assert enclosure is not None
    assert enclosure.attrib == {
        "url": "https://hub.test/media/huddle.jpg",
        "length": "91000",
        "type": "image/jpeg",
    }


@pytest.mark.parametrize("feed", ["feed.atom", "feed.rss"])
async def test_feeds_escape_markup_and_control_of_hostile_titles(
    client: httpx.AsyncClient, ctx: HubContext, org: Actor, feed: str
) -> None:
    title = 'Tom & Jerry\'s <b>"guide"</b> ]]> &amp;'
    await add_post(
        ctx, org, title=title, summary="a < b & c", images=[Image("q.jpg", 'say "hi" <now>')]
    )
    root = parse_feed((await client.get(f"/@org/{feed}")).content)
    titles = [element.text for element in root.iter() if element.tag in ("title", f"{ATOM}title")]
    assert title in titles


@pytest.mark.parametrize("feed", ["feed.atom", "feed.rss"])
async def test_feeds_hold_the_latest_twenty_posts(
    client: httpx.AsyncClient, ctx: HubContext, org: Actor, feed: str
) -> None:
    for n in range(22):
        await add_post(ctx, org, title=f"Post {n}", published_at=START + timedelta(hours=n))
    root = parse_feed((await client.get(f"/@org/{feed}")).content)
    entries = [element for element in root.iter() if element.tag in ("item", f"{ATOM}entry")]
    assert len(entries) == 20


@pytest.mark.parametrize("feed", ["feed.atom", "feed.rss"])
async def test_feed_of_an_actor_without_posts_is_valid_and_empty(
    client: httpx.AsyncClient, org: Actor, feed: str
) -> None:
    response = await client.get(f"/@org/{feed}")
    assert response.status_code == 200
    root = parse_feed(response.content)
    assert [element for element in root.iter() if element.tag in ("item", f"{ATOM}entry")] == []


async def test_feed_of_an_unknown_actor_is_not_found(client: httpx.AsyncClient) -> None:
    assert (await client.get("/@nobody/feed.atom")).status_code == 404


async def test_edited_post_updates_the_atom_entry(
    client: httpx.AsyncClient, ctx: HubContext, org: Actor
) -> None:
    await add_seed_posts(ctx, org, SEED_POSTS[:1])
    await add_post(
        ctx, org, title="Edited", published_at=START, updated_at=START + timedelta(days=3)
    )
    atom = parse_feed((await client.get("/@org/feed.atom")).content)
    assert _text(atom, f"{ATOM}updated") == "2026-03-04T09:00:00Z"
    updated = [_text(entry, f"{ATOM}updated") for entry in atom.findall(f"{ATOM}entry")]
    assert "2026-03-04T09:00:00Z" in updated


@pytest.mark.parametrize("feed", ["feed.atom", "feed.rss"])
async def test_feeds_drop_characters_xml_cannot_hold(
    client: httpx.AsyncClient, ctx: HubContext, org: Actor, feed: str
) -> None:
    await add_post(ctx, org, title="Tab\there, vertical\x0btab, escape\x1b", summary="\x0c")
    root = parse_feed((await client.get(f"/@org/{feed}")).content)
    titles = [element.text for element in root.iter() if element.tag in ("title", f"{ATOM}title")]
    assert "Tab\there, verticaltab, escape" in titles
