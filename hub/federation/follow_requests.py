"""Send and withdraw our actors' Follows of remote actors, inside the caller's transaction."""

import uuid
from datetime import datetime

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hub.activitypub.activities import build_follow, build_undo
from hub.federation.outbox import record_activity
from hub.models import Actor, Follow


async def find_follow(session: AsyncSession, follower: Actor, followed: Actor) -> Follow | None:
    """Return the follow of `followed` by `follower`, pending or accepted, if any."""
    statement = select(Follow).where(
        Follow.follower_id == follower.id, Follow.followed_id == followed.id
    )
    return (await session.exec(statement)).first()


async def request_follow(
    session: AsyncSession, *, follower: Actor, target: Actor, now: datetime
) -> Follow:
    """Record a pending Follow and queue it to the target's inbox; an accepted one is kept.

    A pending follow gets a fresh Follow id and is sent again, so a lost Accept can be
    recovered by following once more.
    """
    assert follower.id is not None  # noqa: S101 - a stored row
    assert target.id is not None  # noqa: S101 - a stored row
    follow_id = f"{follower.ap_id}#follows/{uuid.uuid4().hex}"
    row = await find_follow(session, follower, target) or Follow(
        follower_id=follower.id, followed_id=target.id, ap_id=follow_id, created_at=now
    )
    if row.state != "accepted":
        row.ap_id = follow_id
        await record_activity(
            session,
            actor=follower,
            activity=build_follow(follow_id, follower.ap_id, target.ap_id),
            now=now,
            is_public=False,
            to_followers=False,
            extra_inboxes=[target.inbox_url],
        )
    session.add(row)
    return row


async def withdraw_follow(
    session: AsyncSession, *, follower: Actor, target: Actor, row: Follow, now: datetime
) -> None:
    """Queue Undo{Follow} to the target and forget the follow."""
    undo = build_undo(
        f"{follower.ap_id}#undo/{uuid.uuid4().hex}",
        follower.ap_id,
        build_follow(row.ap_id, follower.ap_id, target.ap_id),
        to=[target.ap_id],
    )
    await record_activity(
        session,
        actor=follower,
        activity=undo,
        now=now,
        is_public=False,
        to_followers=False,
        extra_inboxes=[target.inbox_url],
    )
    await session.exec(delete(Follow).where(col(Follow.id) == row.id))
