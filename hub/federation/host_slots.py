"""Per-host limits on concurrent deliveries, so one slow server cannot hold every slot."""

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator


class HostSlots:
    """At most `limit` concurrent deliveries per host; idle hosts leave no entry behind."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._semaphores: dict[str, asyncio.Semaphore] = {}
        self._users: Counter[str] = Counter()

    @contextlib.asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        """Hold one of the host's slots for the duration of the block."""
        semaphore = self._semaphores.setdefault(host, asyncio.Semaphore(self.limit))
        self._users[host] += 1
        try:
            async with semaphore:
                yield
        finally:
            self._users[host] -= 1
            if self._users[host] == 0:
                del self._users[host], self._semaphores[host]
