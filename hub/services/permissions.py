"""Who may publish as which actor: admins, and accounts holding a PublishGrant."""

from sqlmodel import select

from hub.context import HubContext
from hub.models import Account, Actor, PublishGrant
from hub.services.errors import PermissionDenied


async def require_publish_right(ctx: HubContext, account_id: int | None, actor: Actor) -> None:
    """Raise PermissionDenied unless the account may publish as `actor`.

    `account_id=None` is the command line or the system itself, which may do anything.
    """
    if account_id is None:
        return
    async with ctx.sessions() as session:
        account = await session.get(Account, account_id)
        if account is not None and account.is_admin:
            return
        grant = (
            await session.exec(
                select(PublishGrant.id).where(
                    PublishGrant.account_id == account_id, PublishGrant.actor_id == actor.id
                )
            )
        ).first()
    if account is None or grant is None:
        raise PermissionDenied(f"this account may not publish as @{actor.username}")
