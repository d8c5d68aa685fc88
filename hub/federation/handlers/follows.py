"""Follow, Undo Follow, Accept and Reject: who follows whom, as Mastodon expects (spec §4)."""

import logging
import uuid
from typing import Any

from sqlmodel import col, delete, select

from hub.activitypub.activities import build_response_to_follow
from hub.activitypub.jsonld import id_of
from hub.context import HubContext
from hub.federation.local_actors import actor_by_ap_id, local_actor_by_ap_id
from hub.federation.notifications import record_notification
from hub.federation.outbox import record_activity
from hub.federation.remote_actors import get_remote_actor
from hub.models import Actor, Follow

logger = logging.getLogger(__name__)


async def apply_follow(ctx: HubContext, activity: dict[str, Any]) -> None:
    """Record a follow of one of our actors and answer Accept, unless approval is needed.

    A repeat Follow from a follower updates the stored Follow id and is accepted again,
    so a Mastodon user stuck on "pending" can always recover (spec §4.2). A new follower
    or follow request notifies staff, in the same transaction.
    """
    async with ctx.sessions() as session:
        followed = await local_actor_by_ap_id(session, id_of(activity.get("object")))
    if followed is None or followed.is_instance_actor:
        logger.info("follow of an unknown local actor ignored id=%s", activity["id"])
        return
    follower = await get_remote_actor(ctx, str(id_of(activity["actor"])))
    now = ctx.clock()
    follow_document = {
        "id": activity["id"],
        "actor": follower.ap_id,
        "object": followed.ap_id,
    }
    async with ctx.sessions() as session, session.begin():
        existing = (
            await session.exec(
                select(Follow).where(
                    Follow.follower_id == follower.id, Follow.followed_id == followed.id
                )
            )
        ).first()
        is_new = existing is None
        if existing is None:
            assert follower.id is not None  # noqa: S101 - a stored row
            assert followed.id is not None  # noqa: S101 - a stored row
            existing = Follow(
                follower_id=follower.id,
                followed_id=followed.id,
                ap_id=activity["id"],
                state="pending",
                created_at=now,
            )
        existing.ap_id = activity["id"]
        if not followed.manually_approves_followers or existing.state == "accepted":
            existing.state = "accepted"
            existing.accepted_at = existing.accepted_at or now
            accept = build_response_to_follow(
                "Accept", f"{followed.ap_id}#accepts/{uuid.uuid4().hex}", followed.ap_id,
                follow_document,
            )  # fmt: skip
            await record_activity(
                session,
                actor=followed,
                activity=accept,
                now=now,
                is_public=False,
                to_followers=False,
                extra_inboxes=[follower.inbox_url],
            )
        session.add(existing)
        if is_new:
            record_notification(
                session,
                kind="follow" if existing.state == "accepted" else "follow_request",
                local_actor=followed,
                remote_actor=follower,
                now=now,
                activity_ap_id=str(activity["id"]),
            )
    logger.info(
        "follow received follower=%s followed=%s state=%s",
        follower.ap_id, followed.ap_id, existing.state,
    )  # fmt: skip


async def apply_undo(ctx: HubContext, activity: dict[str, Any]) -> None:
    """Undo a Follow, given embedded or by id; other undone types are not tracked yet."""
    undone = activity.get("object")
    undone_id = id_of(undone)
    actor_id = str(id_of(activity["actor"]))
    async with ctx.sessions() as session, session.begin():
        follower = await actor_by_ap_id(session, actor_id)
        if follower is None or undone_id is None:
            return
        statement = delete(Follow).where(col(Follow.follower_id) == follower.id)
        followed = None
        if isinstance(undone, dict) and undone.get("type") == "Follow":
            followed = await local_actor_by_ap_id(session, id_of(undone.get("object")))
        if followed is not None:
            statement = statement.where(col(Follow.followed_id) == followed.id)
        else:
            statement = statement.where(col(Follow.ap_id) == undone_id)
        await session.exec(statement)


async def _our_follow_named_by(
    ctx: HubContext, activity: dict[str, Any]
) -> tuple[Follow, Actor] | None:
    """Find our pending or accepted Follow that an Accept or Reject from its target names."""
    responder_id = str(id_of(activity["actor"]))
    inner = activity.get("object")
    follow_id = id_of(inner)
    async with ctx.sessions() as session:
        responder = await actor_by_ap_id(session, responder_id)
        if responder is None:
            return None
        candidates = select(Follow).where(Follow.followed_id == responder.id)
        if follow_id is not None:
            by_id = (await session.exec(candidates.where(Follow.ap_id == follow_id))).first()
            if by_id is not None:
                return by_id, responder
        if isinstance(inner, dict):
            follower = await local_actor_by_ap_id(session, id_of(inner.get("actor")))
            if follower is not None:
                by_pair = (
                    await session.exec(candidates.where(Follow.follower_id == follower.id))
                ).first()
                if by_pair is not None:
                    return by_pair, responder
    return None


async def apply_accept(ctx: HubContext, activity: dict[str, Any]) -> None:
    """Mark our Follow accepted when the followed actor itself accepts it."""
    found = await _our_follow_named_by(ctx, activity)
    if found is None:
        logger.info("accept of an unknown follow ignored id=%s", activity["id"])
        return
    follow, responder = found
    async with ctx.sessions() as session, session.begin():
        follow.state = "accepted"
        follow.accepted_at = ctx.clock()
        session.add(follow)
    logger.info("follow accepted by=%s", responder.ap_id)


async def apply_reject(ctx: HubContext, activity: dict[str, Any]) -> None:
    """Drop our Follow (pending or accepted) when the followed actor rejects it."""
    found = await _our_follow_named_by(ctx, activity)
    if found is None:
        return
    follow, responder = found
    async with ctx.sessions() as session, session.begin():
        await session.exec(delete(Follow).where(col(Follow.id) == follow.id))
    logger.info("follow rejected by=%s", responder.ap_id)
