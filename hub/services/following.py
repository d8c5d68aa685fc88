"""Follow and unfollow remote actors as one of our actors; list followers and following."""

import logging
from dataclasses import dataclass

from sqlmodel import col, select

from hub.context import HubContext
from hub.federation.blocks import is_blocked_by
from hub.federation.follow_requests import find_follow, request_follow, withdraw_follow
from hub.federation.remote_actors import resolve_actor_reference
from hub.models import Actor, Follow
from hub.services.actors import get_local_actor
from hub.services.errors import Conflict, InvalidInput, NotFound

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
        Conflict: that actor has told us it blocks our actor.
    """
    local = await get_local_actor(ctx, local_username)
    target = await resolve_actor_reference(ctx, handle_or_url)
    if target.is_local:
        raise InvalidInput("handle", "that actor is on this Hub")
    async with ctx.sessions() as session, session.begin():
        if await is_blocked_by(session, blocker=target, blocked=local):
            raise Conflict(f"{target.handle} blocks @{local.handle}")
        row = await request_follow(session, follower=local, target=target, now=ctx.clock())
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
        row = await find_follow(session, local, target)
        if row is None:
            raise NotFound(f"@{local.handle} does not follow {target.handle}")
        await withdraw_follow(session, follower=local, target=target, row=row, now=ctx.clock())
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
