"""Rendering staff pages: never cached, never framed, with the CSRF token and one-off notices."""

from typing import Any

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse

from hub.models import Account
from hub.web.auth import UNREAD_ATTRIBUTE, staff_account
from hub.web.csrf import csrf_problem, csrf_token
from hub.web.forms import read_form
from hub.web.templating import render

STAFF_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
    "Referrer-Policy": "same-origin",
}
_NOTICE_KEY = "notice"


async def staff_form(request: Request) -> tuple[Account, FormData]:
    """Return the signed-in account and the form it posted, for a form with nothing to redisplay.

    Raises:
        HTTPException: 403 when the form's CSRF token is not the session's.
    """
    account = await staff_account(request)
    form = await read_form(request)
    problem = csrf_problem(request, form)
    if problem is not None:
        raise HTTPException(403, problem, headers=STAFF_HEADERS)
    return account, form


def render_staff(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    account: Account | None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render a staff page with the CSRF token, the signed-in email and any pending notice."""
    page_context: dict[str, Any] = {
        "csrf_token": csrf_token(request),
        "signed_in": account is not None,
        "account_email": None if account is None else account.email,
        "is_admin": account is not None and account.is_admin,
        "notice": request.session.pop(_NOTICE_KEY, None),
        "unread_notifications": getattr(request.state, UNREAD_ATTRIBUTE, 0),
        "errors": {},
    }
    page_context.update(context)
    return render(
        request,
        template,
        page_context,
        status_code=status_code,
        headers={**STAFF_HEADERS, **(headers or {})},
    )


def redirect_with_notice(request: Request, location: str, notice: str) -> RedirectResponse:
    """Redirect (303, so the browser GETs) and show `notice` once on the next staff page."""
    request.session[_NOTICE_KEY] = notice
    return RedirectResponse(location, status_code=303, headers=STAFF_HEADERS)


def as_sentence(message: str) -> str:
    """Return an error message as a sentence shown beside its field: capitalised, one full stop."""
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")
