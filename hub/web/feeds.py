"""Atom and RSS 2.0 feeds of an actor's latest public posts, built with a real XML writer."""

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from xml.etree import ElementTree as ET

from starlette.requests import Request
from starlette.responses import Response

from hub.services.actors import ActorSummary, summarise
from hub.services.post_views import PostView
from hub.services.timeline import feed_posts, newest_change
from hub.web.app_state import hub_context
from hub.web.caching import FEED_MAX_AGE, cacheable
from hub.web.paths import actor_from_path

ATOM_NS = "http://www.w3.org/2005/Atom"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
RSS_TYPE = "application/rss+xml; charset=utf-8"
GENERATOR = "Hub"
# Characters XML 1.0 cannot carry at all, even escaped (control characters other than tab,
# newline and carriage return); a title pasted with one must not make the whole feed invalid.
NOT_XML_CHARACTERS = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class Feed:
    """What both feed formats say about one actor."""

    author: ActorSummary
    title: str
    description: str
    self_url: str
    updated_at: datetime
    posts: Sequence[PostView]


def post_html(post: PostView, *, with_summary: bool) -> str:
    """Return a post's HTML for feed readers: warning, summary, body, then its images."""
    parts = []
    if post.content_warning:
        warning = html.escape(post.content_warning)
        parts.append(f"<p><strong>Content warning:</strong> {warning}</p>")
    if with_summary and post.summary:
        parts.append(f"<p><strong>In brief</strong> {html.escape(post.summary)}</p>")
    parts.append(post.body_html)
    for image in post.images:
        size = "".join(
            f' {name}="{value}"'
            for name, value in (("width", image.width), ("height", image.height))
            if value
        )
        url, alt = html.escape(image.url), html.escape(image.alt)
        parts.append(f'<p><img src="{url}" alt="{alt}"{size}></p>')
    return "\n".join(parts)


def _atom_date(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def xml_text(text: str) -> str:
    """Return text without the characters XML cannot hold (the writer escapes the rest)."""
    return NOT_XML_CHARACTERS.sub("", text)


def _element(parent: ET.Element, tag: str, attributes: dict[str, str]) -> ET.Element:
    return ET.SubElement(parent, tag, {name: xml_text(value) for name, value in attributes.items()})


def _text(parent: ET.Element, tag: str, text: str, **attributes: str) -> ET.Element:
    element = _element(parent, tag, attributes)
    element.text = xml_text(text)
    return element


def _serialise(root: ET.Element) -> bytes:
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document


def render_atom(feed: Feed) -> bytes:
    """Return the Atom (RFC 4287) document of a feed."""
    root = ET.Element("feed", {"xmlns": ATOM_NS})
    _text(root, "id", feed.self_url)
    _text(root, "title", feed.title)
    _text(root, "subtitle", feed.description)
    _text(root, "updated", _atom_date(feed.updated_at))
    _element(root, "link", {"rel": "self", "type": "application/atom+xml", "href": feed.self_url})
    _element(root, "link", {"rel": "alternate", "type": "text/html", "href": feed.author.html_url})
    author = _element(root, "author", {})
    _text(author, "name", feed.author.display_name)
    _text(author, "uri", feed.author.html_url)
    _text(root, "generator", GENERATOR)
    for post in feed.posts:
        assert post.published_at is not None  # noqa: S101 - feeds list published posts only
        entry = _element(root, "entry", {})
        _text(entry, "id", post.ap_id)
        _text(entry, "title", post.title)
        _element(entry, "link", {"rel": "alternate", "type": "text/html", "href": post.html_url})
        for image in post.images:
            link = {"rel": "enclosure", "type": image.media_type, "href": image.url}
            if image.size_bytes:
                link["length"] = str(image.size_bytes)
            _element(entry, "link", link)
        _text(entry, "published", _atom_date(post.published_at))
        _text(entry, "updated", _atom_date(post.edited_at or post.published_at))
        for tag in post.tags:
            _element(entry, "category", {"term": tag.name, "scheme": tag.url})
        if post.summary:
            _text(entry, "summary", post.summary)
        _text(entry, "content", post_html(post, with_summary=False), type="html")
    return _serialise(root)


def render_rss(feed: Feed) -> bytes:
    """Return the RSS 2.0 document of a feed (RSS allows one enclosure: the first image)."""
    root = ET.Element("rss", {"version": "2.0", "xmlns:atom": ATOM_NS})
    channel = _element(root, "channel", {})
    _text(channel, "title", feed.title)
    _text(channel, "link", feed.author.html_url)
    _text(channel, "description", feed.description)
    _element(
        channel,
        "atom:link",
        {"href": feed.self_url, "rel": "self", "type": "application/rss+xml"},
    )
    _text(channel, "lastBuildDate", format_datetime(feed.updated_at, usegmt=True))
    _text(channel, "generator", GENERATOR)
    for post in feed.posts:
        assert post.published_at is not None  # noqa: S101 - feeds list published posts only
        item = _element(channel, "item", {})
        _text(item, "title", post.title)
        _text(item, "link", post.html_url)
        _text(item, "guid", post.html_url, isPermaLink="true")
        _text(item, "pubDate", format_datetime(post.published_at, usegmt=True))
        for tag in post.tags:
            _text(item, "category", tag.name)
        _text(item, "description", post_html(post, with_summary=True))
        if post.images:
            image = post.images[0]
            _element(
                item,
                "enclosure",
                {"url": image.url, "length": str(image.size_bytes or 0), "type": image.media_type},
            )
    return _serialise(root)


async def _feed(request: Request, extension: str) -> Feed:
    ctx = hub_context(request)
    actor = await actor_from_path(request)
    posts = await feed_posts(ctx, actor)
    author = summarise(actor)
    return Feed(
        author=author,
        title=f"{author.display_name} (@{author.handle})",
        description=f"Latest posts by {author.display_name} on {ctx.settings.host}",
        self_url=ctx.settings.url(f"/@{actor.username}/feed.{extension}"),
        updated_at=newest_change(posts) or actor.published_at,
        posts=posts,
    )


async def atom_feed(request: Request) -> Response:
    """Serve `/@{name}/feed.atom`: the latest public posts as Atom."""
    feed = await _feed(request, "atom")
    response = Response(render_atom(feed), media_type=ATOM_TYPE)
    return cacheable(request, response, max_age=FEED_MAX_AGE, last_modified=feed.updated_at)


async def rss_feed(request: Request) -> Response:
    """Serve `/@{name}/feed.rss`: the latest public posts as RSS 2.0."""
    feed = await _feed(request, "rss")
    response = Response(render_rss(feed), media_type=RSS_TYPE)
    return cacheable(request, response, max_age=FEED_MAX_AGE, last_modified=feed.updated_at)
