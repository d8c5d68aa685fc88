"""Accept negotiation picks AS2 JSON whenever a server asks for it at all (spec §1.5)."""

import pytest

from hub.web.negotiation import negotiate


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("application/activity+json", "json"),
        ('application/ld+json; profile="https://www.w3.org/ns/activitystreams"', "json"),
        ("text/html;q=1.0, application/activity+json;q=0.1", "json"),
        ("application/activity+json;q=0, text/html", "html"),
        ("application/activity+json;q=nonsense, text/html", "html"),
        ("text/html", "html"),
        ("*/*", "html"),
        ("", "html"),
        (None, "html"),
        ("image/png", None),
        ("garbage", None),
        ("x" * 5000, None),
    ],
)
def test_negotiate(accept: str | None, expected: str | None) -> None:
    assert negotiate(accept) == expected
