"""Reading HTML form posts safely: a cap on the body, on parts and on files."""

import functools
from collections.abc import Awaitable, Callable

from starlette.datastructures import FormData, Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
MAX_FIELDS = 200
MAX_FILES = 4
MAX_TEXT_PART_BYTES = 2 * 1024 * 1024


def form_body_limit(max_upload_bytes: int) -> int:
    """Return the largest form body read: room for the text and an upload over its limit.

    An image somewhat over the upload limit still arrives whole, so the media service can
    say so next to the field with everything typed kept; only a far larger body is cut off.
    """
    return 2 * max_upload_bytes + 4 * 1024 * 1024


class FormTooLarge(Exception):
    """A form post's body is larger than the Hub accepts."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(f"form body over {max_bytes} bytes")
        self.max_bytes = max_bytes


class FormSizeLimit:
    """ASGI middleware that stops reading a form post past `max_bytes` (raises FormTooLarge).

    Other bodies (the inboxes' JSON) keep their own, smaller limits.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self._app = app
        self._max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _is_form(scope):
            await self._app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            if declared.isdigit() and int(declared) > self._max_bytes:
                raise FormTooLarge(self._max_bytes)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self._max_bytes:
                    raise FormTooLarge(self._max_bytes)
            return message

        await self._app(scope, limited_receive, send)


def _is_form(scope: Scope) -> bool:
    content_type = Headers(scope=scope).get("content-type", "").split(";")[0].strip().lower()
    return content_type in FORM_TYPES


async def read_form(request: Request) -> FormData:
    """Return the posted form (urlencoded or multipart), within the part and file limits."""
    return await request.form(
        max_files=MAX_FILES, max_fields=MAX_FIELDS, max_part_size=MAX_TEXT_PART_BYTES
    )


def text_field(form: FormData, name: str, *, max_length: int = 100_000) -> str:
    """Return a text field's value as typed ('' when absent or a file), cut at `max_length`."""
    value = form.get(name)
    return value[:max_length] if isinstance(value, str) else ""


def text_fields(form: FormData, name: str, *, max_length: int = 1000) -> list[str]:
    """Return every text value of a repeated field, in order."""
    return [value[:max_length] for value in form.getlist(name) if isinstance(value, str)]


def closing_form(
    view: Callable[[Request], Awaitable[Response]],
) -> Callable[[Request], Awaitable[Response]]:
    """Wrap a form view so that uploaded files' temporary copies are closed afterwards."""

    @functools.wraps(view)
    async def handle(request: Request) -> Response:
        try:
            return await view(request)
        finally:
            await request.close()

    return handle
