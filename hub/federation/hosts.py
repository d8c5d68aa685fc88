"""Host health and domain blocks (spec §8.3, Mastodon's DeliveryFailureTracker).

Every failed delivery attempt records the current UTC day for the inbox's host; a host that
has failed on 7 distinct days is marked unavailable and deliveries to it are skipped: the
fan-out creates them as `skipped`, and a queued one is marked `skipped` when claimed,
without a request. Follow activities bypass this, as in Mastodon. A successful delivery, or
a validly signed request from the host, revives it: failure days and the mark are cleared.

A host here is a URL's authority in lowercase (`example.org`, or `example.org:8443`).
"""

import logging
from collections.abc import Collection
from datetime import datetime
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hub.context import HubContext
from hub.db import insert_ignoring_conflicts
from hub.models import BlockedDomain, HostHealth

logger = logging.getLogger(__name__)

UNAVAILABLE_AFTER_DAYS = 7
UNAVAILABLE_REASON = "host unavailable: failed on 7 distinct days"
# Activity types delivered even to unavailable hosts: a follow request must reach a host
# that may well be back, or it would never be answered (Mastodon's bypass_availability).
BYPASS_AVAILABILITY_TYPES = frozenset({"Follow"})


def host_of(url: str) -> str:
    """Return the host (authority, lowercase) deliveries and host health are keyed by."""
    return urlsplit(url).netloc.lower()


def _domain_candidates(host: str) -> set[str]:
    name = host.lower().split(":", 1)[0].rstrip(".")
    parts = name.split(".")
    # A block of example.org covers www.example.org; the bare TLD is never a candidate.
    return {name} | {".".join(parts[index:]) for index in range(1, len(parts) - 1)}


def is_blocked_by(host: str, blocked: Collection[str]) -> bool:
    """Return whether `host` or a parent domain of it is in `blocked` (no I/O)."""
    return not _domain_candidates(host).isdisjoint(blocked)


async def is_blocked(session: AsyncSession, host: str) -> bool:
    """Return whether a host, or a domain it belongs to, is blocked."""
    statement = select(BlockedDomain.domain).where(
        col(BlockedDomain.domain).in_(_domain_candidates(host))
    )
    return (await session.exec(statement.limit(1))).first() is not None


async def blocked_domains(session: AsyncSession) -> frozenset[str]:
    """Return every blocked domain, for filtering many hosts at once."""
    return frozenset((await session.exec(select(BlockedDomain.domain))).all())


async def blocked_domains_of(ctx: HubContext) -> frozenset[str]:
    """Return the blocked domains, read at most every few seconds (HubContext.host_lists)."""
    cached = ctx.host_lists.get("blocked")
    if cached is None:
        async with ctx.sessions() as session:
            cached = await blocked_domains(session)
        ctx.host_lists.put("blocked", cached)
    return cached


async def unavailable_hosts_of(ctx: HubContext) -> frozenset[str]:
    """Return the unavailable hosts, read at most every few seconds (HubContext.host_lists)."""
    cached = ctx.host_lists.get("unavailable")
    if cached is None:
        async with ctx.sessions() as session:
            cached = frozenset(await unavailable_hosts(session))
        ctx.host_lists.put("unavailable", cached)
    return cached


async def unavailable_hosts(session: AsyncSession) -> set[str]:
    """Return the hosts deliveries currently skip."""
    statement = select(HostHealth.host).where(col(HostHealth.unavailable_since).is_not(None))
    return set((await session.exec(statement)).all())


async def is_unavailable(session: AsyncSession, host: str) -> bool:
    """Return whether deliveries to `host` are currently skipped."""
    statement = select(HostHealth.unavailable_since).where(HostHealth.host == host)
    return (await session.exec(statement)).first() is not None


async def record_failure(session: AsyncSession, host: str, now: datetime) -> bool:
    """Note a failed attempt on `now`'s UTC day; return whether the host just became unavailable.

    Safe under concurrent workers: the row is created with insert-or-ignore and then
    updated under a row lock (PostgreSQL; SQLite has one writer anyway).
    """
    await insert_ignoring_conflicts(
        session, HostHealth, {"host": host, "failure_days": []}, conflict_columns=["host"]
    )
    statement = select(HostHealth).where(HostHealth.host == host).with_for_update()
    health = (await session.exec(statement.execution_options(populate_existing=True))).one()
    if health.unavailable_since is not None:
        return False  # already skipped; the days no longer matter until it revives
    today = now.date().isoformat()
    if today not in health.failure_days:
        health.failure_days = [*health.failure_days, today]
    if len(health.failure_days) < UNAVAILABLE_AFTER_DAYS:
        session.add(health)
        return False
    health.unavailable_since = now
    session.add(health)
    logger.warning(
        "host marked unavailable host=%s failure_days=%d", host, len(health.failure_days)
    )
    return True


async def _clear(session: AsyncSession, host: str, now: datetime | None) -> bool:
    table = sa.inspect(HostHealth).local_table
    assert isinstance(table, sa.Table)  # noqa: S101 - a SQLModel table class
    # One conditional UPDATE: a healthy host (the usual case) costs no row write, and the
    # inbox path that calls this takes no extra round trip to read first.
    values: dict[str, object] = {"failure_days": [], "unavailable_since": None}
    if now is not None:
        values["last_success_at"] = now
    result = await session.exec(
        sa.update(table)
        .where(
            table.c.host == host,
            sa.or_(
                table.c.unavailable_since.is_not(None),
                sa.cast(table.c.failure_days, sa.Text) != "[]",
            ),
        )
        .values(values)
        .returning(table.c.host)
    )
    return result.first() is not None


async def revive_hosts(session: AsyncSession, hosts: Collection[str], now: datetime) -> bool:
    """Clear the failure records of several hosts that answered, in the caller's transaction.

    Returns whether any host had failures on record.
    """
    table = sa.inspect(HostHealth).local_table
    assert isinstance(table, sa.Table)  # noqa: S101 - a SQLModel table class
    names = sorted({host.lower() for host in hosts})
    if not names:
        return False
    result = await session.exec(
        sa.update(table)
        .where(
            table.c.host.in_(names),
            sa.or_(
                table.c.unavailable_since.is_not(None),
                sa.cast(table.c.failure_days, sa.Text) != "[]",
            ),
        )
        .values(failure_days=[], unavailable_since=None, last_success_at=now)
        .returning(table.c.host)
    )
    revived = result.scalars().all()
    for host in revived:
        logger.info("host healthy again host=%s", host)
    return bool(revived)


async def revive_host(
    ctx_or_session: HubContext | AsyncSession, host: str, now: datetime | None = None
) -> bool:
    """Clear a host's failure days and unavailable mark: it answered, or it wrote to us.

    Given a session, the change joins the caller's transaction; given a HubContext, it
    commits on its own. Called by the inbox for every validly signed request and by
    delivery after every success. Returns whether the host had failures on record.
    """
    name = host.lower()
    if isinstance(ctx_or_session, AsyncSession):
        revived = await _clear(ctx_or_session, name, now)
    else:
        async with ctx_or_session.sessions() as session, session.begin():
            revived = await _clear(session, name, now)
        if revived:
            ctx_or_session.host_lists.discard("unavailable")
    if revived:
        logger.info("host healthy again host=%s", name)
    return revived
