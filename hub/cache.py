"""A small per-process cache with a time limit, for what the hot paths read far more than change.

Each HubContext owns its caches (no module-level state). Entries expire by the context's
clock, so another process's change is seen within the time limit; changes made through this
process invalidate at once.
"""

from collections import OrderedDict
from collections.abc import Hashable
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from hub.clock import Clock

Key = TypeVar("Key", bound=Hashable)
Value = TypeVar("Value")


class TtlCache(Generic[Key, Value]):
    """At most `max_entries` values, each kept for `ttl`; the least recently used go first."""

    def __init__(self, clock: Clock, ttl: timedelta, max_entries: int = 10_000) -> None:
        self._clock = clock
        self._ttl = ttl
        self._max_entries = max_entries
        self._entries: OrderedDict[Key, tuple[datetime, Value]] = OrderedDict()

    def get(self, key: Key) -> Value | None:
        """Return the value for `key` while it is fresh, else None."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires_at, value = entry
        if self._clock() >= expires_at:
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return value

    def put(self, key: Key, value: Value) -> None:
        """Keep `value` for `key` until the time limit."""
        self._entries[key] = (self._clock() + self._ttl, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)

    def discard(self, key: Key) -> None:
        """Forget `key`, if present."""
        self._entries.pop(key, None)

    def clear(self) -> None:
        """Forget everything."""
        self._entries.clear()
