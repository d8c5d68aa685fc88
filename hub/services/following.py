"""Follow and unfollow remote actors as one of our actors; list followers and following."""

import logging
import uuid
from dataclasses import dataclass

from sqlmodel import col, delete, select

from hub.activitypub.activities import build_follow, build_undo
from hub.context import HubContext
from hub.federation.outbox import record_activity
from hub.federation.remote_actors import resolve_actor_reference
from hub.models import Actor, Follow
from hub.services.actors import get_local_actor
from hub.services.errors import InvalidInput, NotFound

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FollowView:
    """One side of a follow relationship as lists show it."""

    handle: str
    ap_id: str
    state: str


async def follow(ctx: HubContext, local_username: str, handle_or_url: str) -> FollowView:
    """Ask a remote actor to accept a follow from our actor; pending until it accepts.

    Raises:
        NotFound: no local actor of that name.
        InvalidInput: the handle cannot be resolved to an actor, or names ourselves.
    """
    local = await get_local_actor(ctx, local_username)
    target = await resolve_actor_reference(ctx, handle_or_url)
    if target.is_local:
        raise InvalidInput("handle", "that actor is on this Hub")
    assert local.id is not None  # noqa: S101 - a stored row
    assert target.id is not None  # noqa: S101 - a stored row
    now = ctx.clock()
    follow_id = f"{local.ap_id}#follows/{uuid.uuid4().hex}"
    async with ctx.sessions() as session, session.begin():
        existing = (
            await session.exec(
                select(Follow).where(
                    Follow.follower_id == local.id, Follow.followed_id == target.id
                )
            )
        ).first()
        row = existing or Follow(
            follower_id=local.id, followed_id=target.id, ap_id=follow_id, created_at=now
        )
        if row.state != "accepted":
            row.ap_id = follow_id
            await record_activity(
                session,
                actor=local,
                activity=build_follow(follow_id, local.ap_id, target.ap_id),
                now=now,
                is_public=False,
                to_followers=False,
                extra_inboxes=[target.inbox_url],
            )
        session.add(row)
    logger.info("follow sent follower=%s followed=%s", local.ap_id, target.ap_id)
    return FollowView(handle=target.handle, ap_id=target.ap_id, state=row.state)


async def unfollow(ctx: HubContext, local_username: str, handle_or_url: str) -> FollowView:
    """Send Undo{Follow} and forget the follow.

    Raises:
        NotFound: no local actor of that name, or it does not follow that actor.
    """
    local = await get_local_actor(ctx, local_username)
    target = await resolve_actor_reference(ctx, handle_or_url)
    async with ctx.sessions() as session, session.begin():
        row = (
            await session.exec(
                select(Follow).where(
                    Follow.follower_id == local.id, Follow.followed_id == target.id
                )
            )
        ).first()
        if row is None:
            raise NotFound(f"@{local.handle} does not follow {target.handle}")
        undo = build_undo(
            f"{local.ap_id}#undo/{uuid.uuid4().hex}",
            local.ap_id,
            build_follow(row.ap_id, local.ap_id, target.ap_id),
            to=[target.ap_id],
        )
        await record_activity(
            session,
            actor=local,
            activity=undo,
            now=ctx.clock(),
            is_public=False,
            to_followers=False,
            extra_inboxes=[target.inbox_url],
        )
        await session.exec(delete(Follow).where(col(Follow.id) == row.id))
    logger.info("unfollowed follower=%s followed=%s", local.ap_id, target.ap_id)
    return FollowView(handle=target.handle, ap_id=target.ap_id, state="removed")


async def _follow_views(
    ctx: HubContext, local_username: str, *, followers: bool
) -> list[FollowView]:
    local = await get_local_actor(ctx, local_username)
    own_side = col(Follow.followed_id) if followers else col(Follow.follower_id)
    other_side = col(Follow.follower_id) if followers else col(Follow.followed_id)
    async with ctx.sessions() as session:
        statement = (
            select(Actor, Follow.state)
            .join(Follow, other_side == col(Actor.id))
            .where(own_side == local.id)
            .order_by(col(Follow.id))
        )
        rows = (await session.exec(statement)).all()
    return [
        FollowView(handle=actor.handle, ap_id=actor.ap_id, state=state) for actor, state in rows
    ]


async def list_followers(ctx: HubContext, local_username: str) -> list[FollowView]:
    """Return who follows our actor, accepted and pending."""
    return await _follow_views(ctx, local_username, followers=True)


async def list_following(ctx: HubContext, local_username: str) -> list[FollowView]:
    """Return whom our actor follows, accepted and pending."""
    return await _follow_views(ctx, local_username, followers=False)
