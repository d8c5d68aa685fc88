"""The retry schedule and response classification follow Mastodon's DeliveryWorker."""

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from hub.federation.retry import MAX_ATTEMPTS, RetryPolicy, classify_status, parse_retry_after

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def test_back_off_grows_and_spans_at_least_two_days() -> None:
    policy = RetryPolicy(jitter=lambda: 0.0)
    delays = [policy.delay(attempt) for attempt in range(1, MAX_ATTEMPTS)]
    assert delays[0] == timedelta(seconds=16)
    assert all(later > earlier for earlier, later in itertools.pairwise(delays))
    assert sum(delays, timedelta()) >= timedelta(days=2)
    assert policy.should_retry(MAX_ATTEMPTS - 1)
    assert not policy.should_retry(MAX_ATTEMPTS)


def test_jitter_adds_up_to_half_of_the_base() -> None:
    assert RetryPolicy(jitter=lambda: 1.0).delay(2) == timedelta(seconds=16 + 15 + 8)


def test_retry_after_wins_when_longer() -> None:
    policy = RetryPolicy(jitter=lambda: 0.0)
    assert policy.delay(1, timedelta(hours=1)) == timedelta(hours=1)
    assert policy.delay(1, timedelta(seconds=1)) == timedelta(seconds=16)


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (200, "done"),
        (202, "done"),
        (401, "retry"),
        (408, "retry"),
        (429, "retry"),
        (500, "retry"),
        (503, "retry"),
        (501, "give_up"),
        (400, "give_up"),
        (403, "give_up"),
        (404, "give_up"),
        (410, "give_up"),
        (422, "give_up"),
    ],
)
def test_status_classification(status: int, outcome: str) -> None:
    # checklist 47
    assert classify_status(status) == outcome


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", timedelta(seconds=120)),
        ("Sun, 01 Nov 2026 12:05:00 GMT", timedelta(minutes=5)),
        ("Sun, 01 Nov 2026 11:00:00 GMT", timedelta(0)),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_parsing(value: str | None, expected: timedelta | None) -> None:
    assert parse_retry_after(value, NOW) == expected
