"""Sessions in a signed cookie: HttpOnly, SameSite=Lax, Secure on https, sent only on change."""

import base64
import binascii
import json
import secrets
from datetime import timedelta
from typing import Any

from itsdangerous import BadSignature, TimestampSigner
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.clock import Clock

SESSION_MAX_AGE = timedelta(days=14)
MAX_COOKIE_BYTES = 4000


class _ClockSigner(TimestampSigner):
    """A timestamp signer that reads the Hub's clock, so tests can make sessions expire."""

    def __init__(self, secret_key: str, *, clock: Clock) -> None:
        super().__init__(secret_key, salt="hub.session")
        self._clock = clock

    def get_timestamp(self) -> int:
        return int(self._clock().timestamp())


class SignedCookieSessions:
    """ASGI middleware that puts a session dict in `scope["session"]`, kept in a cookie.

    The cookie is signed, not encrypted, so it holds only ids and random tokens. It is set
    only on responses to requests that changed the session, never on the public pages that
    caches share, and such responses are marked `Cache-Control: no-store`.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        secret_key: str,
        secure: bool,
        clock: Clock,
        max_age: timedelta = SESSION_MAX_AGE,
    ) -> None:
        self._app = app
        # Without a configured key (only possible outside `hub serve`), sessions last as long
        # as this process.
        self._signer = _ClockSigner(secret_key or secrets.token_urlsafe(32), clock=clock)
        self._secure = secure
        self._max_age_seconds = int(max_age.total_seconds())
        # The __Host- prefix makes browsers refuse the cookie unless it is Secure, for path /
        # and without a Domain: no other host can plant one.
        self.cookie_name = "__Host-hub_session" if secure else "hub_session"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        initial = self._load(HTTPConnection(scope).cookies.get(self.cookie_name))
        scope["session"] = dict(initial)

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and scope["session"] != initial:
                headers = MutableHeaders(scope=message)
                headers.append("Set-Cookie", self._cookie_header(scope["session"]))
                headers["Cache-Control"] = "no-store"
            await send(message)

        await self._app(scope, receive, send_with_cookie)

    def _load(self, cookie: str | None) -> dict[str, Any]:
        if not cookie or len(cookie) > MAX_COOKIE_BYTES:
            return {}
        try:
            payload = self._signer.unsign(cookie, max_age=self._max_age_seconds)
            data = json.loads(base64.urlsafe_b64decode(payload))
        except (BadSignature, binascii.Error, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _cookie_header(self, session: dict[str, Any]) -> str:
        attributes = "Path=/; HttpOnly; SameSite=Lax" + ("; Secure" if self._secure else "")
        if not session:
            return f"{self.cookie_name}=; Max-Age=0; {attributes}"
        payload = base64.urlsafe_b64encode(json.dumps(session, separators=(",", ":")).encode())
        value = self._signer.sign(payload).decode("ascii")
        return f"{self.cookie_name}={value}; Max-Age={self._max_age_seconds}; {attributes}"
