"""create_app: the composition root that turns Settings into a running Starlette app."""

import contextlib
from collections.abc import AsyncIterator

import httpx
from starlette.applications import Starlette

from hub.clock import Clock, system_clock
from hub.config import Settings
from hub.services.runtime import build_context
from hub.web.errors import EXCEPTION_HANDLERS
from hub.web.routes import build_routes
from hub.web.templating import create_templates


def create_app(
    settings: Settings,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    clock: Clock = system_clock,
) -> Starlette:
    """Build one Hub app; several can live in one process (tests join them by transport)."""
    ctx = build_context(settings, transport=transport, clock=clock)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await ctx.close()

    app = Starlette(
        routes=build_routes(),
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
    )
    app.state.hub = ctx
    app.state.templates = create_templates()
    return app
