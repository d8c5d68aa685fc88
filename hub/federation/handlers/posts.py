"""Create, Update and Delete of remote posts: store what our actors follow, sanitised.

What is stored feeds the reader's timeline (`hub.federation.timeline`) and staff
notifications of replies and mentions, in the same transaction."""

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
from hub.federation.notifications import record_notification
from hub.federation.reactions import record_unboost
from hub.federation.remote_actors import get_remote_actor
from hub.federation.timeline import (
    add_timeline_entry,
    refresh_timeline_tags,
    remove_post_from_timeline,
)
from hub.models import Actor, Follow, Interaction, MediaAttachment, Post

logger = logging.getLogger(__name__)

# What Mastodon's own sanitizer keeps (spec §5.3), plus headings and lists for Articles.
ALLOWED_TAGS = {
    "p", "br", "span", "a", "del", "pre", "code", "em", "strong", "b", "i", "u", "ul", "ol",
    "li", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6",
}  # fmt: skip
MAX_TITLE_LENGTH = 1000
# Mastodon delivers a post to at most a few hundred mentions; we look up that many at most.
MAX_NAMED_ACTORS = 500
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


async def is_followed_locally(ctx: HubContext, author: Actor) -> bool:
    """Return whether one of our actors follows (or asked to follow) this actor."""
    async with ctx.sessions() as session:
        statement = (
            select(Follow.id)
            .join(Actor, col(Follow.follower_id) == col(Actor.id))
            .where(Follow.followed_id == author.id, col(Actor.is_local))
            .limit(1)
        )
        return (await session.exec(statement)).first() is not None


async def _replied_local_post(ctx: HubContext, post: RemotePost) -> tuple[Post, Actor] | None:
    """Return our post (and its author) that this post replies to, if it replies to one."""
    if post.in_reply_to is None:
        return None
    async with ctx.sessions() as session:
        statement = (
            select(Post, Actor)
            .join(Actor, col(Post.actor_id) == col(Actor.id))
            .where(Post.ap_id == post.in_reply_to, col(Post.is_local))
        )
        found = (await session.exec(statement)).first()
    return None if found is None else (found[0], found[1])


async def _local_actors_named(ctx: HubContext, document: Any) -> list[Actor]:
    """Return our actors the object addresses or mentions (spec §5.5)."""
    if not isinstance(document, dict):
        return []
    named = {id_of(item) for key in ("to", "cc") for item in as_list(document.get(key))}
    named |= {
        id_of(tag.get("href"))
        for tag in as_list(document.get("tag"))
        if isinstance(tag, dict) and tag.get("type") == "Mention"
    }
    ids = [item for item in named if item]
    if not ids:
        return []
    async with ctx.sessions() as session:
        statement = select(Actor).where(
            col(Actor.ap_id).in_(ids[:MAX_NAMED_ACTORS]),
            col(Actor.is_local),
            col(Actor.is_instance_actor).is_(False),
            col(Actor.deleted_at).is_(None),
        )
        return list((await session.exec(statement)).all())


async def apply_create(ctx: HubContext, activity: dict[str, Any]) -> None:
    """Store a remote post by an author we follow, or one that mentions or replies to us.

    A followed author's post joins the reader's timeline; a new reply to one of our posts
    and a new mention of one of our actors notify staff; all in the transaction that
    stores the post.
    """
    actor_id = str(id_of(activity["actor"]))
    post = parse_post(activity.get("object"), expected_author=actor_id)
    author = await get_remote_actor(ctx, actor_id)
    is_followed = await is_followed_locally(ctx, author)
    parent = await _replied_local_post(ctx, post)
    named = await _local_actors_named(ctx, activity.get("object"))
    if not (is_followed or parent is not None or named):
        logger.info("post from an actor nobody here follows ignored id=%s", post.ap_id)
        return
    now = ctx.clock()
    async with ctx.sessions() as session, session.begin():
        saved = await store_remote_post(session, author, post, activity["object"], now)
        if saved is None:
            return
        stored, is_new = saved
        if is_followed:
            await add_timeline_entry(session, stored, author, now=now)
        if is_new:
            _notify_reply_and_mentions(session, stored, author, parent, named, activity, now)
    logger.info("remote post stored id=%s author=%s", post.ap_id, author.ap_id)


def _notify_reply_and_mentions(
    session: AsyncSession,
    stored: Post,
    author: Actor,
    parent: tuple[Post, Actor] | None,
    named: list[Actor],
    activity: dict[str, Any],
    now: datetime,
) -> None:
    notified: set[int | None] = set()
    if parent is not None:
        _, parent_author = parent
        record_notification(
            session, kind="reply", local_actor=parent_author, remote_actor=author, now=now,
            post_id=stored.id, activity_ap_id=str(activity["id"]),
        )  # fmt: skip
        notified.add(parent_author.id)
    for local_actor in named:
        if local_actor.id in notified:
            continue
        notified.add(local_actor.id)
        record_notification(
            session, kind="mention", local_actor=local_actor, remote_actor=author, now=now,
            post_id=stored.id, activity_ap_id=str(activity["id"]),
        )  # fmt: skip


async def apply_post_update(ctx: HubContext, activity: dict[str, Any]) -> None:
    """Replace a stored remote post with its edited version (the reader marks it edited)."""
    actor_id = str(id_of(activity["actor"]))
    post = parse_post(activity.get("object"), expected_author=actor_id)
    async with ctx.sessions() as session:
        known = (await session.exec(select(Post.id).where(Post.ap_id == post.ap_id))).first()
    if known is None:
        return
    author = await get_remote_actor(ctx, actor_id)
    async with ctx.sessions() as session, session.begin():
        saved = await store_remote_post(session, author, post, activity["object"], ctx.clock())
        if saved is not None:
            await refresh_timeline_tags(session, saved[0])
    logger.info("remote post updated id=%s author=%s", post.ap_id, author.ap_id)


async def apply_post_delete(ctx: HubContext, activity: dict[str, Any]) -> None:
    """Mark a remote post deleted and take it out of the reader; only its author may.

    Our own boosts of it are undone.
    """
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
        if stored is None or stored.is_local or stored.id is None:
            return
        now = ctx.clock()
        stored.deleted_at = now
        session.add(stored)
        await remove_post_from_timeline(session, stored.id)
        await _withdraw_our_boosts(session, stored, author, now)


async def _withdraw_our_boosts(
    session: AsyncSession, post: Post, author: Actor, now: datetime
) -> None:
    """Undo our actors' boosts of a deleted post, so it leaves our followers' timelines too.

    The author's Delete reaches its own audience only; our followers saw the post through
    our boost, as Mastodon's followers of a reblogger do, and learn of it from our Undo.
    """
    boosters = await session.exec(
        select(Actor)
        .join(Interaction, col(Interaction.actor_id) == col(Actor.id))
        .where(Interaction.post_id == post.id, Interaction.kind == "announce", col(Actor.is_local))
    )
    for booster in boosters.all():
        await record_unboost(session, actor=booster, post=post, author=author, now=now)


async def store_remote_post(
    session: AsyncSession, author: Actor, post: RemotePost, document: Any, now: datetime
) -> tuple[Post, bool] | None:
    """Insert or replace a remote post and its media, sanitised, in the caller's transaction.

    Returns the stored row and whether it is new; None when the id belongs to one of our
    posts or to another author's (a post is only ever replaced by its own author).
    """
    assert author.id is not None  # noqa: S101 - a stored actor
    stored = (await session.exec(select(Post).where(Post.ap_id == post.ap_id))).first()
    if stored is not None and (stored.is_local or stored.actor_id != author.id):
        return None
    is_new = stored is None
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
    return stored, is_new


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
