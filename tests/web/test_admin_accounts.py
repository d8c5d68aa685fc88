"""The admin page for accounts: invitations with one-time passwords, and publishing grants."""

import re

import httpx

from hub.context import HubContext
from hub.services.accounts import list_accounts, may_publish_as
from hub.services.actors import create_actor, find_local_actor
from tests.support.staff import csrf_from, form_token, log_in, make_account


async def test_admin_invites_an_account_who_logs_in_with_the_one_time_password(
    staff_ctx: HubContext, browser_like: httpx.AsyncClient
) -> None:
    await make_account(staff_ctx, "admin@hub.test", is_admin=True)
    await log_in(browser_like, "admin@hub.test")
    token = await form_token(browser_like, "/admin/accounts")
    created = await browser_like.post(
        "/admin/accounts",
        data={"email": "guest@partner.example", "actors": ["org"], "csrf_token": token},
    )
    assert created.status_code == 201
    match = re.search(r'<code class="one-time-password">([^<]+)</code>', created.text)
    assert match is not None
    browser_like.cookies.clear()
    signed_in = await log_in(browser_like, "guest@partner.example", match.group(1))
    assert signed_in.headers["location"] == "/admin/password"
    summaries = await list_accounts(staff_ctx, by_account_id=None)
    guest = next(row for row in summaries if row.email == "guest@partner.example")
    assert guest.granted_actors == ("org",)
    assert guest.must_change_password


async def test_bad_email_is_shown_by_the_field_with_the_choices_kept(
    staff_ctx: HubContext, browser_like: httpx.AsyncClient
) -> None:
    await make_account(staff_ctx, "admin@hub.test", is_admin=True)
    await log_in(browser_like, "admin@hub.test")
    token = await form_token(browser_like, "/admin/accounts")
    response = await browser_like.post(
        "/admin/accounts",
        data={"email": "not-an-email", "actors": ["org"], "is_admin": "yes", "csrf_token": token},
    )
    assert response.status_code == 400
    assert 'id="email-error"' in response.text
    assert 'value="not-an-email"' in response.text
    assert re.search(r'id="actors-org" name="actors" value="org" checked', response.text)
    assert re.search(r'id="is_admin" name="is_admin" value="yes" checked', response.text)


async def test_invitation_without_csrf_token_creates_nothing_and_keeps_the_email(
    staff_ctx: HubContext, browser_like: httpx.AsyncClient
) -> None:
    await make_account(staff_ctx, "admin@hub.test", is_admin=True)
    await log_in(browser_like, "admin@hub.test")
    response = await browser_like.post("/admin/accounts", data={"email": "new@hub.test"})
    assert response.status_code == 403
    assert "This form had expired" in response.text
    assert 'value="new@hub.test"' in response.text
    emails = [row.email for row in await list_accounts(staff_ctx, by_account_id=None)]
    assert "new@hub.test" not in emails


async def test_staff_who_are_not_admins_may_not_manage_accounts(
    staff_ctx: HubContext, browser_like: httpx.AsyncClient
) -> None:
    await make_account(staff_ctx, actors=("org",))
    await log_in(browser_like)
    assert (await browser_like.get("/admin/accounts")).status_code == 403
    token = csrf_from((await browser_like.get("/logout")).text)
    response = await browser_like.post(
        "/admin/accounts", data={"email": "sneaky@hub.test", "csrf_token": token}
    )
    assert response.status_code == 403
    emails = [row.email for row in await list_accounts(staff_ctx, by_account_id=None)]
    assert "sneaky@hub.test" not in emails


async def test_admin_grants_and_revokes_the_right_to_publish(
    staff_ctx: HubContext, browser_like: httpx.AsyncClient
) -> None:
    await create_actor(staff_ctx, "sightings", actor_type="Service")
    await make_account(staff_ctx, "admin@hub.test", is_admin=True)
    staff = await make_account(staff_ctx, actors=("org",))
    sightings = await find_local_actor(staff_ctx, "sightings")
    assert sightings is not None
    await log_in(browser_like, "admin@hub.test")
    token = await form_token(browser_like, "/admin/accounts")
    grant_url = f"/admin/accounts/{staff.id}/grants"
    granted = await browser_like.post(
        grant_url, data={"actor": "sightings", "action": "grant", "csrf_token": token}
    )
    assert granted.status_code == 303
    assert await may_publish_as(staff_ctx, staff.id, sightings)
    page = await browser_like.get("/admin/accounts")
    assert "may now publish as @sightings" in page.text
    revoked = await browser_like.post(
        grant_url, data={"actor": "sightings", "action": "revoke", "csrf_token": token}
    )
    assert revoked.status_code == 303
    assert not await may_publish_as(staff_ctx, staff.id, sightings)


async def test_grant_for_an_unknown_actor_is_refused_with_a_message(
    staff_ctx: HubContext, browser_like: httpx.AsyncClient
) -> None:
    await make_account(staff_ctx, "admin@hub.test", is_admin=True)
    staff = await make_account(staff_ctx)
    await log_in(browser_like, "admin@hub.test")
    token = await form_token(browser_like, "/admin/accounts")
    response = await browser_like.post(
        f"/admin/accounts/{staff.id}/grants",
        data={"actor": "nobody", "action": "grant", "csrf_token": token},
    )
    assert response.status_code == 400
    assert "there is no actor called" in response.text
