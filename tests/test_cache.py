"""TtlCache: entries expire by the injected clock, and the least recently used go first."""

from datetime import timedelta

from hub.cache import TtlCache
from hub.clock import ManualClock


def test_entry_is_served_until_its_time_limit() -> None:
    clock = ManualClock()
    cache: TtlCache[str, int] = TtlCache(clock, timedelta(seconds=10))
    cache.put("a", 1)
    clock.advance(timedelta(seconds=9))
    assert cache.get("a") == 1
    clock.advance(timedelta(seconds=1))
    assert cache.get("a") is None


def test_least_recently_used_entry_is_dropped_when_full() -> None:
    cache: TtlCache[str, int] = TtlCache(ManualClock(), timedelta(hours=1), max_entries=2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "b" is now the least recently used
    cache.put("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)


def test_discard_and_clear_forget_entries() -> None:
    cache: TtlCache[str, int] = TtlCache(ManualClock(), timedelta(hours=1))
    cache.put("a", 1)
    cache.put("b", 2)
    cache.discard("a")
    cache.discard("missing")
    assert (cache.get("a"), cache.get("b")) == (None, 2)
    cache.clear()
    assert cache.get("b") is None
