"""Job-table mechanics shared by the inbox, fan-out and delivery queues.

A job is claimed by setting a lease (`locked_until`) in one short transaction; on
PostgreSQL `FOR UPDATE SKIP LOCKED` lets any number of workers claim side by side. A job
whose worker died is due again once its lease has run out.
"""

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select

from hub.context import HubContext

MAX_ERROR_LENGTH = 500


def _due(table: sa.Table, now: datetime) -> Any:
    return sa.and_(
        table.c.state.in_(("queued", "running")),
        table.c.next_attempt_at <= now,
        sa.or_(table.c.locked_until.is_(None), table.c.locked_until < now),
    )


async def claim_due(ctx: HubContext, model: Any, *, limit: int, lease: timedelta) -> list[int]:
    """Claim up to `limit` due jobs of a job table for `lease`; return their ids."""
    table: sa.Table = model.__table__
    now = ctx.clock()
    async with ctx.sessions() as session, session.begin():
        if session.get_bind().dialect.name == "postgresql":
            chosen = (
                select(col(model.id))
                .where(_due(table, now))
                .order_by(table.c.next_attempt_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
            ids = [int(job_id) for job_id in (await session.exec(chosen)).all()]
            if ids:
                await session.exec(
                    sa.update(table)
                    .where(table.c.id.in_(ids))
                    .values(state="running", locked_until=now + lease)
                )
            return ids
        # SQLite has one writer at a time, so the subquery and update cannot interleave.
        subquery = (
            sa.select(table.c.id)
            .where(_due(table, now))
            .order_by(table.c.next_attempt_at)
            .limit(limit)
            .scalar_subquery()
        )
        result = await session.exec(
            sa.update(table)
            .where(table.c.id.in_(subquery))
            .values(state="running", locked_until=now + lease)
            .returning(table.c.id)
        )
        return list(result.scalars().all())


async def finish(ctx: HubContext, model: Any, job_id: int, *, state: str, **values: Any) -> None:
    """Set a claimed job's final state (`done`, `failed`, `gave_up`) and release its lease."""
    table: sa.Table = model.__table__
    if "last_error" in values and values["last_error"] is not None:
        values["last_error"] = str(values["last_error"])[:MAX_ERROR_LENGTH]
    async with ctx.sessions() as session, session.begin():
        await session.exec(
            sa.update(table)
            .where(table.c.id == job_id)
            .values(state=state, locked_until=None, **values)
        )


async def retry_later(
    ctx: HubContext, model: Any, job_id: int, *, at: datetime, **values: Any
) -> None:
    """Put a claimed job back in the queue, due at `at`."""
    await finish(ctx, model, job_id, state="queued", next_attempt_at=at, **values)
