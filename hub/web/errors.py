"""One table from exception to HTTP status, so no handler formats its own errors."""

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from hub.activitypub.errors import ProtocolError
from hub.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied, ServiceError
from hub.web.responses import error_response

logger = logging.getLogger(__name__)

SERVICE_ERROR_STATUS: dict[type[ServiceError], int] = {
    NotFound: 404,
    Conflict: 409,
    PermissionDenied: 403,
    InvalidInput: 400,
}


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
    return error_response(request, status, str(error))


async def protocol_error(request: Request, error: Exception) -> Response:
    """Render malformed protocol input as a 400."""
    return error_response(request, 400, str(error))


EXCEPTION_HANDLERS = {
    HTTPException: http_exception,
    ServiceError: service_error,
    ProtocolError: protocol_error,
}
