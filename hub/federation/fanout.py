"""Expand a fan-out job into one delivery per distinct inbox (spec §8.1)."""

import logging
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlmodel import col, select

from hub.context import HubContext
from hub.db import insert_many_ignoring_conflicts
from hub.federation.hosts import is_blocked, unavailable_hosts
from hub.models import Actor, Delivery, FanoutJob, Follow, OutgoingActivity

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000


async def follower_inboxes(ctx: HubContext, actor_id: int) -> list[str]:
    """Return the distinct inboxes of an actor's remote followers, shared ones preferred."""
    inbox = sa.func.coalesce(col(Actor.shared_inbox_url), col(Actor.inbox_url))
    statement = (
        select(inbox)
        .join(Follow, col(Follow.follower_id) == col(Actor.id))
        .where(Follow.followed_id == actor_id, Follow.state == "accepted")
        .where(col(Actor.is_local).is_(False), col(Actor.deleted_at).is_(None))
        .distinct()
    )
    async with ctx.sessions() as session:
        return [str(url) for url in (await session.exec(statement)).all()]


async def run_fanout(ctx: HubContext, job_id: int) -> int:
    """Create the deliveries of one fan-out job; return how many were new.

    Idempotent: deliveries are unique per (activity, inbox), so a re-run after a crash
    creates nothing twice.
    """
    async with ctx.sessions() as session:
        job = await session.get(FanoutJob, job_id)
        if job is None:
            return 0
        activity_actor = (
            await session.exec(
                select(OutgoingActivity.actor_id).where(OutgoingActivity.id == job.activity_id)
            )
        ).first()
        skipped_hosts = await unavailable_hosts(session)
    inboxes = list(job.extra_inboxes)
    if job.to_followers and activity_actor is not None:
        inboxes += [
            url for url in await follower_inboxes(ctx, activity_actor)
            if urlsplit(url).netloc not in skipped_hosts
        ]  # fmt: skip
    own_host = ctx.settings.host
    now = ctx.clock()
    rows = []
    async with ctx.sessions() as session:
        for url in dict.fromkeys(inboxes):
            host = urlsplit(url).netloc.lower()
            if not host or host == own_host or await is_blocked(session, host):
                continue
            rows.append(
                {
                    "activity_id": job.activity_id,
                    "inbox_url": url,
                    "host": host,
                    "state": "queued",
                    "attempts": 0,
                    "created_at": now,
                    "next_attempt_at": now,
                }
            )
    created = 0
    for start in range(0, len(rows), BATCH_SIZE):
        async with ctx.sessions() as session, session.begin():
            created += await insert_many_ignoring_conflicts(
                session,
                Delivery,
                rows[start : start + BATCH_SIZE],
                conflict_columns=["activity_id", "inbox_url"],
            )
    logger.info("fan-out done activity=%d deliveries=%d", job.activity_id, created)
    return created
