"""Helpers for staff-page tests: accounts, logging in, and reading CSRF tokens from forms."""

import re

import httpx

from hub.context import HubContext
from hub.models import Account
from hub.services.accounts import create_account
from hub.services.actors import find_local_actor

STAFF_PASSWORD = "correct horse battery staple"
_CSRF_PATTERN = re.compile(r'name="csrf_token" value="([^"]+)"')


async def make_account(
    ctx: HubContext,
    email: str = "staff@hub.test",
    *,
    password: str = STAFF_PASSWORD,
    is_admin: bool = False,
    must_change_password: bool = False,
    actors: tuple[str, ...] = (),
) -> Account:
    """Create an account allowed to publish as the named local actors."""
    actor_ids = []
    for name in actors:
        actor = await find_local_actor(ctx, name)
        assert actor is not None
        assert actor.id is not None
        actor_ids.append(actor.id)
    return await create_account(
        ctx,
        email,
        password,
        is_admin=is_admin,
        must_change_password=must_change_password,
        grant_actor_ids=tuple(actor_ids),
    )


def csrf_from(html: str) -> str:
    """Return the CSRF token of the (first) form on a page."""
    match = _CSRF_PATTERN.search(html)
    assert match is not None, "the page has no form with a CSRF token"
    return match.group(1)


async def form_token(client: httpx.AsyncClient, path: str) -> str:
    """GET a page and return its form's CSRF token (this also starts a session)."""
    page = await client.get(path)
    assert page.status_code == 200, page.text
    return csrf_from(page.text)


async def log_in(
    client: httpx.AsyncClient, email: str = "staff@hub.test", password: str = STAFF_PASSWORD
) -> httpx.Response:
    """Log in through the login form and return its response (a redirect when it worked)."""
    token = await form_token(client, "/login")
    return await client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token}
    )
