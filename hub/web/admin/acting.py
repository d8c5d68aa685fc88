"""Which of our actors a staff page acts as: one the account may publish as, chosen by name."""

from hub.context import HubContext
from hub.models import Account
from hub.services.accounts import publishable_actors


async def actor_choice(ctx: HubContext, account: Account, wanted: str) -> tuple[list[str], str]:
    """Return the names the account may act as, and `wanted` if among them, else the first.

    The second value is "" when the account may act as no actor at all.
    """
    names = [actor.username for actor in await publishable_actors(ctx, account.id)]
    chosen = wanted if wanted in names else (names[0] if names else "")
    return names, chosen
