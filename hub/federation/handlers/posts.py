"""Create, Update and Delete of remote posts: store what concerns us, sanitised, in context.

What is stored feeds the reader's timeline (`hub.federation.timeline`) and staff
notifications of replies and mentions, in the same transaction. A reply's missing
ancestors are fetched first, and replies from strangers in our conversations are held for
approval (`hub.federation.threads`)."""

import logging
from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hub.activitypub.jsonld import as_list, id_of
from hub.activitypub.objects import RemotePost, parse_post
from hub.context import HubContext
from hub.federation.fetcher import FetchBudget
from hub.federation.local_actors import actor_by_ap_id
from hub.federation.notifications import record_notification
from hub.federation.reactions import record_unboost
from hub.federation.remote_actors import get_remote_actor
from hub.federation.remote_posts import followed_locally, store_remote_post
from hub.federation.search_index import index_post_text
from hub.federation.threads import approval_for, fetch_missing_ancestors, our_post_above_in
from hub.federation.timeline import (
    add_timeline_entry,
    refresh_timeline_tags,
    remove_post_from_timeline,
)
from hub.models import Actor, Interaction, Post

logger = logging.getLogger(__name__)

# Mastodon delivers a post to at most a few hundred mentions; we look up that many at most.
MAX_NAMED_ACTORS = 500


async def _replied_local_post(session: AsyncSession, post: RemotePost) -> tuple[Post, Actor] | None:
    """Return our post (and its author) that this post replies to, if it replies to one."""
    if post.in_reply_to is None:
        return None
    statement = (
        select(Post, Actor)
        .join(Actor, col(Post.actor_id) == col(Actor.id))
        .where(Post.ap_id == post.in_reply_to, col(Post.is_local))
    )
    found = (await session.exec(statement)).first()
    return None if found is None else (found[0], found[1])


async def _local_actors_named(session: AsyncSession, document: Any) -> list[Actor]:
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
    statement = select(Actor).where(
        col(Actor.ap_id).in_(ids[:MAX_NAMED_ACTORS]),
        col(Actor.is_local),
        col(Actor.is_instance_actor).is_(False),
        col(Actor.deleted_at).is_(None),
    )
    return list((await session.exec(statement)).all())


async def apply_create(ctx: HubContext, activity: dict[str, Any]) -> None:
    """Store a remote post by an author we follow, or one that mentions us or joins our threads.

    Its missing ancestors are fetched first (bounded), so that a reply to a reply finds its
    place and its approval is decided knowing the whole thread. A followed author's post
    joins the reader's timeline; a new reply to one of our posts and a new mention of one
    of our actors notify staff; all in the transaction that stores the post.
    """
    actor_id = str(id_of(activity["actor"]))
    post = parse_post(activity.get("object"), expected_author=actor_id)
    author = await get_remote_actor(ctx, actor_id)
    async with ctx.sessions() as session:
        is_followed = await followed_locally(session, author)
        parent = await _replied_local_post(session, post)
        named = await _local_actors_named(session, activity.get("object"))
        in_our_thread = (
            parent is not None or await our_post_above_in(session, post.in_reply_to) is not None
        )
    if not (is_followed or in_our_thread or named):
        logger.info("post from an actor nobody here follows ignored id=%s", post.ap_id)
        return
    # One budget for the whole activity (docs/federation.md: fetches per received activity).
    await fetch_missing_ancestors(ctx, post.in_reply_to, budget=FetchBudget())
    approval = await approval_for(ctx, author, post.in_reply_to, followed=is_followed)
    now = ctx.clock()
    async with ctx.sessions() as session, session.begin():
        saved = await store_remote_post(
            session, author, post, activity["object"], now, approval=approval
        )
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
        await index_post_text(session, stored)
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
