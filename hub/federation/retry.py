"""When to try a delivery again, as Mastodon's DeliveryWorker does (spec §8.2)."""

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Literal

Outcome = Literal["done", "retry", "give_up"]
MAX_ATTEMPTS = 17  # the 17th attempt is the last: about two to three days after the first


@dataclass(frozen=True)
class RetryPolicy:
    """Back-off n⁴ + 15 s + up to 0.5·n⁴ s of jitter before retry n, for 17 attempts."""

    max_attempts: int = MAX_ATTEMPTS
    jitter: Callable[[], float] = random.random

    def delay(self, attempts: int, retry_after: timedelta | None = None) -> timedelta:
        """Return how long to wait after the `attempts`-th failed attempt."""
        base = attempts**4 + 15 + self.jitter() * 0.5 * attempts**4
        delay = timedelta(seconds=base)
        if retry_after is not None and retry_after > delay:
            return retry_after
        return delay

    def should_retry(self, attempts: int) -> bool:
        """Return whether another attempt is allowed after `attempts` attempts."""
        return attempts < self.max_attempts


def classify_status(status: int) -> Outcome:
    """Return what a response status means for a delivery."""
    if 200 <= status < 300:
        return "done"
    if status in (401, 408, 429) or (status >= 500 and status != 501):
        return "retry"
    return "give_up"


def parse_retry_after(value: str | None, now: datetime) -> timedelta | None:
    """Parse Retry-After as seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return timedelta(seconds=min(int(text), 7 * 24 * 3600))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(when - now, timedelta(0))
