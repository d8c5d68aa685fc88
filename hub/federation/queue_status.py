"""What the queues hold: depths, retrying deliveries and unavailable hosts (`hub status`)."""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hub.context import HubContext
from hub.federation.hosts import unavailable_hosts
from hub.models import Delivery, FanoutJob, InboxItem

PENDING_STATES = ("queued", "running")


@dataclass(frozen=True)
class QueueStatus:
    """Counts by queue and state, and the hosts that are retrying or unavailable.

    `*_queued` counts jobs not yet finished (waiting or being worked on); retrying
    deliveries are queued ones that have failed at least once.
    """

    inbox_queued: int
    inbox_failed: int
    fanout_queued: int
    deliveries_queued: int
    deliveries_retrying: int
    deliveries_gave_up: int
    deliveries_done: int
    deliveries_skipped: int
    deliveries_failed: int
    unavailable_hosts: list[str]
    retrying_hosts: list[tuple[str, int]]

    def lines(self) -> list[str]:
        """Return the status as lines for a terminal."""
        lines = [
            f"inbox: {self.inbox_queued} queued, {self.inbox_failed} failed",
            f"fan-out: {self.fanout_queued} queued",
            f"deliveries: {self.deliveries_queued} queued, {self.deliveries_done} done, "
            f"{self.deliveries_gave_up} gave up, {self.deliveries_skipped} skipped, "
            f"{self.deliveries_failed} failed",
        ]
        if self.deliveries_retrying:
            lines.append(f"retrying: {self.deliveries_retrying}")
            lines.extend(f"  {host}: {count}" for host, count in self.retrying_hosts)
        else:
            lines.append("no deliveries waiting to retry")
        lines.append("unavailable hosts: " + (", ".join(self.unavailable_hosts) or "none"))
        return lines


async def _counts(
    session: AsyncSession, model: type[InboxItem] | type[FanoutJob] | type[Delivery]
) -> dict[str, int]:
    statement = select(model.state, sa.func.count()).group_by(model.state)
    return {state: int(count) for state, count in (await session.exec(statement)).all()}


async def queue_status(ctx: HubContext) -> QueueStatus:
    """Read the queue tables: one grouped count per table, one for retrying hosts."""
    async with ctx.sessions() as session:
        inbox = await _counts(session, InboxItem)
        fanout = await _counts(session, FanoutJob)
        deliveries = await _counts(session, Delivery)
        retrying = (
            await session.exec(
                select(Delivery.host, sa.func.count())
                .where(col(Delivery.state).in_(PENDING_STATES), col(Delivery.attempts) > 0)
                .group_by(Delivery.host)
                .order_by(sa.func.count().desc(), Delivery.host)
            )
        ).all()
        unavailable = sorted(await unavailable_hosts(session))
    return QueueStatus(
        inbox_queued=sum(inbox.get(state, 0) for state in PENDING_STATES),
        inbox_failed=inbox.get("failed", 0),
        fanout_queued=sum(fanout.get(state, 0) for state in PENDING_STATES),
        deliveries_queued=sum(deliveries.get(state, 0) for state in PENDING_STATES),
        deliveries_retrying=sum(int(count) for _, count in retrying),
        deliveries_gave_up=deliveries.get("gave_up", 0),
        deliveries_done=deliveries.get("done", 0),
        deliveries_skipped=deliveries.get("skipped", 0),
        deliveries_failed=deliveries.get("failed", 0),
        unavailable_hosts=unavailable,
        retrying_hosts=[(host, int(count)) for host, count in retrying],
    )
