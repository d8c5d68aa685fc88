"""Public pages and documents rendered for visitors, kept per process while nothing shown changes.

A post that federates to a few hundred servers is fetched by most of them, and by their
link-preview crawlers, within seconds; each server that sees a handle asks WebFinger, and
many read the outbox. Each render costs several queries and a template or a serialisation.
Only what a visitor without cookies gets is kept, and only while the Hub's content version
(moved on by every commit that writes what pages show, `HubContext.content_version`) is the
one it was rendered at; a change committed by another process shows within the cache's
time limit, well inside the `Cache-Control` lifetime already sent to proxies.
"""

from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from hub.web.app_state import hub_context
from hub.web.caching import is_personal, not_modified_or

KEPT_STATUSES = frozenset({200, 410})


@dataclass(frozen=True)
class RenderedPage:
    """A response as first sent, and the content version it showed."""

    content_version: int
    status_code: int
    body: bytes
    raw_headers: tuple[tuple[bytes, bytes], ...]

    def response(self) -> Response:
        """Return a fresh response with the kept status, body and headers."""
        response = Response(status_code=self.status_code)
        response.body = self.body
        response.raw_headers = list(self.raw_headers)
        return response


async def rendered_for_visitors(
    request: Request, key: Hashable, render: Callable[[], Awaitable[Response]]
) -> Response:
    """Return the kept rendering of `key` when it is current, else render (and keep) it."""
    if "cookie" in request.headers or request.method not in ("GET", "HEAD"):
        return await render()
    ctx = hub_context(request)
    # Read before rendering: a change committed meanwhile leaves this rendering already stale.
    version = ctx.content_version
    kept = ctx.rendered_pages.get(key)
    if isinstance(kept, RenderedPage) and kept.content_version == version:
        return not_modified_or(request, kept.response())
    response = await render()
    if response.status_code in KEPT_STATUSES and not is_personal(request, response):
        ctx.rendered_pages.put(
            key,
            RenderedPage(
                content_version=version,
                status_code=response.status_code,
                body=bytes(response.body),
                raw_headers=tuple(response.raw_headers),
            ),
        )
    return response
