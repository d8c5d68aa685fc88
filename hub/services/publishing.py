"""Write and publish posts as one of our actors: drafts, publish now or later, previews.

A post is stored with its federated object already built (`Post.document`), for drafts
too, so the scheduled publication and the Create send what was saved. Publishing writes
the Post, its Create and the fan-out in one transaction. Editing and deleting live in
`services.post_editing` and are re-exported here, so callers find the whole API in one place.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from hub.context import HubContext
from hub.federation.post_activities import record_post_create
from hub.federation.search_index import index_post_text
from hub.models import Actor, MediaAttachment, Post
from hub.services.actors import get_local_actor
from hub.services.errors import Conflict, InvalidInput, NotFound
from hub.services.listing import index_post_tags
from hub.services.markdown import find_mentions
from hub.services.media import media_url
from hub.services.mentions import resolve_mentions
from hub.services.permissions import require_publish_right
from hub.services.post_building import (
    MAX_SCHEDULE_AHEAD,
    CleanInput,
    PostInput,
    Published,
    article_values,
    attach_media,
    attachable_media,
    clean_input,
    fill_post,
    find_own_post,
    new_post,
    post_urls,
)
from hub.services.post_editing import delete_post, edit_post
from hub.services.replies import find_reply_target, reply_title, with_reply_author

__all__ = [
    "MastodonImage",
    "MastodonView",
    "PostInput",
    "PostPreview",
    "Published",
    "article_values",
    "delete_post",
    "edit_post",
    "get_local_post",
    "post_urls",
    "preview_post",
    "publish",
    "publish_post",
    "save_draft",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class MastodonImage:
    """An image as Mastodon shows it: the file and its alt text."""

    url: str
    description: str
    width: int | None
    height: int | None


@dataclass(frozen=True)
class MastodonView:
    """What a Mastodon user sees of the post in a timeline (spec §5.1).

    Article: `title` in bold, the `summary`, then the `link`; the body is not shown.
    Note: `text_html` (title, summary, body and link), hidden behind `content_warning`
    when there is one.
    """

    object_type: str
    title: str
    summary: str
    link: str
    content_warning: str
    text_html: str
    images: tuple[MastodonImage, ...]


@dataclass(frozen=True)
class PostPreview:
    """A post before it is saved: the page's HTML body, the object sent, Mastodon's view."""

    body_html: str
    document: dict[str, Any]
    mastodon: MastodonView


def preview_post(
    ctx: HubContext,
    actor: Actor,
    values: PostInput,
    media: Sequence[MediaAttachment],
    *,
    slug: str | None = None,
) -> PostPreview:
    """Show a post as the Hub's page and Mastodon will, without saving or sending anything.

    Mentions are not looked up here (that needs the network), so they show as plain text
    until the post is saved. `slug` gives an existing post's URLs.

    Raises:
        InvalidInput: as for a draft (over-long fields, bad tags or language).
    """
    clean = clean_input(values, for_publishing=False)
    ap_id, html_url = post_urls(ctx, actor, slug or "preview")
    post = Post(
        ap_id=ap_id,
        actor_id=actor.id or 0,
        is_local=True,
        slug=slug,
        html_url=html_url,
        published_at=ctx.clock(),
    )
    fill_post(ctx, actor, post, clean, mentioned={}, media=media)
    document = post.document or {}
    is_note = document["type"] == "Note"
    view = MastodonView(
        object_type=str(document["type"]),
        title="" if is_note else post.title,
        summary="" if is_note else post.summary,
        link=html_url,
        content_warning=post.content_warning,
        text_html=str(document["content"]) if is_note else "",
        images=tuple(
            MastodonImage(
                url=media_url(ctx, item),
                description=item.description,
                width=item.width,
                height=item.height,
            )
            for item in media[:4]
        ),
    )
    return PostPreview(body_html=post.content_html, document=document, mastodon=view)


async def _unpublished_post(session: AsyncSession, actor: Actor, slug: str) -> Post:
    post = await find_own_post(session, actor, slug)
    if post.state == "published":
        raise Conflict("this post is already published; edit it instead")
    return post


def _check_publish_at(publish_at: datetime | None, now: datetime) -> datetime | None:
    """Return the time to publish at, or None for now."""
    if publish_at is None:
        return None
    if publish_at.tzinfo is None or publish_at.utcoffset() is None:
        raise InvalidInput("publish_at", "needs a time zone")
    if publish_at <= now:
        return None
    if publish_at > now + MAX_SCHEDULE_AHEAD:
        raise InvalidInput("publish_at", "must be within a year")
    return publish_at


async def _prepare(
    ctx: HubContext, actor_name: str, values: PostInput, account_id: int | None, *, publishing: bool
) -> tuple[Actor, CleanInput, dict[str, Actor]]:
    """Check rights and input, and resolve mentions (network), before any transaction.

    A reply mentions the author of the post it answers, and gets a title for our own pages
    when it has none.
    """
    actor = await get_local_actor(ctx, actor_name)
    await require_publish_right(ctx, account_id, actor)
    clean = clean_input(values, for_publishing=publishing)
    mentioned = await resolve_mentions(ctx, find_mentions(clean.body_markdown))
    if clean.in_reply_to is not None:
        target = await find_reply_target(ctx, clean.in_reply_to)
        mentioned = with_reply_author(mentioned, target)
        clean = replace(clean, title=clean.title or reply_title(target))
    return actor, clean, mentioned


async def save_draft(
    ctx: HubContext,
    actor_name: str,
    values: PostInput,
    *,
    account_id: int | None = None,
    slug: str | None = None,
) -> Published:
    """Create a draft, or save an existing draft (a scheduled post becomes a draft again).

    Nothing federates. Alt text is not required yet.

    Raises:
        NotFound, PermissionDenied, InvalidInput; Conflict when `slug` is already published.
    """
    actor, clean, mentioned = await _prepare(ctx, actor_name, values, account_id, publishing=False)
    async with ctx.sessions() as session, session.begin():
        post = None if slug is None else await _unpublished_post(session, actor, slug)
        media = await attachable_media(
            session, clean.media_ids, post, account_id, require_alt=False
        )
        post = post or new_post(ctx, actor, account_id)
        post.state = "draft"
        post.scheduled_at = None
        post.published_at = ctx.clock()
        fill_post(ctx, actor, post, clean, mentioned=mentioned, media=media)
        session.add(post)
        await session.flush()
        await attach_media(session, post, media)
        await index_post_tags(session, post)
        await index_post_text(session, post)
    logger.info("draft saved id=%s actor=%s", post.ap_id, actor.ap_id)
    return Published(
        ap_id=post.ap_id, html_url=post.html_url or "", slug=post.slug or "", state="draft"
    )


async def publish_post(
    ctx: HubContext,
    actor_name: str,
    values: PostInput,
    *,
    account_id: int | None = None,
    slug: str | None = None,
    publish_at: datetime | None = None,
) -> Published:
    """Publish a post now, or schedule it when `publish_at` lies in the future.

    `slug` names an existing draft (or scheduled post) to publish. Now: the Post, its
    Create and the fan-out to followers and mentioned actors commit together. With
    `values.in_reply_to` the post is a reply: a Note answering that post, mentioning and
    sent to its author as well as to our followers. Later: the
    post waits as `scheduled`, and the worker sends it when it falls due; nothing
    federates or shows before then.

    Raises:
        NotFound, PermissionDenied, InvalidInput (missing title or alt text, bad
        `publish_at`, …); Conflict when `slug` is already published.
    """
    now = ctx.clock()
    later = _check_publish_at(publish_at, now)
    actor, clean, mentioned = await _prepare(ctx, actor_name, values, account_id, publishing=True)
    async with ctx.sessions() as session, session.begin():
        post = None if slug is None else await _unpublished_post(session, actor, slug)
        media = await attachable_media(session, clean.media_ids, post, account_id, require_alt=True)
        post = post or new_post(ctx, actor, account_id)
        post.state = "scheduled" if later else "published"
        post.scheduled_at = later
        post.published_at = later or now
        post.updated_at = None
        fill_post(ctx, actor, post, clean, mentioned=mentioned, media=media)
        session.add(post)
        await session.flush()
        await attach_media(session, post, media)
        await index_post_tags(session, post)
        await index_post_text(session, post)
        if later is None:
            await record_post_create(session, actor, post, now)
    logger.info("post %s id=%s actor=%s", post.state, post.ap_id, actor.ap_id)
    return Published(
        ap_id=post.ap_id, html_url=post.html_url or "", slug=post.slug or "", state=post.state
    )


async def publish(
    ctx: HubContext,
    actor_name: str,
    *,
    title: str,
    summary: str,
    body_markdown: str,
    tags: list[str] | None = None,
    visibility: str = "public",
) -> Published:
    """Publish a post now as the system (the command line): a thin wrapper of publish_post."""
    values = PostInput(
        title=title,
        summary=summary,
        body_markdown=body_markdown,
        tags=tuple(tags or ()),
        visibility=visibility,
    )
    return await publish_post(ctx, actor_name, values)


async def get_local_post(ctx: HubContext, actor_name: str, slug: str) -> tuple[Actor, Post]:
    """Return one of our posts (deleted ones too: they answer 410) with its author.

    Raises:
        NotFound: no such actor or post.
    """
    actor = await get_local_actor(ctx, actor_name)
    async with ctx.sessions() as session:
        statement = select(Post).where(Post.slug == slug, Post.actor_id == actor.id)
        post = (await session.exec(statement)).first()
    if post is None:
        raise NotFound("no such post")
    return actor, post
