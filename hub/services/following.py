"""Follow and unfollow remote actors as one of our actors; list followers and following."""

import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlmodel import col, select

from hub.activitypub.webfinger import InvalidResource, parse_handle
from hub.context import HubContext
from hub.federation.blocks import is_blocked_by
from hub.federation.errors import (
    FetchBudgetExceeded,
    InvalidRemoteDocument,
    RemoteError,
    RemoteGone,
    RemoteNotFound,
    RemoteRefused,
    RemoteRejected,
    ResponseTooLarge,
    UnsafeUrl,
)
from hub.federation.follow_requests import find_follow, request_follow, withdraw_follow
from hub.federation.remote_actors import resolve_actor_reference
from hub.federation.timeline import remove_source_from_timeline
from hub.models import Actor, Follow
from hub.services.actors import get_local_actor
from hub.services.errors import Conflict, InvalidInput, NotFound
from hub.services.permissions import require_publish_right

MAX_REFERENCE_LENGTH = 2048

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
    return await _unfollow(ctx, local, target)


async def _unfollow(ctx: HubContext, local: Actor, target: Actor) -> FollowView:
    """Withdraw the follow; once none of our actors follows the target, it leaves the reader."""
    async with ctx.sessions() as session, session.begin():
        row = await find_follow(session, local, target)
        if row is None:
            raise NotFound(f"@{local.handle} does not follow {target.handle}")
        await withdraw_follow(session, follower=local, target=target, row=row, now=ctx.clock())
        still_followed = (
            await session.exec(
                select(Follow.id)
                .join(Actor, col(Follow.follower_id) == col(Actor.id))
                .where(Follow.followed_id == target.id, col(Actor.is_local))
                .limit(1)
            )
        ).first()
        if still_followed is None and target.id is not None:
            await remove_source_from_timeline(session, target.id)
    logger.info("unfollowed follower=%s followed=%s", local.ap_id, target.ap_id)
    return FollowView(handle=target.handle, ap_id=target.ap_id, state="removed")


def check_reference(handle_or_url: str) -> str:
    """Return a typed follow target when it looks like `@user@host` or an http(s) URL.

    Raises:
        InvalidInput: ("handle", …) anything else, before any network request.
    """
    reference = handle_or_url.strip()
    example = "Enter a handle such as @name@example.org, or the address of an account"
    if not reference:
        raise InvalidInput("handle", example)
    if len(reference) > MAX_REFERENCE_LENGTH:
        raise InvalidInput("handle", f"must be at most {MAX_REFERENCE_LENGTH} characters")
    if reference.lower().startswith(("http://", "https://")):
        if not urlsplit(reference).hostname:
            raise InvalidInput("handle", "that address has no host name")
        return reference
    try:
        parse_handle(reference)
    except InvalidResource:
        raise InvalidInput("handle", example) from None
    return reference


def _explain(error: RemoteError, reference: str) -> str:
    """Return what a person can do about a failed lookup of `reference`."""
    host = urlsplit(error.url).netloc or reference
    if isinstance(error, RemoteNotFound | RemoteGone):
        return f"{reference} was not found on {host}: check the spelling"
    if isinstance(error, UnsafeUrl):
        return f"{host} is not an address this Hub may reach"
    if isinstance(error, InvalidRemoteDocument | ResponseTooLarge):
        return f"{reference} is not an account that can be followed (not an ActivityPub actor)"
    if isinstance(error, RemoteRefused):
        return f"{host} refused to show that account"
    if isinstance(error, RemoteRejected | FetchBudgetExceeded):
        return f"{host} did not confirm that account ({error.reason})"
    return f"{host} could not be reached ({error.reason}); check the address or try again later"


async def follow_as(
    ctx: HubContext, local_username: str, handle_or_url: str, *, account_id: int | None
) -> FollowView:
    """Follow as an actor the account may publish as, with failures a person can act on.

    Raises:
        NotFound, PermissionDenied; InvalidInput ("handle", …) for a malformed handle, an
        unknown account, an unreachable host or an address that is not an actor;
        Conflict when that actor blocks ours.
    """
    local = await get_local_actor(ctx, local_username)
    await require_publish_right(ctx, account_id, local)
    reference = check_reference(handle_or_url)
    try:
        return await follow(ctx, local_username, reference)
    except RemoteError as error:
        logger.info("follow failed reference=%s error=%s", reference, error)
        raise InvalidInput("handle", _explain(error, reference)) from None


async def unfollow_as(
    ctx: HubContext, local_username: str, target_ap_id: str, *, account_id: int | None
) -> FollowView:
    """Stop following an actor we follow (named by its id: no lookup is needed).

    Raises:
        NotFound: no such actor, or ours does not follow it. PermissionDenied.
    """
    local = await get_local_actor(ctx, local_username)
    await require_publish_right(ctx, account_id, local)
    async with ctx.sessions() as session:
        target = (await session.exec(select(Actor).where(Actor.ap_id == target_ap_id))).first()
    if target is None:
        raise NotFound(f"@{local.handle} does not follow {target_ap_id}")
    return await _unfollow(ctx, local, target)


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
