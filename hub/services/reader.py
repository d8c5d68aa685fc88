"""The reader ("From the field"): what the actors we follow publish and boost, newest first.

Pages are keyset pages over `timeline_entries` (see `hub.models.timeline`): all entries by
primary key, one source actor's by `ix_timeline_entries_source`, one tag's by the primary
key of `timeline_tags`. Nothing counts or offsets, so a page costs the same with a hundred
entries or millions. Remote HTML was sanitised when it arrived; titles and summaries are
shown as plain text.
"""

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

import nh3
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hub.context import HubContext
from hub.models import Actor, Interaction, MediaAttachment, Post, TimelineEntry, TimelineTag
from hub.services.actors import ActorSummary, summarise
from hub.services.errors import InvalidInput, NotFound

PAGE_SIZE = 20
MAX_CURSOR = 2**62
MAX_TAG_LENGTH = 100
_BLOCK_BOUNDARY = re.compile(r"<(?:br|/p|/li|/h[1-6]|/blockquote)\b[^>]*>", re.IGNORECASE)


def html_to_text(fragment: str) -> str:
    """Return the text of an HTML fragment, for fields shown as plain text (AS2 summaries)."""
    spaced = _BLOCK_BOUNDARY.sub(" ", fragment)
    return " ".join(html.unescape(nh3.clean(spaced, tags=set())).split())


def web_link(url: str | None) -> str | None:
    """Return `url` when it is an http(s) address a page may link to, else None."""
    if url is None:
        return None
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.netloc else None


@dataclass(frozen=True)
class ReaderMedia:
    """One media attachment of a remote post: its remote URL and alt text."""

    url: str
    alt: str
    media_type: str
    width: int | None
    height: int | None

    @property
    def is_image(self) -> bool:
        """Return whether a page may show it as an image (others are linked)."""
        return self.media_type.startswith("image/") or self.media_type == ""


@dataclass(frozen=True)
class ReaderItem:
    """One timeline entry as the reader shows it; the contract of `partials/reader_item.html`.

    `title`, `summary` and `content_warning` are plain text (templates escape them);
    `body_html` was sanitised with nh3 when the post arrived.
    """

    entry_id: int
    anchor: str
    post_ap_id: str
    link: str | None  # the post's page at its origin, when it is an http(s) URL
    object_type: str
    title: str
    summary: str
    body_html: str
    content_warning: str
    is_sensitive: bool
    author: ActorSummary
    booster: ActorSummary | None
    published_at: datetime
    edited_at: datetime | None
    in_reply_to: str | None
    tags: tuple[str, ...]
    media: tuple[ReaderMedia, ...]
    language: str | None
    visibility: str
    is_liked: bool  # by the actor the reader is read as
    is_boosted: bool

    @property
    def can_boost(self) -> bool:
        """Return whether the post may be boosted (only public and unlisted ones can)."""
        return self.visibility in ("public", "unlisted")


@dataclass(frozen=True)
class ReaderPage:
    """One page of the reader and the cursor of the next (older) one."""

    items: tuple[ReaderItem, ...]
    next_cursor: int | None


def parse_cursor(raw: str | None) -> int | None:
    """Return the entry id a page starts below, from `?before=`.

    Raises:
        InvalidInput: not a positive integer.
    """
    if raw is None or raw == "":
        return None
    if not raw.isdigit() or int(raw) > MAX_CURSOR:
        raise InvalidInput("before", "must be a positive integer")
    return int(raw)


def normalise_reader_tag(raw: str | None) -> str | None:
    """Return a tag filter as entries are indexed: lowercase, without '#'; None for none."""
    if raw is None:
        return None
    tag = raw.strip().lstrip("#").lower()
    if not tag:
        return None
    if len(tag) > MAX_TAG_LENGTH:
        raise InvalidInput("tag", f"must be at most {MAX_TAG_LENGTH} characters")
    return tag


async def find_source_actor(ctx: HubContext, handle: str) -> Actor:
    """Return the remote actor a reader filter names by `user@host`.

    Raises:
        NotFound: no actor with that handle is known here.
    """
    username, _, domain = handle.strip().lstrip("@").partition("@")
    if not username or not domain:
        raise NotFound(f"no actor called {handle!r} is known here")
    async with ctx.sessions() as session:
        statement = (
            select(Actor)
            .where(Actor.domain == domain.lower(), Actor.username == username)
            .where(col(Actor.is_local).is_(False))
            .order_by(col(Actor.id))
            .limit(1)
        )
        actor = (await session.exec(statement)).first()
    if actor is None:
        raise NotFound(f"no actor called {handle!r} is known here")
    return actor


async def reader_page(
    ctx: HubContext,
    *,
    before: int | None = None,
    tag: str | None = None,
    source: Actor | None = None,
    reading_as: Actor | None = None,
    page_size: int = PAGE_SIZE,
) -> ReaderPage:
    """Return the newest timeline entries below the cursor, filtered by tag or source actor.

    `reading_as` is the local actor whose likes and boosts the items show.
    """
    statement = select(TimelineEntry)
    entry_id = col(TimelineEntry.id)
    if tag is not None:
        statement = statement.join(TimelineTag, col(TimelineTag.entry_id) == entry_id).where(
            TimelineTag.tag == tag
        )
        entry_id = col(TimelineTag.entry_id)
    if source is not None:
        statement = statement.where(TimelineEntry.source_actor_id == source.id)
    if before is not None:
        statement = statement.where(entry_id < before)
    statement = statement.order_by(entry_id.desc()).limit(page_size + 1)
    async with ctx.sessions() as session:
        entries = list((await session.exec(statement)).all())
        shown = entries[:page_size]
        items = await _items(session, shown, reading_as)
    next_cursor = shown[-1].id if len(entries) > page_size and shown else None
    return ReaderPage(items=tuple(items), next_cursor=next_cursor)


async def reader_item(ctx: HubContext, entry_id: int, *, reading_as: Actor | None) -> ReaderItem:
    """Return one timeline entry (for replying to it).

    Raises:
        NotFound: no such entry, or its post was deleted.
    """
    async with ctx.sessions() as session:
        entry = await session.get(TimelineEntry, entry_id)
        items = [] if entry is None else await _items(session, [entry], reading_as)
    if not items:
        raise NotFound("that post is no longer in the reader")
    return items[0]


async def _items(
    session: AsyncSession, entries: Sequence[TimelineEntry], reading_as: Actor | None
) -> list[ReaderItem]:
    if not entries:
        return []
    post_ids = list({entry.post_id for entry in entries})
    posts = {
        post.id: post
        for post in (await session.exec(select(Post).where(col(Post.id).in_(post_ids)))).all()
    }
    actor_ids = {entry.source_actor_id for entry in entries} | {
        post.actor_id for post in posts.values()
    }
    actors = {
        actor.id: actor
        for actor in (await session.exec(select(Actor).where(col(Actor.id).in_(actor_ids)))).all()
    }
    media: dict[int, list[MediaAttachment]] = {}
    for attachment in (
        await session.exec(
            select(MediaAttachment)
            .where(col(MediaAttachment.post_id).in_(post_ids))
            .order_by(col(MediaAttachment.position))
        )
    ).all():
        if attachment.post_id is not None:
            media.setdefault(attachment.post_id, []).append(attachment)
    reactions: set[tuple[int | None, str]] = set()
    if reading_as is not None:
        rows = await session.exec(
            select(Interaction.post_id, Interaction.kind).where(
                Interaction.actor_id == reading_as.id, col(Interaction.post_id).in_(post_ids)
            )
        )
        reactions = {(post_id, kind) for post_id, kind in rows.all()}
    items = []
    for entry in entries:
        post = posts.get(entry.post_id)
        # A reply staff rejected stays out of the reader too (it may come back as a boost).
        if post is None or post.deleted_at is not None or post.approval == "rejected":
            continue
        if entry.id is None:
            continue
        author = actors.get(post.actor_id)
        source = actors.get(entry.source_actor_id)
        if author is None or source is None:
            continue
        items.append(
            _item(
                entry.id,
                post,
                author,
                source if entry.is_boost else None,
                media.get(entry.post_id, []),
                is_liked=(post.id, "like") in reactions,
                is_boosted=(post.id, "announce") in reactions,
            )
        )
    return items


def _item(
    entry_id: int,
    post: Post,
    author: Actor,
    booster: Actor | None,
    media: Sequence[MediaAttachment],
    *,
    is_liked: bool,
    is_boosted: bool,
) -> ReaderItem:
    edited_at = post.updated_at if post.updated_at not in (None, post.published_at) else None
    summary = html_to_text(post.summary)
    return ReaderItem(
        entry_id=entry_id,
        anchor=f"entry-{entry_id}",
        post_ap_id=post.ap_id,
        link=web_link(post.html_url) or web_link(post.ap_id),
        object_type=post.object_type,
        title=post.title,
        # On a Note, Mastodon's summary is its content warning, not a teaser.
        summary="" if post.content_warning else summary,
        body_html=post.content_html,
        content_warning=html_to_text(post.content_warning),
        is_sensitive=post.is_sensitive,
        author=_remote_summary(author),
        booster=None if booster is None else _remote_summary(booster),
        published_at=post.published_at,
        edited_at=edited_at,
        in_reply_to=web_link(post.in_reply_to),
        tags=tuple(dict.fromkeys(name.lstrip("#") for name in post.tags if name.strip())),
        media=tuple(
            ReaderMedia(
                url=attachment.remote_url or "",
                alt=attachment.description,
                media_type=attachment.media_type,
                width=attachment.width,
                height=attachment.height,
            )
            for attachment in media
            if web_link(attachment.remote_url)
        ),
        language=post.language,
        visibility=post.visibility,
        is_liked=is_liked,
        is_boosted=is_boosted,
    )


def _remote_summary(actor: Actor) -> ActorSummary:
    summary = summarise(actor)
    link = web_link(summary.html_url) or web_link(actor.ap_id) or ""
    return ActorSummary(
        username=summary.username,
        handle=summary.handle,
        actor_type=summary.actor_type,
        display_name=summary.display_name,
        ap_id=summary.ap_id,
        html_url=link,
    )
