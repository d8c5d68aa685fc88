"""Create, Update and Delete of remote posts: store what concerns us, sanitised, in context."""

import logging
from typing import Any

from sqlmodel import col, select

from hub.activitypub.jsonld import as_list, id_of
from hub.activitypub.objects import parse_post
from hub.context import HubContext
from hub.federation.fetcher import FetchBudget
from hub.federation.local_actors import actor_by_ap_id
from hub.federation.remote_actors import get_remote_actor
from hub.federation.remote_posts import is_followed_locally, store_remote_post
from hub.federation.search_index import index_post_text
from hub.federation.threads import approval_for, fetch_missing_ancestors, our_post_above
from hub.models import Actor, Post

logger = logging.getLogger(__name__)


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
    """Store a remote post by an author we follow, or one that mentions us or joins our threads.

    Its missing ancestors are fetched first (bounded), so that a reply to a reply still
    finds its place, and its approval is decided knowing the whole thread.
    """
    actor_id = str(id_of(activity["actor"]))
    post = parse_post(activity.get("object"), expected_author=actor_id)
    author = await get_remote_actor(ctx, actor_id)
    followed = await is_followed_locally(ctx, author)
    if not (
        followed
        or await our_post_above(ctx, post.in_reply_to) is not None
        or await _mentions_us(ctx, activity.get("object"))
    ):
        logger.info("post from an actor nobody here follows ignored id=%s", post.ap_id)
        return
    # One budget for the whole activity (docs/federation.md: fetches per received activity).
    await fetch_missing_ancestors(ctx, post.in_reply_to, budget=FetchBudget())
    approval = await approval_for(ctx, author, post.in_reply_to, followed=followed)
    await store_remote_post(ctx, author, post, activity["object"], approval=approval)


async def apply_post_update(ctx: HubContext, activity: dict[str, Any]) -> None:
    """Replace a stored remote post with its edited version."""
    actor_id = str(id_of(activity["actor"]))
    post = parse_post(activity.get("object"), expected_author=actor_id)
    async with ctx.sessions() as session:
        known = (await session.exec(select(Post.id).where(Post.ap_id == post.ap_id))).first()
    if known is None:
        return
    author = await get_remote_actor(ctx, actor_id)
    # An edit keeps the approval already decided; `approval` applies to new posts only.
    await store_remote_post(ctx, author, post, activity["object"], approval="approved")


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
        await index_post_text(session, stored)
