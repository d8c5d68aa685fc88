"""Account services: who may publish as which actor, invitations, grants and the login limit."""

from datetime import timedelta

import pytest

from hub.clock import ManualClock
from hub.context import HubContext
from hub.services.accounts import (
    grant_publishing,
    invite_account,
    list_accounts,
    publishable_actors,
    revoke_publishing,
)
from hub.services.actors import create_actor
from hub.services.errors import InvalidInput, PermissionDenied, TooManyAttempts
from hub.services.logins import LOGIN_WINDOW, MAX_FAILURES_PER_EMAIL, log_in
from tests.support.staff import STAFF_PASSWORD, make_account


async def test_admins_may_publish_as_every_actor_and_staff_only_as_granted(
    ctx: HubContext,
) -> None:
    await create_actor(ctx, "org")
    await create_actor(ctx, "sightings", actor_type="Service")
    admin = await make_account(ctx, "admin@hub.test", is_admin=True)
    staff = await make_account(ctx, actors=("sightings",))
    nobody = await make_account(ctx, "nobody@hub.test")
    assert [a.username for a in await publishable_actors(ctx, admin.id)] == ["org", "sightings"]
    assert [a.username for a in await publishable_actors(ctx, staff.id)] == ["sightings"]
    assert await publishable_actors(ctx, nobody.id) == []


async def test_only_an_admin_may_invite_or_grant(ctx: HubContext) -> None:
    await create_actor(ctx, "org")
    staff = await make_account(ctx, actors=("org",))
    with pytest.raises(PermissionDenied):
        await invite_account(
            ctx, "new@hub.test", is_admin=True, actor_names=(), by_account_id=staff.id
        )
    with pytest.raises(PermissionDenied):
        await grant_publishing(ctx, staff.id or 0, "org", by_account_id=staff.id)
    assert [row.email for row in await list_accounts(ctx, by_account_id=None)] == ["staff@hub.test"]


async def test_invitation_for_an_unknown_actor_creates_nothing(ctx: HubContext) -> None:
    with pytest.raises(InvalidInput) as refused:
        await invite_account(
            ctx, "new@hub.test", is_admin=False, actor_names=("ghost",), by_account_id=None
        )
    assert refused.value.field == "actors"
    assert await list_accounts(ctx, by_account_id=None) == []


async def test_grant_is_idempotent_and_revoke_removes_it(ctx: HubContext) -> None:
    await create_actor(ctx, "org")
    staff = await make_account(ctx)
    assert staff.id is not None
    for _ in range(2):
        await grant_publishing(ctx, staff.id, "org", by_account_id=None)
    (row,) = await list_accounts(ctx, by_account_id=None)
    assert row.granted_actors == ("org",)
    await revoke_publishing(ctx, staff.id, "org", by_account_id=None)
    (row,) = await list_accounts(ctx, by_account_id=None)
    assert row.granted_actors == ()


async def test_refused_attempts_do_not_prolong_the_wait(
    ctx: HubContext, clock: ManualClock
) -> None:
    await make_account(ctx)
    for _ in range(MAX_FAILURES_PER_EMAIL):
        with pytest.raises(InvalidInput):
            await log_in(ctx, "staff@hub.test", "wrong password", client_address="192.0.2.1")
        clock.advance(timedelta(seconds=10))
    for _ in range(3):
        with pytest.raises(TooManyAttempts):
            await log_in(ctx, "staff@hub.test", STAFF_PASSWORD, client_address="192.0.2.1")
    # The window counts from the first failure, however often the door was tried since.
    clock.advance(
        LOGIN_WINDOW - timedelta(seconds=10 * MAX_FAILURES_PER_EMAIL) + timedelta(seconds=1)
    )
    account = await log_in(ctx, "staff@hub.test", STAFF_PASSWORD, client_address="192.0.2.1")
    assert account.email == "staff@hub.test"
