"""Run the services staff pages call against a served Hub's own database, from a test."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from hub.config import load_settings
from hub.context import HubContext
from hub.services.runtime import opened_context
from tests.e2e.servers import HubProcess

Result = TypeVar("Result")


def with_services(hub: HubProcess, work: Callable[[HubContext], Awaitable[Result]]) -> Result:
    """Run `work` with a context on the Hub's config and database, while the Hub serves.

    What it queues (a Create, a Like) the served Hub's worker sends, as it would for the
    staff page that called the same service.
    """

    async def run() -> Result:
        async with opened_context(load_settings({}, config_path=str(hub.config))) as ctx:
            return await work(ctx)

    return asyncio.run(run())
