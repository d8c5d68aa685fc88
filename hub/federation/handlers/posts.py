"""Create, Update and Delete of remote posts: store what our actors follow, sanitised."""

import logging
from datetime import datetime
from typing import Any

import nh3
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hub.activitypub.jsonld import as_list, id_of
from hub.activitypub.objects import RemotePost, parse_post
from hub.context import HubContext
from hub.federation.local_actors import actor_by_ap_id
from hub.federation.remote_actors import get_remote_actor
from hub.models import Actor, Follow, MediaAttachment, Post

logger = logging.getLogger(__name__)

# What Mastodon's own sanitizer keeps (spec §5.3), plus headings and lists for Articles.
ALLOWED_TAGS = {
    "p", "br", "span", "a", "del", "pre", "code", "em", "strong", "b", "i", "u", "ul", "ol",
    "li", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6",
}  # fmt: skip
MAX_TITLE_LENGTH = 1000
ALLOWED_ATTRIBUTES = {"a": {"href", "class"}, "span": {"class"}, "ol": {"start"}}


def sanitise_html(html: str) -> str:
    """Return remote HTML with only harmless tags, attributes and http(s) links left."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https"},
        link_rel="nofollow noopener noreferrer",
    )


async def _is_followed_locally(ctx: HubContext, author: Actor) -> bool:
    async with ctx.sessions() as session:
        statement = (
            select(Follow.id)
            .join(Actor, col(Follow.follower_id) == col(Actor.id))
            .where(Follow.followed_id == author.id, col(Actor.is_local))
            .limit(1)
        )
        return (await session.exec(statement)).first() is not None


async def _is_reply_to_us(ctx: HubContext, post: RemotePost) -> bool:
    if post.in_reply_to is None:
        return False
    async with ctx.sessions() as session:
        statement = select(Post.id).where(Post.ap_id == post.in_reply_to, col(Post.is_local))
        return (await session.exec(statement)).first() is not None


async def _mentions_us(ctx: HubContext, document: Any) -> bool:
    """Return whether the object addresses or mentions one of our actors (spec §5.5)."""
    if not isinstance(document, dict):
        return False
    named = {id_of(item) for key in ("to", "cc") for item in as_list(document.get(key))}
    named |= {
        id_of(tag.get("href"))
        for tag in as_list(document.get("tag"))
        if isinstance(tag, dict) and tag.get("type") == "Mention"
    }
    ids = [item for item in named if item]
    if not ids:
        return False
    async with ctx.sessions() as session:
        statement = select(Actor.id).where(col(Actor.ap_id).in_(ids), col(Actor.is_local)).limit(1)
        return (await session.exec(statement)).first() is not None


async def apply_create(ctx: HubContext, activity: dict[str, Any]) -> None:
    """Store a remote post by an author we follow, or one that mentions or replies to us."""
    actor_id = str(id_of(activity["actor"]))
    post = parse_post(activity.get("object"), expected_author=actor_id)
    author = await get_remote_actor(ctx, actor_id)
    if not (
        await _is_followed_locally(ctx, author)
        or await _is_reply_to_us(ctx, post)
        or await _mentions_us(ctx, activity.get("object"))
    ):
        logger.info("post from an actor nobody here follows ignored id=%s", post.ap_id)
        return
    await _save(ctx, author, post, activity["object"])


async def apply_post_update(ctx: HubContext, activity: dict[str, Any]) -> None:
    """Replace a stored remote post with its edited version."""
    actor_id = str(id_of(activity["actor"]))
    post = parse_post(activity.get("object"), expected_author=actor_id)
    async with ctx.sessions() as session:
        known = (await session.exec(select(Post.id).where(Post.ap_id == post.ap_id))).first()
    if known is None:
        return
    author = await get_remote_actor(ctx, actor_id)
    await _save(ctx, author, post, activity["object"])


async def apply_post_delete(ctx: HubContext, activity: dict[str, Any]) -> None:
    """Mark a remote post deleted; only its own author may delete it."""
    object_id = id_of(activity.get("object"))
    actor_id = str(id_of(activity["actor"]))
    async with ctx.sessions() as session, session.begin():
        author = await actor_by_ap_id(session, actor_id)
        if author is None or object_id is None:
            return
        stored = (
            await session.exec(
                select(Post).where(Post.ap_id == object_id, Post.actor_id == author.id)
            )
        ).first()
        if stored is None or stored.is_local:
            return
        stored.deleted_at = ctx.clock()
        session.add(stored)


async def _save(ctx: HubContext, author: Actor, post: RemotePost, document: Any) -> None:
    assert author.id is not None  # noqa: S101 - a stored actor
    now = ctx.clock()
    async with ctx.sessions() as session, session.begin():
        stored = (await session.exec(select(Post).where(Post.ap_id == post.ap_id))).first()
        if stored is not None and (stored.is_local or stored.actor_id != author.id):
            return
        if stored is None:
            stored = Post(ap_id=post.ap_id, actor_id=author.id, published_at=now)
        stored.object_type = post.object_type
        stored.title = post.title[:MAX_TITLE_LENGTH]  # plain text; templates escape it
        stored.summary = sanitise_html(post.summary)
        stored.content_html = sanitise_html(post.content_html)
        stored.html_url = post.html_url
        stored.in_reply_to = post.in_reply_to
        stored.visibility = post.visibility
        stored.language = post.language
        stored.tags = list(post.tags)
        stored.document = document if isinstance(document, dict) else None
        stored.published_at = post.published_at or stored.published_at
        stored.updated_at = post.updated_at
        stored.content_warning = post.content_warning[:MAX_TITLE_LENGTH]
        stored.is_sensitive = post.is_sensitive or bool(post.content_warning)
        session.add(stored)
        await session.flush()
        await _replace_media(session, stored, post, now)
    logger.info("remote post stored id=%s author=%s", post.ap_id, author.ap_id)


async def _replace_media(
    session: AsyncSession, stored: Post, post: RemotePost, now: datetime
) -> None:
    """Keep the post's remote media rows equal to the attachments of its latest version."""
    assert stored.id is not None  # noqa: S101 - flushed by the caller
    await session.exec(delete(MediaAttachment).where(col(MediaAttachment.post_id) == stored.id))
    for position, attachment in enumerate(post.attachments):
        session.add(
            MediaAttachment(
                post_id=stored.id,
                position=position,
                is_local=False,
                remote_url=attachment.url,
                media_type=attachment.media_type,
                description=attachment.description,
                width=attachment.width,
                height=attachment.height,
                blurhash=attachment.blurhash,
                created_at=now,
            )
        )
