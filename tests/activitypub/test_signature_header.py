"""Parsing the draft-cavage Signature header: the draft's forms, Mastodon's, and hostile input."""

from datetime import UTC, datetime

import pytest

from hub.activitypub.signatures import (
    Rejected,
    SignatureMalformed,
    parse_signature_header,
    read_signature_header,
    verify_request,
)
from tests.activitypub.cavage_vectors import CAVAGE_PUBLIC_KEY, CAVAGE_VECTORS

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def test_draft_default_header_without_headers_parameter_signs_date() -> None:
    params = parse_signature_header(
        f'keyId="Test",algorithm="rsa-sha256",signature="{CAVAGE_VECTORS["C.1"][2]}"'
    )
    assert params.headers == ("date",)


def test_draft_all_headers_example_parses_with_unquoted_times() -> None:
    # Appendix C.3's Signature header as printed, unfolded onto one line.
    header = (
        'keyId="Test",algorithm="rsa-sha256", created=1402170695, expires=1402170699, '
        'headers="(request-target) (created) (expires) host date content-type digest '
        f'content-length", signature="{CAVAGE_VECTORS["C.3"][2]}"'
    )
    params = parse_signature_header(header)
    assert (params.created, params.expires) == (1402170695, 1402170699)
    assert params.headers[:3] == ("(request-target)", "(created)", "(expires)")


def test_read_signature_header_reports_a_missing_header() -> None:
    assert read_signature_header({"host": "hub.example"}) == Rejected(
        "missing", "the request has no Signature header"
    )


def test_parse_tolerates_scheme_prefix_and_quoted_pairs() -> None:
    params = parse_signature_header(
        'Signature keyId="https://r.example/a\\"b", signature="AAAA", algorithm=hs2019'
    )
    assert params.key_id == 'https://r.example/a"b'
    assert params.algorithm == "hs2019"
    assert params.headers == ("(created)",)


HOSTILE_HEADERS = {
    "empty": "",
    "blank": "   ",
    "prefix-only": "Signature ",
    "garbage": "garbage",
    "no-key-id": 'signature="AAAA"',
    "no-signature": 'keyId="k"',
    "empty-key-id": 'keyId="",signature="AAAA"',
    "unterminated-quote": 'keyId="k",signature="AAAA',
    "duplicate-param": 'keyId="k",keyId="j",signature="AAAA"',
    "duplicate-param-other-case": 'keyId="k",KEYID="j",signature="AAAA"',
    "non-base64": 'keyId="k",signature="not base64!"',
    "empty-signature": 'keyId="k",signature=""',
    "bad-created": 'keyId="k",signature="AAAA",created="yesterday"',
    "negative-expires": 'keyId="k",signature="AAAA",expires=-1',
    "empty-headers": 'keyId="k",signature="AAAA",headers=""',
    "100-kb": 'keyId="k' + "x" * 100_000 + '",signature="AAAA"',
    "nul-bytes": 'keyId="k\x00",signature="AAAA",\x00',
    "unicode": 'keyId="ключ",signature="AAAA"',
    "unicode-token": "keyId=ключ,signature=AAAA",
    "only-commas": ",,,,",
    "trailing-comma": 'keyId="k",signature="AAAA",',
    "semicolons": 'keyId="k";signature="AAAA"',
    "newline-in-value": 'keyId="k\r\nx",signature="AAAA"',
    "no-separator": 'keyId="k" signature="AAAA"',
    "bare-name": 'keyId,signature="AAAA"',
}


@pytest.mark.parametrize("header", list(HOSTILE_HEADERS.values()), ids=list(HOSTILE_HEADERS))
def test_hostile_signature_headers_are_malformed(header: str) -> None:
    with pytest.raises(SignatureMalformed):
        parse_signature_header(header)
    result = verify_request(
        method="POST", path="/inbox", query="", headers={"signature": header}, body=b"{}",
        public_key=CAVAGE_PUBLIC_KEY, now=NOW,
    )  # fmt: skip
    assert isinstance(result, Rejected)
    assert result.reason == "malformed"
