"""Expand a fan-out job into one delivery per distinct inbox (spec §8.1).

The cost grows with the number of distinct inboxes, not followers, and the query count is
fixed: one read of the job, one DISTINCT query for follower inboxes, one read each of the
actors that block the sender, blocked domains and unavailable hosts, then batched inserts.
Deliveries are unique per (activity, inbox) and inserted with ON CONFLICT DO NOTHING, and the
job is marked done in the same transaction, so a re-run after a crash creates nothing twice.
"""

import logging
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hub.context import HubContext
from hub.db import insert_many_ignoring_conflicts
from hub.federation import jobs
from hub.federation.blocks import blocker_inboxes, without_blocked
from hub.federation.hosts import (
    BYPASS_AVAILABILITY_TYPES,
    UNAVAILABLE_REASON,
    blocked_domains,
    host_of,
    is_blocked_by,
    unavailable_hosts,
)
from hub.models import Actor, Delivery, FanoutJob, Follow, OutgoingActivity

logger = logging.getLogger(__name__)

# Seven bound parameters a row: 500 rows stay far below every driver's parameter limit.
INSERT_BATCH_SIZE = 500


@dataclass(frozen=True)
class Target:
    """One inbox to deliver to, and whether the host is currently skipped."""

    inbox_url: str
    host: str
    is_skipped: bool


async def follower_inboxes(session: AsyncSession, actor_id: int) -> list[str]:
    """Return the distinct inboxes of an actor's accepted remote followers, shared ones first.

    Each follower contributes `coalesce(shared_inbox_url, inbox_url)`, so a thousand
    followers on one Mastodon server make one inbox.
    """
    inbox = sa.func.coalesce(col(Actor.shared_inbox_url), col(Actor.inbox_url))
    statement = (
        select(inbox)
        .join(Follow, col(Follow.follower_id) == col(Actor.id))
        .where(col(Follow.followed_id) == actor_id, col(Follow.state) == "accepted")
        .where(col(Actor.is_local).is_(False), col(Actor.deleted_at).is_(None))
        .distinct()
    )
    return [str(url) for url in (await session.exec(statement)).all()]


def select_targets(
    inbox_urls: Iterable[str],
    *,
    own_host: str,
    blocked: Collection[str],
    unavailable: Collection[str],
    bypass_availability: bool = False,
) -> list[Target]:
    """Return the distinct http(s) inboxes to deliver to, in first-seen order (no I/O).

    Our own host and blocked domains are dropped; inboxes on unavailable hosts are kept
    but marked skipped, so `hub status` shows what was not sent.
    """
    targets: list[Target] = []
    for url in dict.fromkeys(inbox_urls):
        host = host_of(url)
        if not url.startswith(("https://", "http://")) or not host:
            continue
        if host == own_host.lower() or is_blocked_by(host, blocked):
            continue
        skipped = host in unavailable and not bypass_availability
        targets.append(Target(inbox_url=url, host=host, is_skipped=skipped))
    return targets


def _rows(activity_id: int, targets: list[Target], now: datetime) -> list[dict[str, Any]]:
    return [
        {
            "activity_id": activity_id,
            "inbox_url": target.inbox_url,
            "host": target.host,
            "state": "skipped" if target.is_skipped else "queued",
            "attempts": 0,
            "created_at": now,
            "next_attempt_at": now,
            "last_error": UNAVAILABLE_REASON if target.is_skipped else None,
        }
        for target in targets
    ]


async def run_fanout(ctx: HubContext, job_id: int) -> int:
    """Create the deliveries of one claimed fan-out job and mark it done; return how many.

    Returns the number of new delivery rows (skipped ones included); a re-run returns 0.
    """
    async with ctx.sessions() as session:
        job = await session.get(FanoutJob, job_id)
        if job is None:
            return 0
        activity = (
            await session.exec(
                select(OutgoingActivity.actor_id, OutgoingActivity.activity_type).where(
                    OutgoingActivity.id == job.activity_id
                )
            )
        ).first()
        inbox_urls = list(job.extra_inboxes)
        if job.to_followers and activity is not None:
            inbox_urls += await follower_inboxes(session, activity[0])
        if activity is not None:
            inbox_urls = without_blocked(inbox_urls, await blocker_inboxes(session, activity[0]))
        blocked = await blocked_domains(session)
        unavailable = await unavailable_hosts(session)
    targets = select_targets(
        inbox_urls,
        own_host=ctx.settings.host,
        blocked=blocked,
        unavailable=unavailable,
        bypass_availability=activity is not None and activity[1] in BYPASS_AVAILABILITY_TYPES,
    )
    rows = _rows(job.activity_id, targets, ctx.clock())
    created = 0
    async with ctx.sessions() as session, session.begin():
        for start in range(0, len(rows), INSERT_BATCH_SIZE):
            created += await insert_many_ignoring_conflicts(
                session,
                Delivery,
                rows[start : start + INSERT_BATCH_SIZE],
                conflict_columns=["activity_id", "inbox_url"],
            )
        await jobs.complete(session, FanoutJob, job_id)
    skipped = sum(target.is_skipped for target in targets)
    logger.info(
        "fan-out done activity_id=%d inboxes=%d new=%d skipped=%d",
        job.activity_id, len(targets), created, skipped,
    )  # fmt: skip
    return created
