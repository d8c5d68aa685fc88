"""Host health and blocks: a host failing on 7 distinct days is skipped until it speaks again."""

import logging
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hub.db import insert_ignoring_conflicts
from hub.models import BlockedDomain, HostHealth

logger = logging.getLogger(__name__)

UNAVAILABLE_AFTER_DAYS = 7


async def is_blocked(session: AsyncSession, host: str) -> bool:
    """Return whether a host, or a domain it belongs to, is blocked."""
    name = host.lower().split(":", 1)[0]
    candidates = {name}
    parts = name.split(".")
    candidates.update(".".join(parts[index:]) for index in range(1, len(parts) - 1))
    statement = select(BlockedDomain.domain).where(col(BlockedDomain.domain).in_(candidates))
    return (await session.exec(statement.limit(1))).first() is not None


async def unavailable_hosts(session: AsyncSession) -> set[str]:
    """Return the hosts deliveries currently skip."""
    statement = select(HostHealth.host).where(col(HostHealth.unavailable_since).is_not(None))
    return set((await session.exec(statement)).all())


async def record_failure(session: AsyncSession, host: str, now: datetime) -> bool:
    """Note a failed attempt today; return whether the host has just become unavailable."""
    # Deliveries to one host fail side by side; the row must be created exactly once.
    await insert_ignoring_conflicts(
        session, HostHealth, {"host": host, "failure_days": []}, conflict_columns=["host"]
    )
    health = await session.get(HostHealth, host, populate_existing=True)
    assert health is not None  # noqa: S101 - inserted above
    today = now.date().isoformat()
    if today not in health.failure_days:
        health.failure_days = [*health.failure_days, today]
    became_unavailable = False
    if health.unavailable_since is None and len(health.failure_days) >= UNAVAILABLE_AFTER_DAYS:
        health.unavailable_since = now
        became_unavailable = True
        logger.warning("host marked unavailable host=%s days=%d", host, len(health.failure_days))
    session.add(health)
    return became_unavailable


async def revive_host(session: AsyncSession, host: str, now: datetime | None = None) -> None:
    """Clear a host's failures: it answered a delivery, or sent us a validly signed request."""
    health = await session.get(HostHealth, host)
    if health is None:
        return
    if health.unavailable_since is not None:
        logger.info("host available again host=%s", host)
    health.failure_days = []
    health.unavailable_since = None
    if now is not None:
        health.last_success_at = now
    session.add(health)
