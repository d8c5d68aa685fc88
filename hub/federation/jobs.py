"""Job-table mechanics shared by the inbox, fan-out and delivery queues.

A job row is `queued` until a worker claims it: the claim sets `state='running'` and a lease
(`locked_until`) in one short transaction. On PostgreSQL the claim selects with
`FOR UPDATE SKIP LOCKED`, so any number of worker processes claim side by side and never
take the same row; on SQLite the single writer makes `UPDATE … RETURNING` atomic. A job
whose worker died stays `running` with a lease in the past, and that counts as due again.

Claims open their own transaction; the helpers that finish a job take the caller's session,
so a job's outcome commits together with whatever else the job wrote.
"""

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from hub.context import HubContext
from hub.models import Delivery, FanoutJob, InboxItem

JobModel = type[InboxItem] | type[FanoutJob] | type[Delivery]

MAX_ERROR_CHARS = 500
# Claimed, or claimable again once the lease has run out.
ACTIVE_STATES = ("queued", "running")


def _table(model: JobModel) -> sa.Table:
    table = sa.inspect(model).local_table
    assert isinstance(table, sa.Table)  # noqa: S101 - every SQLModel table class has one
    return table


def truncate_error(error: object) -> str:
    """Return an error as text that fits a job row's `last_error`."""
    return str(error)[:MAX_ERROR_CHARS]


def _due(table: sa.Table, now: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(
        table.c.state.in_(ACTIVE_STATES),
        table.c.next_attempt_at <= now,
        sa.or_(table.c.locked_until.is_(None), table.c.locked_until < now),
    )


async def claim_due(
    ctx: HubContext,
    model: JobModel,
    *,
    limit: int,
    lease: timedelta,
    skip_hosts: Collection[str] = (),
) -> list[int]:
    """Claim up to `limit` due jobs, oldest due first, for `lease`; return their ids.

    Due means queued and `next_attempt_at <= now`, or running with an expired lease (its
    worker crashed or hung). Claimed rows are `running` until the lease ends. `skip_hosts`
    (deliveries only) leaves the rows of hosts this worker is already busy with.
    """
    if limit <= 0:
        return []
    table = _table(model)
    now = ctx.clock()
    claimed = {"state": "running", "locked_until": now + lease}
    due_ids = (
        select(table.c.id)
        .where(_due(table, now))
        .order_by(table.c.next_attempt_at, table.c.id)
        .limit(limit)
    )
    if skip_hosts:
        due_ids = due_ids.where(table.c.host.not_in(list(skip_hosts)))
    async with ctx.sessions() as session, session.begin():
        if ctx.engine.dialect.name == "postgresql":
            # Rows another worker is claiming right now are skipped, not waited for.
            locked = await session.exec(due_ids.with_for_update(skip_locked=True))
            ids = [int(row_id) for row_id in locked.all()]
            if ids:
                await session.exec(sa.update(table).where(table.c.id.in_(ids)).values(claimed))
            return ids
        # SQLite takes its one write lock for the UPDATE, so select-and-mark is atomic.
        updated = await session.exec(
            sa.update(table)
            .where(table.c.id.in_(due_ids.scalar_subquery()))
            .values(claimed)
            .returning(table.c.id)
        )
        return sorted(int(row_id) for row_id in updated.scalars().all())


async def _finish(
    session: AsyncSession,
    model: JobModel,
    job_id: int,
    values: dict[str, Any],
    *,
    count_attempt: bool,
) -> bool:
    table = _table(model)
    if values.get("last_error") is not None:
        values["last_error"] = truncate_error(values["last_error"])
    if "last_status" in values and "last_status" not in table.c:
        del values["last_status"]  # only deliveries record an HTTP status
    if count_attempt:
        values["attempts"] = table.c.attempts + 1
    result = await session.exec(
        sa.update(table)
        # Only a claimed job moves on: a row someone reset or finished meanwhile is left alone.
        .where(table.c.id == job_id, table.c.state == "running")
        .values(locked_until=None, **values)
    )
    return bool(result.rowcount)


async def complete(
    session: AsyncSession,
    model: JobModel,
    job_id: int,
    *,
    count_attempt: bool = False,
    **values: Any,
) -> bool:
    """Mark a claimed job `done`, setting any extra columns; return whether it was claimed.

    `count_attempt` adds one to `attempts` in SQL, for callers that do not track it.
    """
    return await _finish(
        session, model, job_id, {"state": "done", **values}, count_attempt=count_attempt
    )


async def complete_many(
    session: AsyncSession,
    model: JobModel,
    job_ids: Sequence[int],
    *,
    count_attempt: bool = False,
    **values: Any,
) -> int:
    """Mark several claimed jobs `done` with the same extra columns; return how many moved."""
    if not job_ids:
        return 0
    table = _table(model)
    if count_attempt:
        values["attempts"] = table.c.attempts + 1
    result = await session.exec(
        sa.update(table)
        .where(table.c.id.in_(list(job_ids)), table.c.state == "running")
        .values(state="done", locked_until=None, **values)
    )
    return int(result.rowcount or 0)


async def retry_later(
    session: AsyncSession,
    model: JobModel,
    job_id: int,
    *,
    next_attempt_at: datetime,
    error: object,
    status: int | None = None,
    count_attempt: bool = False,
    **values: Any,
) -> bool:
    """Put a claimed job back in the queue, due at `next_attempt_at`, recording why."""
    return await _finish(
        session,
        model,
        job_id,
        {
            "state": "queued",
            "next_attempt_at": next_attempt_at,
            "last_error": error,
            "last_status": status,
            **values,
        },
        count_attempt=count_attempt,
    )


async def give_up(
    session: AsyncSession,
    model: JobModel,
    job_id: int,
    *,
    error: object,
    status: int | None = None,
    state: str = "gave_up",
    count_attempt: bool = False,
    **values: Any,
) -> bool:
    """End a claimed job without success: `gave_up`, `failed` or `skipped`, recording why."""
    return await _finish(
        session,
        model,
        job_id,
        {"state": state, "last_error": error, "last_status": status, **values},
        count_attempt=count_attempt,
    )


async def release(session: AsyncSession, model: JobModel, job_ids: Sequence[int]) -> None:
    """Hand claimed jobs back, due as before and with no attempt counted."""
    if not job_ids:
        return
    table = _table(model)
    await session.exec(
        sa.update(table)
        .where(table.c.id.in_(job_ids), table.c.state == "running")
        .values(state="queued", locked_until=None)
    )


async def attempts_of(session: AsyncSession, model: JobModel, job_id: int) -> int:
    """Return how many attempts a job has had so far."""
    table = _table(model)
    result = await session.exec(select(table.c.attempts).where(table.c.id == job_id))
    return int(result.first() or 0)
