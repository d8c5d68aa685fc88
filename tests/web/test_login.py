"""Logging in and out: session cookies, CSRF on the form, the rate limit, forced password change."""

from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from hub.clock import ManualClock
from hub.context import HubContext
from hub.services.logins import MAX_FAILURES_PER_CLIENT, MAX_FAILURES_PER_EMAIL
from hub.web.app import create_app
from tests.support.keys import KeyPool
from tests.support.settings import make_settings
from tests.support.staff import STAFF_PASSWORD, csrf_from, form_token, log_in, make_account


def _session_cookie_header(response: httpx.Response) -> str:
    headers = [value for value in response.headers.get_list("set-cookie") if "hub_session" in value]
    assert len(headers) == 1, response.headers
    return headers[0]


async def test_session_cookie_is_httponly_lax_secure_and_host_only_on_https(
    browser_like: httpx.AsyncClient,
) -> None:
    page = await browser_like.get("/login")
    cookie = _session_cookie_header(page)
    assert cookie.startswith("__Host-hub_session=")
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "secure", "samesite", "path", "max-age"} <= attributes
    assert "SameSite=Lax" in cookie
    assert "Path=/" in cookie
    assert "Domain" not in cookie
    assert page.headers["cache-control"] == "no-store"


async def test_session_cookie_is_not_secure_on_plain_http(
    database_url: str, tmp_path: Path, key_pool: KeyPool
) -> None:
    settings = make_settings(database_url, tmp_path / "data", base_url="http://localhost:8000")
    app = create_app(settings, generate_keys=key_pool)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost:8000") as http:
            cookie = _session_cookie_header(await http.get("/login"))
    assert cookie.startswith("hub_session=")
    assert "Secure" not in cookie
    assert "HttpOnly" in cookie


async def test_public_pages_never_set_a_cookie_even_when_signed_in(
    staff_ctx: HubContext, browser_like: httpx.AsyncClient
) -> None:
    await make_account(staff_ctx, actors=("org",))
    await log_in(browser_like)
    for path in ("/", "/@org"):
        response = await browser_like.get(path)
        assert response.status_code == 200
        assert "set-cookie" not in response.headers


async def test_right_password_signs_in_and_goes_to_the_requested_page(
    staff_ctx: HubContext, browser_like: httpx.AsyncClient
) -> None:
    await make_account(staff_ctx, actors=("org",))
    token = await form_token(browser_like, "/login?next=/admin/accounts")
    response = await browser_like.post(
        "/login",
        data={
            "email": "Staff@Hub.test ",
            "password": STAFF_PASSWORD,
            "next": "/admin/accounts",
            "csrf_token": token,
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/accounts"
    home = await browser_like.get("/")
    assert 'href="/logout"' in home.text


@pytest.mark.parametrize(
    "next_path", ["//evil.example/", "https://evil.example/", "/\\evil.example"], ids=str
)
async def test_login_never_redirects_off_site(
    staff_ctx: HubContext, browser_like: httpx.AsyncClient, next_path: str
) -> None:
    await make_account(staff_ctx)
    token = await form_token(browser_like, "/login")
    response = await browser_like.post(
        "/login",
        data={"email": "staff@hub.test", "password": STAFF_PASSWORD, "next": next_path,
              "csrf_token": token},
    )  # fmt: skip
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/posts"


async def test_wrong_password_shows_message_by_the_field_and_keeps_the_email(
    staff_ctx: HubContext, browser_like: httpx.AsyncClient
) -> None:
    await make_account(staff_ctx)
    response = await log_in(browser_like, "staff@hub.test", "not the password at all")
    assert response.status_code == 400
    assert "The email address or the password is not right." in response.text
    assert 'id="password-error"' in response.text
    assert 'aria-describedby="password-error"' in response.text
    assert 'value="staff@hub.test"' in response.text
    assert "set-cookie" not in response.headers or "account" not in response.text


async def test_unknown_email_gets_the_same_answer_as_a_wrong_password(
    browser_like: httpx.AsyncClient,
) -> None:
    response = await log_in(browser_like, "nobody@hub.test", "whatever password")
    assert response.status_code == 400
    assert "The email address or the password is not right." in response.text


async def test_login_without_csrf_token_is_refused_and_keeps_the_email(
    staff_ctx: HubContext, browser_like: httpx.AsyncClient
) -> None:
    await make_account(staff_ctx)
    await browser_like.get("/login")
    response = await browser_like.post(
        "/login", data={"email": "staff@hub.test", "password": STAFF_PASSWORD}
    )
    assert response.status_code == 403
    assert "This form had expired" in response.text
    assert 'value="staff@hub.test"' in response.text
    assert (await browser_like.get("/admin/accounts")).status_code == 303


async def test_login_with_a_wrong_csrf_token_is_refused(
    staff_ctx: HubContext, browser_like: httpx.AsyncClient
) -> None:
    await make_account(staff_ctx)
    await browser_like.get("/login")
    response = await browser_like.post(
        "/login",
        data={"email": "staff@hub.test", "password": STAFF_PASSWORD, "csrf_token": "forged"},
    )
    assert response.status_code == 403
    # The page offers a fresh token, so submitting again works.
    retry = await browser_like.post(
        "/login",
        data={"email": "staff@hub.test", "password": STAFF_PASSWORD,
              "csrf_token": csrf_from(response.text)},
    )  # fmt: skip
    assert retry.status_code == 303


async def test_failed_logins_for_one_email_are_limited_then_allowed_after_the_window(
    staff_ctx: HubContext, browser_like: httpx.AsyncClient, clock: ManualClock
) -> None:
    await make_account(staff_ctx)
    for _ in range(MAX_FAILURES_PER_EMAIL):
        assert (await log_in(browser_like, password="wrong password")).status_code == 400
    refused = await log_in(browser_like)
    assert refused.status_code == 429
    assert "Too many failed logins" in refused.text
    assert 0 < int(refused.headers["retry-after"]) <= 15 * 60 + 1
    clock.advance(timedelta(minutes=16))
    assert (await log_in(browser_like)).status_code == 303


async def test_failed_logins_from_one_address_are_limited_across_emails(
    staff_ctx: HubContext, browser_like: httpx.AsyncClient, staff_app: Starlette
) -> None:
    await make_account(staff_ctx)
    for number in range(MAX_FAILURES_PER_CLIENT):
        response = await log_in(browser_like, f"guess{number}@hub.test", "wrong password")
        assert response.status_code == 400
    assert (await log_in(browser_like)).status_code == 429
    # Someone at another address is not affected.
    other = httpx.ASGITransport(app=staff_app, client=("192.0.2.44", 5000))
    async with httpx.AsyncClient(transport=other, base_url="https://hub.test") as elsewhere:
        assert (await log_in(elsewhere)).status_code == 303


async def test_rate_limit_is_shared_by_every_process_on_the_database(
    staff_ctx: HubContext,
    browser_like: httpx.AsyncClient,
    database_url: str,
    tmp_path: Path,
    key_pool: KeyPool,
    clock: ManualClock,
) -> None:
    await make_account(staff_ctx)
    for _ in range(MAX_FAILURES_PER_EMAIL):
        await log_in(browser_like, password="wrong password")
    # A second app on the same database stands for another `hub serve` process.
    settings = make_settings(database_url, tmp_path / "second")
    second = create_app(settings, generate_keys=key_pool, clock=clock)
    async with second.router.lifespan_context(second):
        transport = httpx.ASGITransport(app=second)
        async with httpx.AsyncClient(transport=transport, base_url="https://hub.test") as http:
            assert (await log_in(http)).status_code == 429


async def test_a_success_clears_the_failures_of_that_email(
    staff_ctx: HubContext, browser_like: httpx.AsyncClient
) -> None:
    await make_account(staff_ctx)
    for _ in range(MAX_FAILURES_PER_EMAIL - 1):
        await log_in(browser_like, password="wrong password")
    assert (await log_in(browser_like)).status_code == 303
    browser_like.cookies.clear()
    for _ in range(MAX_FAILURES_PER_EMAIL - 1):
        await log_in(browser_like, password="wrong password")
    assert (await log_in(browser_like)).status_code == 303


async def test_staff_page_sends_a_signed_out_visitor_to_login_and_back(
    browser_like: httpx.AsyncClient,
) -> None:
    response = await browser_like.get("/admin/accounts?tab=1")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/admin/accounts%3Ftab%3D1"


async def test_session_ends_after_its_lifetime(
    staff_ctx: HubContext, browser_like: httpx.AsyncClient, clock: ManualClock
) -> None:
    await make_account(staff_ctx, is_admin=True)
    await log_in(browser_like)
    assert (await browser_like.get("/admin/accounts")).status_code == 200
    clock.advance(timedelta(days=15))
    assert (await browser_like.get("/admin/accounts")).status_code == 303


async def test_tampered_session_cookie_counts_as_signed_out(
    staff_ctx: HubContext, browser_like: httpx.AsyncClient
) -> None:
    await make_account(staff_ctx, is_admin=True)
    await log_in(browser_like)
    name = "__Host-hub_session"
    value = browser_like.cookies[name]
    browser_like.cookies.delete(name)
    browser_like.cookies.set(name, "x" + value[1:], domain="hub.test")
    assert (await browser_like.get("/admin/accounts")).status_code == 303


async def test_one_time_password_must_be_changed_before_anything_else(
    staff_ctx: HubContext, browser_like: httpx.AsyncClient
) -> None:
    await make_account(staff_ctx, is_admin=True, must_change_password=True)
    signed_in = await log_in(browser_like)
    assert signed_in.headers["location"] == "/admin/password"
    blocked = await browser_like.get("/admin/accounts")
    assert blocked.status_code == 303
    assert blocked.headers["location"] == "/admin/password"
    page = await browser_like.get("/admin/password")
    assert "one-time password" in page.text
    changed = await browser_like.post(
        "/admin/password",
        data={
            "current_password": STAFF_PASSWORD,
            "new_password": "a new and longer secret",
            "new_password_again": "a new and longer secret",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert changed.status_code == 303
    assert (await browser_like.get("/admin/accounts")).status_code == 200


@pytest.mark.parametrize(
    ("current", "new", "again", "field", "message"),
    [
        ("wrong current pw", "a new and longer secret", "a new and longer secret",
         "current_password", "is not your current password"),
        (STAFF_PASSWORD, "short", "short", "new_password", "at least 12 characters"),
        (STAFF_PASSWORD, "a new and longer secret", "something else entirely",
         "new_password_again", "does not match"),
        (STAFF_PASSWORD, STAFF_PASSWORD, STAFF_PASSWORD, "new_password", "must differ"),
    ],
    ids=["wrong-current", "too-short", "mismatch", "unchanged"],
)  # fmt: skip
async def test_password_change_problems_are_shown_by_their_field(
    staff_ctx: HubContext,
    browser_like: httpx.AsyncClient,
    current: str,
    new: str,
    again: str,
    field: str,
    message: str,
) -> None:
    await make_account(staff_ctx, must_change_password=True)
    await log_in(browser_like)
    token = await form_token(browser_like, "/admin/password")
    response = await browser_like.post(
        "/admin/password",
        data={"current_password": current, "new_password": new, "new_password_again": again,
              "csrf_token": token},
    )  # fmt: skip
    assert response.status_code == 400
    assert f'id="{field}-error"' in response.text
    assert message in response.text
    assert (await browser_like.get("/admin/accounts")).headers["location"] == "/admin/password"


async def test_changing_the_password_signs_out_other_sessions(
    staff_ctx: HubContext, browser_like: httpx.AsyncClient, staff_app: Starlette
) -> None:
    await make_account(staff_ctx, is_admin=True)
    transport = httpx.ASGITransport(app=staff_app)
    async with httpx.AsyncClient(transport=transport, base_url="https://hub.test") as other:
        await log_in(other)
        await log_in(browser_like)
        token = await form_token(browser_like, "/admin/password")
        await browser_like.post(
            "/admin/password",
            data={"current_password": STAFF_PASSWORD, "new_password": "another long secret",
                  "new_password_again": "another long secret", "csrf_token": token},
        )  # fmt: skip
        assert (await browser_like.get("/admin/accounts")).status_code == 200
        assert (await other.get("/admin/accounts")).status_code == 303


async def test_logout_needs_the_form_and_its_token(
    staff_ctx: HubContext, browser_like: httpx.AsyncClient
) -> None:
    await make_account(staff_ctx, is_admin=True)
    await log_in(browser_like)
    forged = await browser_like.post("/logout", data={"csrf_token": "forged"})
    assert forged.status_code == 403
    assert (await browser_like.get("/admin/accounts")).status_code == 200
    page = await browser_like.get("/logout")
    done = await browser_like.post("/logout", data={"csrf_token": csrf_from(page.text)})
    assert done.status_code == 303
    assert "Max-Age=0" in _session_cookie_header(done)
    assert (await browser_like.get("/admin/accounts")).status_code == 303
