"""CSRF protection: a random token per session, sent back by every form and checked on POST."""

import hmac
import secrets

from starlette.datastructures import FormData
from starlette.requests import Request

CSRF_FIELD = "csrf_token"
_SESSION_KEY = "csrf"
EXPIRED_FORM = (
    "This form had expired (or was opened in another session), so nothing was saved. "
    "Everything you typed is still here: check it and submit again."
)


def csrf_token(request: Request) -> str:
    """Return the session's CSRF token, creating it (and so the session) on first use."""
    token = request.session.get(_SESSION_KEY)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        request.session[_SESSION_KEY] = token
    return token


def renew_csrf_token(request: Request) -> None:
    """Replace the session's token, as on login, so a token seen before cannot be replayed."""
    request.session[_SESSION_KEY] = secrets.token_urlsafe(32)


def csrf_problem(request: Request, form: FormData) -> str | None:
    """Return why the form must not be acted on, or None when its token is the session's."""
    expected = request.session.get(_SESSION_KEY)
    sent = form.get(CSRF_FIELD)
    if not isinstance(expected, str) or not expected or not isinstance(sent, str):
        return EXPIRED_FORM
    if not hmac.compare_digest(sent.encode(), expected.encode()):
        return EXPIRED_FORM
    return None
