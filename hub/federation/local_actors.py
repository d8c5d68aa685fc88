"""Look up our own actors from federation code, by id or by the activity that names them."""

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hub.models import Actor


async def local_actor_by_ap_id(session: AsyncSession, ap_id: str | None) -> Actor | None:
    """Return the local, not deleted actor with this id, if any."""
    if ap_id is None:
        return None
    statement = select(Actor).where(
        Actor.ap_id == ap_id, col(Actor.is_local), col(Actor.deleted_at).is_(None)
    )
    return (await session.exec(statement)).first()


async def actor_by_ap_id(session: AsyncSession, ap_id: str) -> Actor | None:
    """Return any actor row (local or a cached remote one) with this id."""
    return (await session.exec(select(Actor).where(Actor.ap_id == ap_id))).first()
