"""Remote actors that block ours: record and lift blocks, and keep deliveries away from them."""

from collections.abc import Collection

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hub.models import Actor, ActorBlock


async def is_blocked_by(session: AsyncSession, *, blocker: Actor, blocked: Actor) -> bool:
    """Return whether `blocker` has told us it blocks `blocked`."""
    statement = select(ActorBlock.id).where(
        ActorBlock.blocker_id == blocker.id, ActorBlock.blocked_id == blocked.id
    )
    return (await session.exec(statement)).first() is not None


async def blocker_inboxes(session: AsyncSession, blocked_actor_id: int) -> set[str]:
    """Return the personal inboxes of the actors that block one of ours.

    Shared inboxes are not listed: other people on the blocker's server still receive what
    they follow; only the one-to-one deliveries to the blocker stop.
    """
    statement = (
        select(Actor.inbox_url)
        .join(ActorBlock, col(ActorBlock.blocker_id) == col(Actor.id))
        .where(col(ActorBlock.blocked_id) == blocked_actor_id)
    )
    return set((await session.exec(statement)).all())


def without_blocked(inbox_urls: Collection[str], blocked_inboxes: Collection[str]) -> list[str]:
    """Return the inboxes in order, leaving out those of blockers."""
    return [url for url in inbox_urls if url not in blocked_inboxes]
