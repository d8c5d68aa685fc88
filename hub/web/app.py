"""create_app: the composition root that turns Settings into a running Starlette app."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import timedelta

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware

from hub.activitypub.keys import KeyPairPem, generate_key_pair
from hub.clock import Clock, system_clock
from hub.config import Settings
from hub.context import Resolver
from hub.federation.dispatch import apply_inbox_item
from hub.federation.http import system_resolver
from hub.federation.worker import Worker
from hub.services.runtime import build_context
from hub.services.scheduling import publish_due_posts
from hub.web.errors import EXCEPTION_HANDLERS
from hub.web.forms import FormSizeLimit, form_body_limit
from hub.web.routes import build_routes
from hub.web.security_headers import HtmlSecurityHeaders
from hub.web.sessions import SignedCookieSessions
from hub.web.templating import create_templates


def create_app(
    settings: Settings,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    clock: Clock = system_clock,
    generate_keys: Callable[[], KeyPairPem] = generate_key_pair,
    resolve_host: Resolver | None = None,
) -> Starlette:
    """Build one Hub app; several can live in one process (tests join them by transport)."""
    ctx = build_context(
        settings,
        transport=transport,
        clock=clock,
        generate_keys=generate_keys,
        resolve_host=resolve_host or system_resolver,
    )

    worker = Worker(
        ctx,
        apply_inbox_item=apply_inbox_item,
        publish_due=publish_due_posts,
        delivery_lease=timedelta(seconds=settings.delivery_lease_seconds),
    )

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        stop = asyncio.Event()
        task = None
        if settings.worker_mode == "inprocess":
            task = asyncio.create_task(worker.run_forever(stop), name="hub-worker")
        try:
            yield
        finally:
            stop.set()
            if task is not None:
                await task
            await ctx.close()

    app = Starlette(
        routes=build_routes(),
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
        middleware=[
            Middleware(HtmlSecurityHeaders),
            Middleware(
                SignedCookieSessions,
                secret_key=settings.secret_key,
                secure=settings.scheme == "https",
                clock=clock,
            ),
            Middleware(FormSizeLimit, max_bytes=form_body_limit(settings.max_upload_bytes)),
        ],
    )
    app.state.hub = ctx
    # Tests in "manual" mode drive this worker with drain(); the inbox wakes it when serving.
    app.state.worker = worker
    app.state.templates = create_templates()
    return app
