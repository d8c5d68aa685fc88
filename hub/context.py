"""HubContext: everything one Hub instance needs, built once and passed down explicitly."""

from dataclasses import dataclass

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.clock import Clock
from hub.config import Settings
from hub.db import SessionFactory


@dataclass
class HubContext:
    """The composition root's product: settings, database, HTTP client and clock."""

    settings: Settings
    engine: AsyncEngine
    sessions: SessionFactory
    http: httpx.AsyncClient
    clock: Clock

    async def close(self) -> None:
        """Release the HTTP client and the database pool."""
        await self.http.aclose()
        await self.engine.dispose()
