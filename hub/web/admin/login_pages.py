"""Logging in and out, and choosing a new password."""

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from hub.services.accounts import change_password
from hub.services.errors import InvalidInput, TooManyAttempts
from hub.services.logins import log_in
from hub.web.admin.rendering import STAFF_HEADERS, redirect_with_notice, render_staff
from hub.web.app_state import hub_context
from hub.web.auth import (
    PASSWORD_PAGE,
    current_account,
    local_path,
    refresh_stamp,
    sign_in,
    sign_out,
    staff_account,
)
from hub.web.csrf import csrf_problem
from hub.web.forms import read_form, text_field

MAX_FORM_PASSWORD = 1024
MISMATCH = "does not match the new password"


async def login_page(request: Request) -> Response:
    """Show the login form, or go on to the requested page when already signed in."""
    next_path = local_path(request.query_params.get("next"))
    account = await current_account(request)
    if account is not None:
        return RedirectResponse(next_path, status_code=303)
    return render_staff(request, "admin/login.html", {"email": "", "next": next_path}, account=None)


async def login(request: Request) -> Response:
    """Check the email and password (rate limited), then start a session."""
    form = await read_form(request)
    email = text_field(form, "email", max_length=320)
    next_path = local_path(text_field(form, "next", max_length=2000))

    def again(errors: dict[str, str], status_code: int, **headers: str) -> Response:
        context = {"email": email, "next": next_path, "errors": errors}
        return render_staff(
            request,
            "admin/login.html",
            context,
            account=None,
            status_code=status_code,
            headers=headers,
        )

    problem = csrf_problem(request, form)
    if problem is not None:
        return again({"form": problem}, 403)
    client_address = request.client.host if request.client else "unknown"
    try:
        account = await log_in(
            hub_context(request),
            email,
            text_field(form, "password", max_length=MAX_FORM_PASSWORD),
            client_address=client_address,
        )
    except TooManyAttempts as refusal:
        retry_after = {"Retry-After": str(refusal.retry_after_seconds)}
        return again({"form": refusal.message}, 429, **retry_after)
    except InvalidInput as error:
        return again({"password": error.message}, 400)
    sign_in(request, account)
    target = PASSWORD_PAGE if account.must_change_password else next_path
    return RedirectResponse(target, status_code=303, headers=STAFF_HEADERS)


async def logout_page(request: Request) -> Response:
    """Ask to confirm logging out (a link cannot log anyone out: only the form's POST)."""
    account = await current_account(request)
    if account is None:
        return RedirectResponse("/", status_code=303)
    return render_staff(request, "admin/logout.html", {}, account=account)


async def logout(request: Request) -> Response:
    """End the session and go to the home page."""
    form = await read_form(request)
    problem = csrf_problem(request, form)
    if problem is not None:
        account = await current_account(request)
        context = {"errors": {"form": problem}}
        return render_staff(request, "admin/logout.html", context, account=account, status_code=403)
    sign_out(request)
    return RedirectResponse("/", status_code=303, headers=STAFF_HEADERS)


async def password_page(request: Request) -> Response:
    """Show the form to choose a new password (required first when it was a one-time one)."""
    account = await staff_account(request, allow_password_pending=True)
    return render_staff(
        request,
        "admin/password.html",
        {"must_change": account.must_change_password},
        account=account,
    )


async def password(request: Request) -> Response:
    """Change the password; this session stays signed in, every other one ends."""
    account = await staff_account(request, allow_password_pending=True)
    form = await read_form(request)
    errors: dict[str, str] = {}
    problem = csrf_problem(request, form)
    new_password = text_field(form, "new_password", max_length=MAX_FORM_PASSWORD + 1)
    if problem is not None:
        errors["form"] = problem
    elif new_password != text_field(form, "new_password_again", max_length=MAX_FORM_PASSWORD + 1):
        errors["new_password_again"] = MISMATCH
    else:
        try:
            assert account.id is not None  # noqa: S101 - a stored account
            changed = await change_password(
                hub_context(request),
                account.id,
                text_field(form, "current_password", max_length=MAX_FORM_PASSWORD),
                new_password,
            )
        except InvalidInput as error:
            errors[error.field] = error.message
        else:
            refresh_stamp(request, changed)
            return redirect_with_notice(request, "/admin/posts", "Your password was changed.")
    return render_staff(
        request,
        "admin/password.html",
        {"must_change": account.must_change_password, "errors": errors},
        account=account,
        status_code=403 if problem is not None else 400,
    )
