"""When to try a delivery again and when to stop, as Mastodon's DeliveryWorker does (spec §8.2)."""

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Literal

import httpx

from hub.federation.errors import RemoteError

Outcome = Literal["success", "retry", "give_up"]

# Mastodon: 16 retries, so the 17th attempt is the last, about 50 h (up to ~75 h) after the first.
MAX_ATTEMPTS = 17
BASE_DELAY_SECONDS = 15
# A server may ask us to wait; we wait at most this long, so one header cannot park a job.
MAX_RETRY_AFTER = timedelta(days=1)
# Statuses Mastodon retries even though they are 4xx: auth hiccups, timeouts, rate limits.
RETRYABLE_CLIENT_ERRORS = frozenset({401, 408, 429})


@dataclass(frozen=True)
class RetryPolicy:
    """Back-off before retry n: n⁴ + 15 s + random(0…0.5·n⁴) s, for `max_attempts` attempts.

    `n` counts retries from 0, as Sidekiq's retry count does: the first retry follows the first
    failure by 15 s, and the 17th attempt comes about 50 h after the first (75 h with full
    jitter). `random` returns a float in [0, 1); tests inject a fixed one.
    """

    max_attempts: int = MAX_ATTEMPTS
    random: Callable[[], float] = random.random
    max_retry_after: timedelta = MAX_RETRY_AFTER

    def delay(self, failed_attempts: int, retry_after: timedelta | None = None) -> timedelta:
        """Return the wait after the `failed_attempts`-th failed attempt (1-based).

        A Retry-After the server sent wins when it is longer, up to `max_retry_after`.
        """
        retry_count = max(failed_attempts - 1, 0)
        power = retry_count**4
        delay = timedelta(seconds=power + BASE_DELAY_SECONDS + self.random() * 0.5 * power)
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.max_retry_after))
        return delay

    def next_attempt_at(
        self, failed_attempts: int, now: datetime, retry_after: timedelta | None = None
    ) -> datetime | None:
        """Return when to try again after `failed_attempts` failures, or None to give up."""
        if failed_attempts >= self.max_attempts:
            return None
        return now + self.delay(failed_attempts, retry_after)


def classify_status(status: int) -> Outcome:
    """Return what a response status means for a delivery (Mastodon's rules, spec §8.2).

    2xx is success. 501 and every 4xx but 401, 408 and 429 are final. Anything else is
    retried: 5xx, those three 4xx, and the odd 1xx/3xx (we never follow redirects on POST,
    and Mastodon retries them too, which covers a server briefly redirecting to a
    maintenance page).
    """
    if 200 <= status < 300:
        return "success"
    if status == 501 or (400 <= status < 500 and status not in RETRYABLE_CLIENT_ERRORS):
        return "give_up"
    return "retry"


def classify(
    result: int | httpx.HTTPError | httpx.InvalidURL | RemoteError | TimeoutError,
) -> Outcome:
    """Return the outcome of an attempt that ended with a status or an exception.

    Timeouts, connection, DNS and TLS failures are retried, as are retryable RemoteErrors;
    anything else that went wrong before a response (a malformed URL, say) is final.
    """
    if isinstance(result, int):
        return classify_status(result)
    if isinstance(result, httpx.TransportError | TimeoutError):
        return "retry"
    if isinstance(result, RemoteError):
        return "retry" if result.retryable else "give_up"
    return "give_up"


def parse_retry_after(value: str | None, now: datetime) -> timedelta | None:
    """Parse Retry-After as delay-seconds or an HTTP-date; None when absent or unreadable."""
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
