"""First-run set-up of a Hub: migrate, instance actor, organisation actor and admin account."""

from dataclasses import dataclass

from hub.context import HubContext
from hub.db import migrate
from hub.services.accounts import create_account, generate_password
from hub.services.actors import create_actor, ensure_instance_actor, primary_actor


@dataclass(frozen=True)
class InitialisedHub:
    """What `hub init` made; the password is shown once and never stored in clear."""

    actor_handle: str
    admin_email: str
    admin_password: str | None


async def prepare_database(ctx: HubContext) -> None:
    """Apply migrations and make sure the instance actor exists."""
    await migrate(ctx.engine)
    await ensure_instance_actor(ctx)


async def initialise_hub(
    ctx: HubContext,
    *,
    actor_name: str,
    actor_display_name: str,
    admin_email: str,
) -> InitialisedHub:
    """Create the organisation actor and an admin who may publish as it, unless present."""
    await prepare_database(ctx)
    existing = await primary_actor(ctx)
    if existing is not None:
        return InitialisedHub(existing.handle, admin_email, admin_password=None)
    actor = await create_actor(
        ctx, actor_name, actor_type="Organization", display_name=actor_display_name
    )
    assert actor.id is not None  # noqa: S101 - set when created
    password = generate_password()
    await create_account(
        ctx,
        admin_email,
        password,
        is_admin=True,
        must_change_password=True,
        grant_actor_ids=(actor.id,),
    )
    return InitialisedHub(actor.handle, admin_email, admin_password=password)
