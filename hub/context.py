"""HubContext: everything one Hub instance needs, built once and passed down explicitly."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.activitypub.keys import KeyPairPem
from hub.clock import Clock
from hub.config import Settings
from hub.db import SessionFactory

# Host name -> its IP addresses; tests inject a fake DNS so SSRF checks run without a network.
Resolver = Callable[[str], Awaitable[list[str]]]


@dataclass
class HubContext:
    """The composition root's product: settings, database, HTTP client and clock."""

    settings: Settings
    engine: AsyncEngine
    sessions: SessionFactory
    http: httpx.AsyncClient
    clock: Clock
    generate_keys: Callable[[], KeyPairPem]
    resolve_host: Resolver
    # Private keys of local actors by actor id, loaded from the database once per process.
    private_keys: dict[int, Any] = field(default_factory=dict)

    async def close(self) -> None:
        """Release the HTTP client and the database pool."""
        await self.http.aclose()
        await self.engine.dispose()
