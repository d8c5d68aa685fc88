"""Read the ActivityPub collections of a local actor, one keyset page at a time."""

from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa
from sqlmodel import col, select

from hub.context import HubContext
from hub.models import Actor, Follow, OutgoingActivity

PAGE_SIZE = 20
CollectionName = Literal["outbox", "followers", "following", "featured"]
COLLECTION_NAMES: tuple[CollectionName, ...] = ("outbox", "followers", "following", "featured")


@dataclass(frozen=True)
class CollectionPage:
    """One page of a collection: its items, the cursor of the next page, and the total."""

    items: list[str | dict[str, Any]]
    next_cursor: int | None


async def collection_total(ctx: HubContext, actor: Actor, name: CollectionName) -> int:
    """Return `totalItems` of one of an actor's collections."""
    async with ctx.sessions() as session:
        if name == "outbox":
            statement = select(sa.func.count()).select_from(OutgoingActivity)
            statement = statement.where(
                OutgoingActivity.actor_id == actor.id, col(OutgoingActivity.is_public)
            )
        elif name in ("followers", "following"):
            own_side, _ = _follow_sides(name)
            statement = (
                select(sa.func.count())
                .select_from(Follow)
                .where(own_side == actor.id, Follow.state == "accepted")
            )
        else:
            return 0
        return (await session.exec(statement)).one()


async def collection_page(
    ctx: HubContext, actor: Actor, name: CollectionName, *, before: int | None
) -> CollectionPage:
    """Return the page of newest items older than the cursor `before` (an internal row id).

    A keyset page costs the same however long the collection is; it does not count it.
    """
    async with ctx.sessions() as session:
        if name == "outbox":
            outbox = select(OutgoingActivity.id, OutgoingActivity.body).where(
                OutgoingActivity.actor_id == actor.id, col(OutgoingActivity.is_public)
            )
            if before is not None:
                outbox = outbox.where(col(OutgoingActivity.id) < before)
            outbox = outbox.order_by(col(OutgoingActivity.id).desc()).limit(PAGE_SIZE + 1)
            activity_rows = (await session.exec(outbox)).all()
            return _page([(row[0], row[1]) for row in activity_rows])
        if name in ("followers", "following"):
            own_side, other_side = _follow_sides(name)
            follows = (
                select(Follow.id, Actor.ap_id)
                .join(Actor, other_side == Actor.id)
                .where(own_side == actor.id, Follow.state == "accepted")
            )
            if before is not None:
                follows = follows.where(col(Follow.id) < before)
            follows = follows.order_by(col(Follow.id).desc()).limit(PAGE_SIZE + 1)
            follow_rows = (await session.exec(follows)).all()
            return _page([(row[0], row[1]) for row in follow_rows])
    return CollectionPage(items=[], next_cursor=None)


def _follow_sides(name: CollectionName) -> tuple[Any, Any]:
    """Return (the column holding the actor, the column holding the other side)."""
    if name == "followers":
        return col(Follow.followed_id), col(Follow.follower_id)
    return col(Follow.follower_id), col(Follow.followed_id)


def _page(rows: list[tuple[int | None, Any]]) -> CollectionPage:
    has_more = len(rows) > PAGE_SIZE
    shown = rows[:PAGE_SIZE]
    next_cursor = shown[-1][0] if has_more and shown else None
    return CollectionPage(items=[item for _, item in shown], next_cursor=next_cursor)
