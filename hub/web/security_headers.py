"""A strict Content-Security-Policy on every HTML page, so no injected script could ever run.

Pages load scripts and styles from this Hub only (`/static/`), never inline: an inline
script or `on…=` handler that slipped past the sanitiser would still be refused by the
browser. Images may come from other servers (remote posts' media), as long as they are
images. Staff pages add `frame-ancestors 'none'` of their own; both policies apply.
"""

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' https: http: data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self' https: http:",
        "base-uri 'none'",
        "object-src 'none'",
    )
)


class HtmlSecurityHeaders:
    """ASGI middleware: HTML responses get the policy (and `nosniff`) unless they set one."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if headers.get("content-type", "").startswith("text/html"):
                    existing = headers.get("content-security-policy")
                    headers["Content-Security-Policy"] = (
                        f"{CONTENT_SECURITY_POLICY}; {existing}"
                        if existing
                        else CONTENT_SECURITY_POLICY
                    )
                    headers.setdefault("X-Content-Type-Options", "nosniff")
            await send(message)

        await self._app(scope, receive, send_with_headers)
