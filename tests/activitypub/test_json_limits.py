"""Untrusted JSON is parsed within size and depth limits, failing with InvalidActivity."""

import pytest

from hub.activitypub.errors import InvalidActivity
from hub.activitypub.json_limits import exceeds_depth, loads_limited


def test_ordinary_activity_parses() -> None:
    assert loads_limited(b'{"type": "Follow", "tag": [{"a": [1, {"b": 2}]}]}')["type"] == "Follow"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "nested deeper"),
        (b"[" * 65 + b"]" * 65, "nested deeper"),
        (b'{"a": ' * 70 + b"1" + b"}" * 70, "nested deeper"),
        (b"\xff", "not UTF-8"),
        (b"{", "invalid JSON"),
        (b"", "invalid JSON"),
        (b" " * 11, "invalid JSON"),
    ],
    ids=["very-deep", "just-too-deep", "deep-objects", "not-utf8", "truncated", "empty", "blank"],
)
def test_hostile_json_is_refused(body: bytes, message: str) -> None:
    with pytest.raises(InvalidActivity, match=message):
        loads_limited(body)


def test_size_limit_is_checked_before_parsing() -> None:
    with pytest.raises(InvalidActivity, match="larger than 10 bytes"):
        loads_limited(b'{"a": "0123456789"}', max_bytes=10)


def test_depth_limit_counts_containers_only() -> None:
    assert not exceeds_depth([[["text"]]], 3)
    assert exceeds_depth([[[[]]]], 3)
    assert not exceeds_depth({"a": "b" * 1000}, 1)
