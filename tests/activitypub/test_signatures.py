"""draft-cavage signatures against the draft's published vectors and Mastodon's rules."""

import base64
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from hub.activitypub.keys import load_private_key, public_pem_of
from hub.activitypub.signatures import (
    Rejected,
    SignatureMalformed,
    SignatureParams,
    Verified,
    build_signing_string,
    compute_digest,
    digest_matches,
    parse_signature_header,
    sign_request,
    verify_signature,
)

# The "Test" key of draft-cavage-http-signatures-12, Appendix C (a 1024-bit test-only key).
CAVAGE_TEST_KEY = """-----BEGIN RSA PRIVATE KEY-----
MIICXgIBAAKBgQDCFENGw33yGihy92pDjZQhl0C36rPJj+CvfSC8+q28hxA161QF
NUd13wuCTUcq0Qd2qsBe/2hFyc2DCJJg0h1L78+6Z4UMR7EOcpfdUE9Hf3m/hs+F
UR45uBJeDK1HSFHD8bHKD6kv8FPGfJTotc+2xjJwoYi+1hqp1fIekaxsyQIDAQAB
AoGBAJR8ZkCUvx5kzv+utdl7T5MnordT1TvoXXJGXK7ZZ+UuvMNUCdN2QPc4sBiA
QWvLw1cSKt5DsKZ8UETpYPy8pPYnnDEz2dDYiaew9+xEpubyeW2oH4Zx71wqBtOK
kqwrXa/pzdpiucRRjk6vE6YY7EBBs/g7uanVpGibOVAEsqH1AkEA7DkjVH28WDUg
f1nqvfn2Kj6CT7nIcE3jGJsZZ7zlZmBmHFDONMLUrXR/Zm3pR5m0tCmBqa5RK95u
412jt1dPIwJBANJT3v8pnkth48bQo/fKel6uEYyboRtA5/uHuHkZ6FQF7OUkGogc
mSJluOdc5t6hI1VsLn0QZEjQZMEOWr+wKSMCQQCC4kXJEsHAve77oP6HtG/IiEn7
kpyUXRNvFsDE0czpJJBvL/aRFUJxuRK91jhjC68sA7NsKMGg5OXb5I5Jj36xAkEA
gIT7aFOYBFwGgQAQkWNKLvySgKbAZRTeLBacpHMuQdl1DfdntvAyqpAZ0lY0RKmW
G6aFKaqQfOXKCyWoUiVknQJAXrlgySFci/2ueKlIE1QqIiLSZ8V8OlpFLRnb1pzI
7U1yQXnTAEFYM560yJlzUpOb1V4cScGd365tiSMvxLOvTA==
-----END RSA PRIVATE KEY-----"""
CAVAGE_BODY = b'{"hello": "world"}'
CAVAGE_DATE = "Sun, 05 Jan 2014 21:31:40 GMT"
CAVAGE_NOW = datetime(2014, 1, 5, 21, 31, 40, tzinfo=UTC)
CAVAGE_HEADERS = {
    "host": "example.com",
    "date": CAVAGE_DATE,
    "content-type": "application/json",
    "digest": "SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=",
    "content-length": "18",
}
# Appendix C.1 (default: date only), C.2 (basic), C.3 (all headers).
CAVAGE_VECTORS = [
    (
        ("date",),
        "SjWJWbWN7i0wzBvtPl8rbASWz5xQW6mcJmn+ibttBqtifLN7Sazz6m79cNfwwb8DMJ5cou1s7uEGKKCs+FLEEaDV5lp"
        "7q25WqS+lavg7T8hc0GppauB6hbgEKTwblDHYGEtbGmtdHgVCk9SuS13F0hZ8FD0k/5OxEPXe5WozsbM=",
    ),
    (
        ("(request-target)", "host", "date"),
        "qdx+H7PHHDZgy4y/Ahn9Tny9V3GP6YgBPyUXMmoxWtLbHpUnXS2mg2+SbrQDMCJypxBLSPQR2aAjn7ndmw2iicw3HMb"
        "e8VfEdKFYRqzic+efkb3nndiv/x1xSHDJWeSWkx3ButlYSuBskLu6kd9Fswtemr3lgdDEmn04swr2Os0=",
    ),
    (
        ("(request-target)", "host", "date", "content-type", "digest", "content-length"),
        "vSdrb+dS3EceC9bcwHSo4MlyKS59iFIrhgYkz8+oVLEEzmYZZvRs8rgOp+63LEM3v+MFHB32NfpB2bEKBIvB1q52LaE"
        "UHFv120V01IL+TAD48XaERZFukWgHoBTLMhYS2Gb51gWxpeIq8knRmPnYePbF5MOkR0Zkly4zKH7s1dE=",
    ),
]


@pytest.fixture(scope="module")
def cavage_key() -> rsa.RSAPrivateKey:
    """The draft's test key."""
    return load_private_key(CAVAGE_TEST_KEY)


@pytest.mark.parametrize(("headers", "expected"), CAVAGE_VECTORS, ids=["C.1", "C.2", "C.3"])
def test_signing_string_reproduces_the_drafts_signatures(
    cavage_key: rsa.RSAPrivateKey, headers: tuple[str, ...], expected: str
) -> None:
    params = SignatureParams(key_id="Test", algorithm="rsa-sha256", headers=headers, signature=b"")
    signing_string = build_signing_string(
        params, "POST", "/foo?param=value&pet=dog", CAVAGE_HEADERS
    )
    signature = cavage_key.sign(signing_string.encode(), padding.PKCS1v15(), hashes.SHA256())
    assert base64.b64encode(signature).decode() == expected


@pytest.mark.parametrize(
    ("vector", "headers", "expected"),
    [("C.1", *CAVAGE_VECTORS[0]), ("C.2", *CAVAGE_VECTORS[1]), ("C.3", *CAVAGE_VECTORS[2])],
)
def test_drafts_signatures_verify_under_mastodons_coverage_rules(
    cavage_key: rsa.RSAPrivateKey, vector: str, headers: tuple[str, ...], expected: str
) -> None:
    header = (
        f'keyId="Test",algorithm="rsa-sha256",headers="{" ".join(headers)}",signature="{expected}"'
    )
    params = parse_signature_header(header)
    result = verify_signature(
        params,
        method="POST",
        path="/foo",
        query="param=value&pet=dog",
        headers=CAVAGE_HEADERS,
        body=CAVAGE_BODY,
        public_key_pem=public_pem_of(cavage_key),
        now=CAVAGE_NOW,
    )
    # Only C.3 signs the digest, which Mastodon (and so Hub) requires of every POST.
    expected_result = {
        "C.1": Rejected("missing_required_header", "(request-target) or digest must be signed"),
        "C.2": Rejected("missing_required_header", "digest must be signed on POST"),
        "C.3": Verified(key_id="Test"),
    }[vector]
    assert result == expected_result


def test_draft_digest_matches_its_body() -> None:
    assert compute_digest(CAVAGE_BODY) == CAVAGE_HEADERS["digest"]


@pytest.mark.parametrize(
    "value",
    [
        "SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=",
        "sha-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=",
        "MD5=Sd/dVLAcvNLSq16eXua5uQ==, SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=",
    ],
    ids=["canonical", "lowercase", "several"],
)
def test_digest_forms_mastodon_accepts(value: str) -> None:
    # checklist 29
    assert digest_matches(value, CAVAGE_BODY)


@pytest.mark.parametrize(
    "value", ["SHA-256=AAAA", "SHA-256=***", "MD5=Sd/dVLAcvNLSq16eXua5uQ==", ""],
    ids=["wrong", "not-base64", "no-sha256", "empty"],
)  # fmt: skip
def test_digest_mismatches(value: str) -> None:
    assert not digest_matches(value, CAVAGE_BODY)


def sign_and_verify(
    key: rsa.RSAPrivateKey,
    *,
    now: datetime,
    verify_at: datetime,
    body: bytes | None = CAVAGE_BODY,
    tamper: dict[str, str] | None = None,
    path: str = "/users/org/inbox",
) -> Verified | Rejected:
    """Sign a request at `now` and verify it at `verify_at`, optionally changing headers."""
    headers = {"content-type": "application/activity+json"}
    headers.update(
        sign_request(
            method="POST" if body is not None else "GET",
            url_path_with_query=path,
            host="hub.example",
            headers=headers,
            body=body,
            private_key=key,
            key_id="https://remote.example/users/alice#main-key",
            now=now,
        )
    )
    headers.update(tamper or {})
    target_path, _, query = path.partition("?")
    return verify_signature(
        parse_signature_header(headers["signature"]),
        method="POST" if body is not None else "GET",
        path=target_path,
        query=query,
        headers=headers,
        body=body,
        public_key_pem=public_pem_of(key),
        now=verify_at,
    )


def test_signed_post_round_trips(cavage_key: rsa.RSAPrivateKey) -> None:
    now = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
    assert isinstance(sign_and_verify(cavage_key, now=now, verify_at=now), Verified)


def test_signed_get_with_query_round_trips(cavage_key: rsa.RSAPrivateKey) -> None:
    # checklist 30
    now = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
    result = sign_and_verify(cavage_key, now=now, verify_at=now, body=None, path="/c?page=2")
    assert isinstance(result, Verified)


@pytest.mark.parametrize(
    ("offset", "valid"),
    [
        (timedelta(minutes=-59), True),
        (timedelta(minutes=59), True),
        (timedelta(hours=-2), False),
        (timedelta(hours=2), False),
    ],
    ids=["59-min-old", "59-min-ahead", "2-h-old", "2-h-ahead"],
)
def test_verify_applies_mastodons_time_window(
    cavage_key: rsa.RSAPrivateKey, offset: timedelta, valid: bool
) -> None:
    # checklist 27: Date within about an hour of our clock
    now = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
    result = sign_and_verify(cavage_key, now=now + offset, verify_at=now)
    if valid:
        assert isinstance(result, Verified)
    else:
        assert isinstance(result, Rejected)
        assert result.reason == "expired"


def test_verify_rejects_body_changed_after_signing(cavage_key: rsa.RSAPrivateKey) -> None:
    now = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
    result = sign_and_verify(
        cavage_key, now=now, verify_at=now, tamper={"digest": compute_digest(b"{}")}
    )
    assert isinstance(result, Rejected)
    assert result.reason == "digest_mismatch"


def test_verify_rejects_changed_signed_header(cavage_key: rsa.RSAPrivateKey) -> None:
    now = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
    result = sign_and_verify(cavage_key, now=now, verify_at=now, tamper={"host": "evil.example"})
    assert result == Rejected(
        "invalid", "verification failed for https://remote.example/users/alice#main-key"
    )


def mastodon_style_request(
    key: rsa.RSAPrivateKey, algorithm: str | None, order: str
) -> tuple[SignatureParams, dict[str, str]]:
    """Return a POST signed the way Mastodon signs (its header order, algorithm choice)."""
    headers = {
        "host": "hub.example",
        "date": "Sun, 01 Nov 2026 12:00:00 GMT",
        "digest": "sha-256=" + compute_digest(CAVAGE_BODY).split("=", 1)[1],
        "content-type": "application/activity+json",
        "collection-synchronization": 'collectionId="x", url="y", digest="z"',
    }
    params = SignatureParams(
        key_id="k", algorithm=algorithm, headers=tuple(order.split()), signature=b""
    )
    signing_string = build_signing_string(params, "POST", "/inbox", headers)
    signature = base64.b64encode(
        key.sign(signing_string.encode(), padding.PKCS1v15(), hashes.SHA256())
    ).decode()
    algorithm_part = f'algorithm="{algorithm}",' if algorithm else ""
    headers["signature"] = f'keyId="k",{algorithm_part}headers="{order}",signature="{signature}"'
    return parse_signature_header(headers["signature"]), headers


@pytest.mark.parametrize(
    ("algorithm", "order"),
    [
        ("rsa-sha256", "host date digest content-type (request-target)"),
        ("hs2019", "(request-target) host date digest"),
        (None, "date (request-target) digest host content-type collection-synchronization"),
    ],
    ids=["mastodon-order", "hs2019", "no-algorithm-extra-headers"],
)
def test_verify_follows_the_signed_header_list(
    cavage_key: rsa.RSAPrivateKey, algorithm: str | None, order: str
) -> None:
    # checklist 28
    params, headers = mastodon_style_request(cavage_key, algorithm, order)
    result = verify_signature(
        params,
        method="POST",
        path="/inbox",
        query="",
        headers=headers,
        body=CAVAGE_BODY,
        public_key_pem=public_pem_of(cavage_key),
        now=datetime(2026, 11, 1, 12, 5, tzinfo=UTC),
    )
    assert result == Verified(key_id="k")


def test_post_without_signed_digest_is_rejected(cavage_key: rsa.RSAPrivateKey) -> None:
    params, headers = mastodon_style_request(cavage_key, "rsa-sha256", "(request-target) host date")
    result = verify_signature(
        params, method="POST", path="/inbox", query="", headers=headers, body=CAVAGE_BODY,
        public_key_pem=public_pem_of(cavage_key), now=datetime(2026, 11, 1, 12, 0, tzinfo=UTC),
    )  # fmt: skip
    assert isinstance(result, Rejected)
    assert result.reason == "missing_required_header"


def test_unsupported_algorithm_is_rejected(cavage_key: rsa.RSAPrivateKey) -> None:
    params, headers = mastodon_style_request(
        cavage_key, "hmac-sha256", "(request-target) host date digest"
    )
    result = verify_signature(
        params, method="POST", path="/inbox", query="", headers=headers, body=CAVAGE_BODY,
        public_key_pem=public_pem_of(cavage_key), now=datetime(2026, 11, 1, 12, 0, tzinfo=UTC),
    )  # fmt: skip
    assert isinstance(result, Rejected)
    assert result.reason == "unsupported_algorithm"


HOSTILE_HEADERS = [
    "",
    "garbage",
    'keyId="k"',
    'signature="AAAA"',
    'keyId="k",signature="AAAA',
    'keyId="k",keyId="j",signature="AAAA"',
    'keyId="k",signature="not base64!"',
    'keyId="k",signature="AAAA",created="yesterday"',
    'keyId="k",signature="AAAA",headers=""',
    'keyId="k' + "x" * 100_000 + '",signature="AAAA"',
    'keyId="k\x00",signature="AAAA",\x00',
    'keyId="ключ",signature="AAAA",algorithm=rsa-sha256',
    ",,,,",
    'keyId="k";signature="AAAA"',
]


@pytest.mark.parametrize(
    "header", HOSTILE_HEADERS, ids=[f"h{i}" for i in range(len(HOSTILE_HEADERS))]
)
def test_hostile_signature_headers_fail_cleanly(header: str) -> None:
    with pytest.raises(SignatureMalformed):
        parse_signature_header(header)


def test_leading_signature_word_is_tolerated() -> None:
    params = parse_signature_header('Signature keyId="k",signature="AAAA"')
    assert params.key_id == "k"
    assert params.headers == ("(created)",)
