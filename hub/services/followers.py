"""Manage who follows our actors: pages of follows, follow requests, removal, approval mode.

Approving sends the Accept a locked actor held back; rejecting a request or removing a
follower sends a Reject of their Follow (as Mastodon does, so their server forgets the
follow too). Turning approval on or off sends an Update of the actor to its followers.
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hub.activitypub.activities import build_response_to_follow
from hub.activitypub.reactions import build_actor_update
from hub.context import HubContext
from hub.federation.outbox import record_activity
from hub.models import Actor, Follow
from hub.services.actors import ActorSummary, actor_document, get_local_actor, summarise
from hub.services.errors import InvalidInput, NotFound
from hub.services.permissions import require_publish_right

logger = logging.getLogger(__name__)

PAGE_SIZE = 50
MAX_CURSOR = 2**62
Side = Literal["followers", "following"]
FollowerDecision = Literal["approve", "reject", "remove"]
FOLLOWER_DECISIONS: tuple[FollowerDecision, ...] = ("approve", "reject", "remove")


@dataclass(frozen=True)
class FollowRow:
    """One follow in a staff list: the other actor, the state and since when."""

    follow_id: int
    other: ActorSummary
    state: str  # "pending" | "accepted"
    since: datetime


@dataclass(frozen=True)
class FollowPage:
    """One page of follows, newest first, with the cursor of the next page."""

    rows: tuple[FollowRow, ...]
    next_cursor: int | None


async def follow_page(
    ctx: HubContext,
    actor_name: str,
    side: Side,
    *,
    state: str | None = None,
    before: int | None = None,
    page_size: int = PAGE_SIZE,
) -> FollowPage:
    """Return who follows our actor (or whom it follows), newest first, a keyset page.

    Raises:
        NotFound: no local actor of that name.
    """
    local = await get_local_actor(ctx, actor_name)
    own_side = col(Follow.followed_id) if side == "followers" else col(Follow.follower_id)
    other_side = col(Follow.follower_id) if side == "followers" else col(Follow.followed_id)
    statement = (
        select(Follow, Actor).join(Actor, other_side == col(Actor.id)).where(own_side == local.id)
    )
    if state is not None:
        statement = statement.where(Follow.state == state)
    if before is not None:
        statement = statement.where(col(Follow.id) < before)
    statement = statement.order_by(col(Follow.id).desc()).limit(page_size + 1)
    async with ctx.sessions() as session:
        found = (await session.exec(statement)).all()
    rows = tuple(
        FollowRow(
            follow_id=follow.id or 0,
            other=summarise(other),
            state=follow.state,
            since=follow.accepted_at or follow.created_at,
        )
        for follow, other in found[:page_size]
    )
    next_cursor = rows[-1].follow_id if len(found) > page_size and rows else None
    return FollowPage(rows=rows, next_cursor=next_cursor)


async def _follow_of(
    session: AsyncSession, local: Actor, follower_ap_id: str
) -> tuple[Follow, Actor]:
    statement = (
        select(Follow, Actor)
        .join(Actor, col(Follow.follower_id) == col(Actor.id))
        .where(Follow.followed_id == local.id, Actor.ap_id == follower_ap_id)
    )
    found = (await session.exec(statement)).first()
    if found is None:
        raise NotFound(f"{follower_ap_id} does not follow @{local.handle}")
    return found[0], found[1]


async def _respond(
    session: AsyncSession, kind: str, local: Actor, follower: Actor, follow: Follow, now: datetime
) -> None:
    """Queue an Accept or Reject of the follower's Follow to its personal inbox."""
    response = build_response_to_follow(
        kind,
        f"{local.ap_id}#{kind.lower()}s/{uuid.uuid4().hex}",
        local.ap_id,
        {"id": follow.ap_id, "actor": follower.ap_id, "object": local.ap_id},
    )
    await record_activity(
        session,
        actor=local,
        activity=response,
        now=now,
        is_public=False,
        to_followers=False,
        extra_inboxes=[follower.inbox_url],
    )


async def decide_follower(
    ctx: HubContext,
    actor_name: str,
    follower_ap_id: str,
    decision: FollowerDecision,
    *,
    account_id: int | None = None,
) -> ActorSummary:
    """Approve or reject a follow request, or remove a follower; return the follower.

    Approve: the follow becomes accepted and an Accept is sent. Reject and remove: the
    follow is forgotten and a Reject of it is sent.

    Raises:
        NotFound: no such actor or follow. PermissionDenied.
        InvalidInput: approving a follow that is already accepted, or an unknown decision.
    """
    if decision not in FOLLOWER_DECISIONS:
        raise InvalidInput("action", "must be approve, reject or remove")
    local = await get_local_actor(ctx, actor_name)
    await require_publish_right(ctx, account_id, local)
    now = ctx.clock()
    async with ctx.sessions() as session, session.begin():
        follow, follower = await _follow_of(session, local, follower_ap_id)
        if decision == "approve":
            if follow.state == "accepted":
                raise InvalidInput("action", f"{follower.handle} already follows")
            follow.state = "accepted"
            follow.accepted_at = now
            session.add(follow)
            await _respond(session, "Accept", local, follower, follow, now)
        else:
            await session.exec(delete(Follow).where(col(Follow.id) == follow.id))
            await _respond(session, "Reject", local, follower, follow, now)
    logger.info("follower %s follower=%s followed=%s", decision, follower.ap_id, local.ap_id)
    return summarise(follower)


async def set_manual_approval(
    ctx: HubContext, actor_name: str, *, manual: bool, account_id: int | None = None
) -> int:
    """Choose whether new followers of our actor wait for approval; return requests approved.

    The actor's Update goes to its followers so their servers show the lock. Turning
    approval off approves every waiting request, as Mastodon does when an account unlocks.

    Raises:
        NotFound, PermissionDenied.
    """
    local = await get_local_actor(ctx, actor_name)
    await require_publish_right(ctx, account_id, local)
    if local.manually_approves_followers == manual:
        return 0
    local.manually_approves_followers = manual
    document = await actor_document(ctx, local)
    now = ctx.clock()
    approved = 0
    async with ctx.sessions() as session, session.begin():
        stored = await session.get(Actor, local.id)
        if stored is None:
            raise NotFound(f"no actor called '{actor_name}'")
        stored.manually_approves_followers = manual
        session.add(stored)
        if not manual:
            pending = await session.exec(
                select(Follow, Actor)
                .join(Actor, col(Follow.follower_id) == col(Actor.id))
                .where(Follow.followed_id == stored.id, Follow.state == "pending")
            )
            for follow, follower in pending.all():
                follow.state = "accepted"
                follow.accepted_at = now
                session.add(follow)
                await _respond(session, "Accept", stored, follower, follow, now)
                approved += 1
        update = build_actor_update(f"{stored.ap_id}#updates/{uuid.uuid4().hex}", document)
        await record_activity(
            session, actor=stored, activity=update, now=now, is_public=False, to_followers=True
        )
    ctx.actor_documents.discard(local.username)
    logger.info("approval mode actor=%s manual=%s approved=%d", local.ap_id, manual, approved)
    return approved
