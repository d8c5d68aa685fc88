"""Like and boost others' posts from the Hub, and take that back, as one of our actors."""

import logging
from typing import Any, Literal

from sqlmodel import col, select

from hub.context import HubContext
from hub.federation.reactions import record_boost, record_like, record_unboost, record_unlike
from hub.models import Actor, OutgoingActivity, Post
from hub.services.actors import get_local_actor
from hub.services.errors import InvalidInput, NotFound
from hub.services.permissions import require_publish_right

logger = logging.getLogger(__name__)

Reaction = Literal["like", "unlike", "boost", "unboost"]
REACTIONS: tuple[Reaction, ...] = ("like", "unlike", "boost", "unboost")
BOOSTABLE_VISIBILITIES = ("public", "unlisted")
RECORDERS = {
    "like": record_like,
    "unlike": record_unlike,
    "boost": record_boost,
    "unboost": record_unboost,
}


async def react(
    ctx: HubContext,
    actor_name: str,
    post_ap_id: str,
    reaction: Reaction,
    *,
    account_id: int | None = None,
) -> bool:
    """Like, unlike, boost or unboost a received post as our actor; return whether it changed.

    Liking what is already liked (or undoing what was not done) changes and sends nothing.

    Raises:
        NotFound: no such actor, or the post is not here (or was deleted).
        PermissionDenied: the account may not act as that actor.
        InvalidInput: a post that is not public or unlisted cannot be boosted.
    """
    if reaction not in REACTIONS:
        raise InvalidInput("action", "must be like, unlike, boost or unboost")
    actor = await get_local_actor(ctx, actor_name)
    await require_publish_right(ctx, account_id, actor)
    now = ctx.clock()
    async with ctx.sessions() as session, session.begin():
        statement = (
            select(Post, Actor)
            .join(Actor, col(Post.actor_id) == col(Actor.id))
            .where(Post.ap_id == post_ap_id, col(Post.is_local).is_(False))
            .where(col(Post.deleted_at).is_(None))
        )
        found = (await session.exec(statement)).first()
        if found is None:
            raise NotFound("that post is not here (or was deleted)")
        post, author = found
        if reaction == "boost" and post.visibility not in BOOSTABLE_VISIBILITIES:
            raise InvalidInput("action", "only public and unlisted posts can be boosted")
        changed = await RECORDERS[reaction](session, actor=actor, post=post, author=author, now=now)
    logger.info("%s post=%s actor=%s changed=%s", reaction, post_ap_id, actor.ap_id, changed)
    return changed


async def public_activity(ctx: HubContext, ap_id: str) -> dict[str, Any] | None:
    """Return one of our public activities (a boost still standing) by its id, if any."""
    async with ctx.sessions() as session:
        statement = select(OutgoingActivity.body).where(
            OutgoingActivity.ap_id == ap_id, col(OutgoingActivity.is_public)
        )
        body = (await session.exec(statement)).first()
    return None if body is None else dict(body)
