"""What the queues hold: depths, retrying deliveries and unavailable hosts (`hub status`)."""

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import col, select

from hub.context import HubContext
from hub.federation.hosts import unavailable_hosts
from hub.models import Delivery, FanoutJob, InboxItem


@dataclass(frozen=True)
class QueueStatus:
    """Counts by queue and state, and the hosts that are retrying or unavailable."""

    inbox: dict[str, int]
    fanout: dict[str, int]
    deliveries: dict[str, int]
    retrying_by_host: dict[str, int] = field(default_factory=dict)
    unavailable: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """Return the status as lines for a terminal."""

        def counts(values: dict[str, int]) -> str:
            return (
                ", ".join(f"{state} {count}" for state, count in sorted(values.items())) or "empty"
            )

        lines = [
            f"inbox: {counts(self.inbox)}",
            f"fan-out: {counts(self.fanout)}",
            f"deliveries: {counts(self.deliveries)}",
        ]
        retrying = sum(self.retrying_by_host.values())
        lines.append(f"retrying: {retrying}")
        lines.extend(f"  {host}: {count}" for host, count in sorted(self.retrying_by_host.items()))
        lines.append("unavailable hosts: " + (", ".join(self.unavailable) or "none"))
        return lines


async def queue_status(ctx: HubContext) -> QueueStatus:
    """Read the queue tables."""
    async with ctx.sessions() as session:

        async def by_state(
            model: type[InboxItem] | type[FanoutJob] | type[Delivery],
        ) -> dict[str, int]:
            statement = select(model.state, sa.func.count()).group_by(model.state)
            return {state: count for state, count in (await session.exec(statement)).all()}

        retrying = (
            await session.exec(
                select(Delivery.host, sa.func.count())
                .where(Delivery.state == "queued", col(Delivery.attempts) > 0)
                .group_by(Delivery.host)
            )
        ).all()
        return QueueStatus(
            inbox=await by_state(InboxItem),
            fanout=await by_state(FanoutJob),
            deliveries=await by_state(Delivery),
            retrying_by_host={host: count for host, count in retrying},
            unavailable=sorted(await unavailable_hosts(session)),
        )
