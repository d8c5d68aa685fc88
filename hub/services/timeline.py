"""Read our published posts for the public: an actor's, the latest, by tag, by series.

Every list is a keyset page, newest first, ordered by (published_at, id) and walked down an
index (see the indexes on `posts` and `post_tags`); nothing counts or offsets, so a page
costs the same on a young Hub and on one with years of posts. Which posts show where is
decided in `hub.services.listing`.
"""

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select, SelectOfScalar

from hub.context import HubContext
from hub.models import Actor, MediaAttachment, Post, PostTag
from hub.services.errors import InvalidInput, NotFound
from hub.services.listing import LISTED_VISIBILITIES, PAGE_VISIBILITIES, tag_key
from hub.services.markdown import TAG_PATTERN
from hub.services.post_views import PostView, build_post_view

PAGE_SIZE = 20
FEED_SIZE = 20
MAX_PAGE_SIZE = 100
CURSOR_PATTERN = re.compile(r"^(\d{1,17})-(\d{1,18})$")
SERIES_SLUG_PATTERN = re.compile(r"^[\w-]{1,128}$")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Cursor:
    """A position in a newest-first list: the last post shown, by time and then id."""

    published_at: datetime
    post_id: int

    def encode(self) -> str:
        """Return the cursor as it goes in a URL: `{microseconds since 1970}-{id}`."""
        micros = (self.published_at - EPOCH) // timedelta(microseconds=1)
        return f"{micros}-{self.post_id}"


@dataclass(frozen=True)
class PostPage:
    """One page of posts and the cursor of the next (older) page, if there is one."""

    posts: tuple[PostView, ...]
    next_cursor: str | None


@dataclass(frozen=True)
class SeriesPage:
    """One page of a series, with the series' name as its posts carry it."""

    name: str
    page: PostPage


def parse_cursor(raw: str | None) -> Cursor | None:
    """Return the cursor a `before=` query value names, or None when absent.

    Raises:
        InvalidInput: the value is not a cursor this Hub made.
    """
    if raw is None:
        return None
    match = CURSOR_PATTERN.match(raw)
    if match is None:
        raise InvalidInput("before", "is not a valid page position")
    micros, post_id = int(match.group(1)), int(match.group(2))
    try:
        published_at = EPOCH + timedelta(microseconds=micros)
    except OverflowError:
        raise InvalidInput("before", "is not a valid page position") from None
    if published_at.year > 9999 or post_id > 2**62:
        raise InvalidInput("before", "is not a valid page position")
    return Cursor(published_at, post_id)


def _shown(visibilities: Sequence[str]) -> list[Any]:
    return [
        col(Post.state) == "published",
        col(Post.deleted_at).is_(None),
        col(Post.visibility).in_(visibilities),
    ]


def _older_than(before: Cursor | None, published: Any, post_id: Any) -> list[Any]:
    if before is None:
        return []
    return [sa.tuple_(published, post_id) < (before.published_at, before.post_id)]


async def _media_of(session: AsyncSession, post_ids: list[int]) -> dict[int, list[MediaAttachment]]:
    """Return the attachments of a page's posts in display order, in one query."""
    by_post: dict[int, list[MediaAttachment]] = defaultdict(list)
    if not post_ids:
        return by_post
    statement = (
        select(MediaAttachment)
        .where(col(MediaAttachment.post_id).in_(post_ids))
        .order_by(col(MediaAttachment.post_id), col(MediaAttachment.position))
    )
    for attachment in (await session.exec(statement)).all():
        assert attachment.post_id is not None  # noqa: S101 - filtered by post_id above
        by_post[attachment.post_id].append(attachment)
    return by_post


async def _page(
    ctx: HubContext, session: AsyncSession, rows: Sequence[tuple[Post, Actor]], limit: int
) -> PostPage:
    shown = list(rows[:limit])
    media = await _media_of(session, [post.id for post, _ in shown if post.id is not None])
    views = tuple(
        build_post_view(ctx.settings, author, post, media.get(post.id or 0, []))
        for post, author in shown
    )
    next_cursor = None
    if len(rows) > limit and shown:
        last_post = shown[-1][0]
        assert last_post.id is not None  # noqa: S101 - a stored row
        next_cursor = Cursor(last_post.published_at, last_post.id).encode()
    return PostPage(posts=views, next_cursor=next_cursor)


def _check_limit(limit: int) -> int:
    return max(1, min(limit, MAX_PAGE_SIZE))


async def actor_posts(
    ctx: HubContext,
    actor: Actor,
    *,
    before: Cursor | None = None,
    limit: int = PAGE_SIZE,
    include_unlisted: bool = True,
) -> PostPage:
    """Return a page of an actor's published posts: public and, on its profile, unlisted."""
    limit = _check_limit(limit)
    assert actor.id is not None  # noqa: S101 - a stored actor
    statement = actor_posts_query(actor.id, before, limit + 1, include_unlisted=include_unlisted)
    async with ctx.sessions() as session:
        posts = (await session.exec(statement)).all()
        return await _page(ctx, session, [(post, actor) for post in posts], limit)


async def feed_posts(ctx: HubContext, actor: Actor, *, limit: int = FEED_SIZE) -> list[PostView]:
    """Return an actor's latest public posts for its feeds (unlisted ones stay out)."""
    page = await actor_posts(ctx, actor, limit=limit, include_unlisted=False)
    return list(page.posts)


async def latest_posts(
    ctx: HubContext, *, before: Cursor | None = None, limit: int = PAGE_SIZE
) -> PostPage:
    """Return a page of the latest public posts of all our actors, for the home page."""
    limit = _check_limit(limit)
    statement = latest_posts_query(before, limit + 1)
    async with ctx.sessions() as session:
        rows = (await session.exec(statement)).all()
        return await _page(ctx, session, rows, limit)


def normalise_tag(raw: str) -> str:
    """Return the tag a tag page URL names, lowercase.

    Raises:
        NotFound: it cannot be a tag (so there can be no page for it).
    """
    name = tag_key(raw)
    if not TAG_PATTERN.match(name) or name.isdigit():
        raise NotFound("no such tag")
    return name


async def tag_posts(
    ctx: HubContext, tag: str, *, before: Cursor | None = None, limit: int = PAGE_SIZE
) -> PostPage:
    """Return a page of our public posts with a tag (any case), through the tag index."""
    limit = _check_limit(limit)
    statement = tag_posts_query(normalise_tag(tag), before, limit + 1)
    async with ctx.sessions() as session:
        rows = (await session.exec(statement)).all()
        return await _page(ctx, session, rows, limit)


async def series_posts(
    ctx: HubContext,
    actor: Actor,
    series_slug: str,
    *,
    before: Cursor | None = None,
    limit: int = PAGE_SIZE,
) -> SeriesPage:
    """Return a page of an actor's public posts in one series.

    Raises:
        NotFound: the actor has no public post in that series.
    """
    limit = _check_limit(limit)
    if not SERIES_SLUG_PATTERN.match(series_slug):
        raise NotFound("no such series")
    assert actor.id is not None  # noqa: S101 - a stored actor
    statement = series_posts_query(actor.id, series_slug, before, limit + 1)
    async with ctx.sessions() as session:
        posts = (await session.exec(statement)).all()
        page = await _page(ctx, session, [(post, actor) for post in posts], limit)
        # An older page still shows the name; take it from the newest post of the series.
        newest = posts[0] if posts else None
        if before is not None:
            first = series_posts_query(actor.id, series_slug, None, 1)
            newest = (await session.exec(first)).first()
    if newest is None:
        raise NotFound("no such series")
    return SeriesPage(name=newest.series, page=page)


async def post_view(ctx: HubContext, author: Actor, post: Post) -> PostView:
    """Return the view of one post with its images."""
    async with ctx.sessions() as session:
        media = await _media_of(session, [post.id] if post.id is not None else [])
    return build_post_view(ctx.settings, author, post, media.get(post.id or 0, []))


def newest_change(posts: Sequence[PostView]) -> datetime | None:
    """Return when the latest of these posts last changed (for feeds' `updated`)."""
    times = [post.last_changed_at for post in posts if post.last_changed_at is not None]
    return max(times, default=None)


# The queries, apart so that tests can check each walks an index instead of sorting a table.


def _newest_first(statement: Any, published: Any, post_id: Any, limit: int) -> Any:
    return statement.order_by(published.desc(), post_id.desc()).limit(limit)


def actor_posts_query(
    actor_id: int, before: Cursor | None, limit: int, *, include_unlisted: bool = True
) -> SelectOfScalar[Post]:
    """Return the query of an actor's shown posts (index ix_posts_actor_published)."""
    visibilities = PAGE_VISIBILITIES if include_unlisted else LISTED_VISIBILITIES
    statement = (
        select(Post)
        .where(col(Post.actor_id) == actor_id, *_shown(visibilities))
        .where(*_older_than(before, col(Post.published_at), col(Post.id)))
    )
    result: SelectOfScalar[Post] = _newest_first(
        statement, col(Post.published_at), col(Post.id), limit
    )
    return result


def latest_posts_query(before: Cursor | None, limit: int) -> Select[Post, Actor]:
    """Return the query of all local public posts (index ix_posts_local_published)."""
    statement = (
        select(Post, Actor)
        .join(Actor, col(Actor.id) == col(Post.actor_id))
        .where(col(Post.is_local).is_(True), *_shown(LISTED_VISIBILITIES))
        .where(col(Actor.deleted_at).is_(None))
        .where(*_older_than(before, col(Post.published_at), col(Post.id)))
    )
    result: Select[Post, Actor] = _newest_first(
        statement, col(Post.published_at), col(Post.id), limit
    )
    return result


def tag_posts_query(tag: str, before: Cursor | None, limit: int) -> Select[Post, Actor]:
    """Return the query of public posts with a lowercase tag (index ix_post_tags_tag_published)."""
    statement = (
        select(Post, Actor)
        .join(PostTag, col(PostTag.post_id) == col(Post.id))
        .join(Actor, col(Actor.id) == col(Post.actor_id))
        .where(col(PostTag.tag) == tag, col(Post.is_local).is_(True))
        .where(*_shown(LISTED_VISIBILITIES), col(Actor.deleted_at).is_(None))
        .where(*_older_than(before, col(PostTag.published_at), col(PostTag.post_id)))
    )
    result: Select[Post, Actor] = _newest_first(
        statement, col(PostTag.published_at), col(PostTag.post_id), limit
    )
    return result


def series_posts_query(
    actor_id: int, series_slug: str, before: Cursor | None, limit: int
) -> SelectOfScalar[Post]:
    """Return the query of an actor's public posts in a series (ix_posts_actor_series_published)."""
    statement = (
        select(Post)
        .where(col(Post.actor_id) == actor_id, col(Post.series_slug) == series_slug)
        .where(*_shown(LISTED_VISIBILITIES))
        .where(*_older_than(before, col(Post.published_at), col(Post.id)))
    )
    result: SelectOfScalar[Post] = _newest_first(
        statement, col(Post.published_at), col(Post.id), limit
    )
    return result
