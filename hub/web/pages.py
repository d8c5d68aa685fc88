"""Public HTML pages: home, profiles, posts, tags and series, with their cache headers."""

import html
import re
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from hub.models import Actor, Post
from hub.services.actors import list_local_actors, primary_actor, summarise
from hub.services.collections import collection_total
from hub.services.conversations import conversation_of
from hub.services.profiles import link_views
from hub.services.timeline import (
    actor_posts,
    latest_posts,
    normalise_tag,
    post_view,
    series_posts,
    tag_posts,
)
from hub.web.app_state import hub_context
from hub.web.caching import GONE_MAX_AGE, LIST_MAX_AGE, POST_MAX_AGE, cacheable
from hub.web.paths import actor_from_path, page_cursor
from hub.web.templating import render

# Pages served at negotiated URLs differ by Accept; signed-in people may see more (Cookie).
HTML_HEADERS = {"Vary": "Accept, Cookie"}
DESCRIPTION_LENGTH = 300
_TAGS = re.compile(r"<[^>]*>")


def _older_url(request: Request, next_cursor: str | None) -> str | None:
    if next_cursor is None:
        return None
    return f"{request.url.path}?before={quote(next_cursor)}"


async def home(request: Request) -> Response:
    """Show the Hub's organisation, how to follow it, and the latest public posts."""
    ctx = hub_context(request)
    organisation = await primary_actor(ctx)
    actors = await list_local_actors(ctx)
    page = await latest_posts(ctx, before=page_cursor(request))
    response = render(
        request,
        "home.html",
        {
            "organisation": None if organisation is None else summarise(organisation),
            "organisation_summary_html": "" if organisation is None else organisation.summary_html,
            "actors": actors,
            "posts": page.posts,
            "older_url": _older_url(request, page.next_cursor),
            "is_first_page": "before" not in request.query_params,
        },
        headers={"Vary": "Cookie"},
    )
    return cacheable(request, response, max_age=LIST_MAX_AGE)


async def render_profile(request: Request, actor: Actor) -> Response:
    """Render an actor's profile: handle, how to follow, feeds and a page of its posts."""
    ctx = hub_context(request)
    page = await actor_posts(ctx, actor, before=page_cursor(request))
    username = actor.username
    response = render(
        request,
        "profile.html",
        {
            "actor": summarise(actor),
            "summary_html": actor.summary_html,
            "avatar_url": actor.icon_url,
            "links": link_views(actor),
            "followers": await collection_total(ctx, actor, "followers"),
            "following": await collection_total(ctx, actor, "following"),
            "posts": page.posts,
            "older_url": _older_url(request, page.next_cursor),
            "atom_url": ctx.settings.url(f"/@{username}/feed.atom"),
            "rss_url": ctx.settings.url(f"/@{username}/feed.rss"),
        },
        headers=HTML_HEADERS,
    )
    return cacheable(request, response, max_age=LIST_MAX_AGE)


def plain_description(summary: str, body_html: str) -> str:
    """Return the text a link preview shows: the summary, else the start of the body."""
    text = summary.strip() or html.unescape(_TAGS.sub(" ", body_html))
    text = " ".join(text.split())
    if len(text) <= DESCRIPTION_LENGTH:
        return text
    return text[: DESCRIPTION_LENGTH - 1].rsplit(" ", 1)[0] + "…"


async def render_post_page(request: Request, author: Actor, post: Post) -> Response:
    """Render the page of a published post with its conversation, preview and attribution data."""
    ctx = hub_context(request)
    view = await post_view(ctx, author, post)
    conversation = await conversation_of(ctx, post)
    response = render(
        request,
        "post.html",
        {
            "post": view,
            "description": plain_description(view.summary, view.body_html),
            "conversation": conversation,
        },
        headers=HTML_HEADERS,
    )
    # Replies, likes and boosts change the page without changing the post, and an approval
    # or an Undo leaves no later time behind: such pages are revalidated by ETag alone.
    last_modified = None if conversation.has_reactions else view.last_changed_at
    return cacheable(request, response, max_age=POST_MAX_AGE, last_modified=last_modified)


def render_deleted_post(request: Request, author: Actor) -> Response:
    """Render the short 410 page that replaces a deleted post."""
    response = render(
        request,
        "post_deleted.html",
        {"actor": summarise(author)},
        status_code=410,
        headers=HTML_HEADERS,
    )
    return cacheable(request, response, max_age=GONE_MAX_AGE)


async def tag_page(request: Request) -> Response:
    """Show our public posts with one tag, newest first."""
    ctx = hub_context(request)
    tag = normalise_tag(request.path_params["tag"])
    page = await tag_posts(ctx, tag, before=page_cursor(request))
    response = render(
        request,
        "tag.html",
        {"tag": tag, "posts": page.posts, "older_url": _older_url(request, page.next_cursor)},
        headers={"Vary": "Cookie"},
    )
    return cacheable(request, response, max_age=LIST_MAX_AGE)


async def series_page(request: Request) -> Response:
    """Show an actor's public posts in one series, newest first."""
    ctx = hub_context(request)
    actor = await actor_from_path(request)
    series = await series_posts(
        ctx, actor, request.path_params["series_slug"], before=page_cursor(request)
    )
    response = render(
        request,
        "series.html",
        {
            "actor": summarise(actor),
            "series_name": series.name,
            "posts": series.page.posts,
            "older_url": _older_url(request, series.page.next_cursor),
        },
        headers={"Vary": "Cookie"},
    )
    return cacheable(request, response, max_age=LIST_MAX_AGE)
