"""The retry schedule and response classification follow Mastodon's DeliveryWorker (§8.2)."""

import itertools
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from hub.federation.errors import (
    RemoteBusy,
    RemoteError,
    RemoteGone,
    RemoteUnavailable,
    UnsafeUrl,
)
from hub.federation.retry import (
    MAX_ATTEMPTS,
    Outcome,
    RetryPolicy,
    classify,
    classify_status,
    parse_retry_after,
)

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def total_wait(policy: RetryPolicy) -> timedelta:
    """Return the time from the first attempt to the last, summed over every retry."""
    return sum((policy.delay(failed) for failed in range(1, MAX_ATTEMPTS)), timedelta())


def test_back_off_is_n_to_the_fourth_plus_fifteen_seconds() -> None:
    policy = RetryPolicy(random=lambda: 0.0)
    delays = [policy.delay(failed).total_seconds() for failed in range(1, MAX_ATTEMPTS)]
    assert delays[:4] == [15, 16, 31, 96]
    assert delays[-1] == 15**4 + 15
    assert all(later > earlier for earlier, later in itertools.pairwise(delays))


def test_schedule_spans_two_to_three_days_before_giving_up() -> None:
    assert timedelta(days=2) <= total_wait(RetryPolicy(random=lambda: 0.0)) <= timedelta(days=3)
    # Full jitter stretches it by half at most: Mastodon's "up to ~75 h".
    assert total_wait(RetryPolicy(random=lambda: 1.0)) <= timedelta(hours=76)


def test_seventeenth_failed_attempt_is_the_last() -> None:
    policy = RetryPolicy(random=lambda: 0.0)
    assert policy.next_attempt_at(MAX_ATTEMPTS - 1, NOW) == NOW + policy.delay(MAX_ATTEMPTS - 1)
    assert policy.next_attempt_at(MAX_ATTEMPTS, NOW) is None


def test_jitter_comes_from_the_injected_random_source() -> None:
    draws = iter([1.0, 0.5])
    policy = RetryPolicy(random=lambda: next(draws))
    assert policy.delay(3) == timedelta(seconds=16 + 15 + 8)
    assert policy.delay(3) == timedelta(seconds=16 + 15 + 4)


def test_retry_after_wins_only_when_longer_and_is_capped() -> None:
    policy = RetryPolicy(random=lambda: 0.0)
    assert policy.delay(1, timedelta(hours=1)) == timedelta(hours=1)
    assert policy.delay(3, timedelta(seconds=1)) == timedelta(seconds=31)
    assert policy.delay(1, timedelta(days=30)) == policy.max_retry_after


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (200, "success"), (202, "success"), (204, "success"),
        (401, "retry"), (408, "retry"), (429, "retry"),
        (500, "retry"), (502, "retry"), (503, "retry"), (504, "retry"),
        (302, "retry"),
        (501, "give_up"), (400, "give_up"), (403, "give_up"), (404, "give_up"),
        (410, "give_up"), (413, "give_up"), (422, "give_up"),
    ],
    ids=lambda value: str(value),
)  # fmt: skip
def test_status_classification(status: int, outcome: Outcome) -> None:
    # checklist 47
    assert classify_status(status) == outcome
    assert classify(status) == outcome


@pytest.mark.parametrize(
    ("error", "outcome"),
    [
        (httpx.ConnectError("refused"), "retry"),
        (httpx.ConnectTimeout("slow"), "retry"),
        (httpx.ReadTimeout("slow"), "retry"),
        (httpx.RemoteProtocolError("eof"), "retry"),
        (TimeoutError(), "retry"),
        (RemoteUnavailable("https://a.test/inbox", "down"), "retry"),
        (RemoteBusy("https://a.test/inbox", "busy", retry_after_seconds=None), "retry"),
        (RemoteGone("https://a.test/inbox", "gone"), "give_up"),
        (UnsafeUrl("http://10.0.0.1/inbox", "private"), "give_up"),
        (httpx.InvalidURL("bad"), "give_up"),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else str(value),
)
def test_exception_classification(
    error: httpx.HTTPError | httpx.InvalidURL | RemoteError | TimeoutError, outcome: Outcome
) -> None:
    assert classify(error) == outcome


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", timedelta(seconds=120)),
        (" 7 ", timedelta(seconds=7)),
        ("Sun, 01 Nov 2026 12:05:00 GMT", timedelta(minutes=5)),
        ("Sun, 01 Nov 2026 11:00:00 GMT", timedelta(0)),
        ("-5", None),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_parsing(value: str | None, expected: timedelta | None) -> None:
    assert parse_retry_after(value, NOW) == expected
