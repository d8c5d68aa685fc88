"""One table from exception to HTTP status, so no handler formats its own errors."""

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from hub.activitypub.errors import ProtocolError
from hub.services.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    ServiceError,
    TooManyAttempts,
)
from hub.web.auth import PASSWORD_PAGE, PasswordChangeRequired, SignInRequired, login_url
from hub.web.forms import FormTooLarge
from hub.web.responses import error_response

logger = logging.getLogger(__name__)

SERVICE_ERROR_STATUS: dict[type[ServiceError], int] = {
    NotFound: 404,
    Conflict: 409,
    PermissionDenied: 403,
    InvalidInput: 400,
    TooManyAttempts: 429,
}
# Staff pages are never cached, and neither are the redirects that guard them.
NO_STORE = {"Cache-Control": "no-store"}


async def http_exception(request: Request, error: Exception) -> Response:
    """Render Starlette's HTTPException (404 routes, 405 methods, our own raises)."""
    assert isinstance(error, HTTPException)  # noqa: S101 - registered for this class only
    headers = dict(error.headers) if error.headers else None
    return error_response(request, error.status_code, str(error.detail), headers)


async def service_error(request: Request, error: Exception) -> Response:
    """Render a service error with the status its class maps to."""
    status = next(
        (code for kind, code in SERVICE_ERROR_STATUS.items() if isinstance(error, kind)), 400
    )
    headers = None
    if isinstance(error, TooManyAttempts):
        headers = {"Retry-After": str(error.retry_after_seconds)}
    return error_response(request, status, str(error), headers)


async def protocol_error(request: Request, error: Exception) -> Response:
    """Render malformed protocol input as a 400."""
    return error_response(request, 400, str(error))


async def sign_in_required(_request: Request, error: Exception) -> Response:
    """Send someone who is not signed in to the login page, to come back afterwards."""
    assert isinstance(error, SignInRequired)  # noqa: S101 - registered for this class only
    return RedirectResponse(login_url(error.next_path), status_code=303, headers=NO_STORE)


async def password_change_required(_request: Request, _error: Exception) -> Response:
    """Send an account that still has its one-time password to the password page."""
    return RedirectResponse(PASSWORD_PAGE, status_code=303, headers=NO_STORE)


async def form_too_large(request: Request, error: Exception) -> Response:
    """Refuse a form post whose body is over the limit, saying what the limit is."""
    assert isinstance(error, FormTooLarge)  # noqa: S101 - registered for this class only
    megabytes = error.max_bytes // (1024 * 1024)
    reason = (
        f"The form sent was larger than {megabytes} MB, so nothing was saved. "
        "Go back, choose a smaller image, and send the form again."
    )
    return error_response(request, 413, reason, {**NO_STORE, "Connection": "close"})


EXCEPTION_HANDLERS = {
    HTTPException: http_exception,
    ServiceError: service_error,
    ProtocolError: protocol_error,
    SignInRequired: sign_in_required,
    PasswordChangeRequired: password_change_required,
    FormTooLarge: form_too_large,
}
