"""Build and tear down a HubContext: the composition root shared by the web app and the CLI."""

import contextlib
from collections.abc import AsyncIterator, Callable

import httpx

from hub.activitypub.keys import KeyPairPem, generate_key_pair
from hub.clock import Clock, system_clock
from hub.config import Settings
from hub.context import HubContext, Resolver
from hub.db import create_engine, create_session_factory
from hub.federation.http import create_http_client, system_resolver


def build_context(
    settings: Settings,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    clock: Clock = system_clock,
    generate_keys: Callable[[], KeyPairPem] = generate_key_pair,
    resolve_host: Resolver = system_resolver,
) -> HubContext:
    """Create the engine, session factory and HTTP client of one Hub; connects lazily."""
    engine = create_engine(settings.database_url)
    return HubContext(
        settings=settings,
        engine=engine,
        sessions=create_session_factory(engine),
        http=create_http_client(settings, transport),
        clock=clock,
        generate_keys=generate_keys,
        resolve_host=resolve_host,
    )


@contextlib.asynccontextmanager
async def opened_context(settings: Settings) -> AsyncIterator[HubContext]:
    """Build a HubContext for one command and close it afterwards, whatever happens."""
    ctx = build_context(settings)
    try:
        yield ctx
    finally:
        await ctx.close()
