"""draft-cavage signatures against the draft's published vectors and Mastodon's rules."""

import base64
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

from hub.activitypub.keys import load_private_key, public_pem_of
from hub.activitypub.signatures import (
    Rejected,
    SignatureParams,
    Verified,
    build_signing_string,
    check_digest,
    compute_digest,
    parse_signature_header,
    sign_request,
    verify_request,
    verify_signature,
)
from tests.activitypub.cavage_vectors import (
    CAVAGE_BODY,
    CAVAGE_HEADERS,
    CAVAGE_NOW,
    CAVAGE_PRIVATE_KEY,
    CAVAGE_PUBLIC_KEY,
    CAVAGE_VECTORS,
)

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
BODY = b'{"type": "Follow"}'


@pytest.fixture(scope="module")
def cavage_key() -> rsa.RSAPrivateKey:
    """The draft's test key; small, so the whole module stays fast."""
    return load_private_key(CAVAGE_PRIVATE_KEY)


def rsa_sign(key: rsa.RSAPrivateKey, text: str) -> str:
    """Sign text as rsa-sha256 does and return base64."""
    return base64.b64encode(key.sign(text.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()


def verify(
    params: SignatureParams,
    headers: dict[str, str],
    *,
    method: str = "POST",
    path: str = "/inbox",
    query: str = "",
    body: bytes | None = BODY,
    now: datetime = NOW,
    key: str = CAVAGE_PUBLIC_KEY,
) -> Verified | Rejected:
    """Verify with the draft's public key unless told otherwise."""
    return verify_signature(
        params, method=method, path=path, query=query, headers=headers, body=body,
        public_key=key, now=now,
    )  # fmt: skip


@pytest.mark.parametrize("vector", list(CAVAGE_VECTORS))
def test_signing_string_and_signature_match_the_draft(
    cavage_key: rsa.RSAPrivateKey, vector: str
) -> None:
    names, signing_string, signature = CAVAGE_VECTORS[vector]
    built = build_signing_string("POST", "/foo?param=value&pet=dog", CAVAGE_HEADERS, names.split())
    assert built == signing_string
    assert rsa_sign(cavage_key, built) == signature


@pytest.mark.parametrize(
    ("vector", "expected"),
    [
        ("C.1", Rejected("missing_required_header", "(request-target) or digest must be signed")),
        ("C.2", Rejected("missing_required_header", "digest must be signed on POST")),
        ("C.3", Verified(key_id="Test")),
    ],
    ids=["C.1", "C.2", "C.3"],
)
def test_draft_signatures_verify_only_when_mastodons_coverage_is_met(
    vector: str, expected: Verified | Rejected
) -> None:
    names, _, signature = CAVAGE_VECTORS[vector]
    params = parse_signature_header(
        f'keyId="Test",algorithm="rsa-sha256",headers="{names}",signature="{signature}"'
    )
    result = verify(
        params, CAVAGE_HEADERS, path="/foo", query="param=value&pet=dog",
        body=CAVAGE_BODY, now=CAVAGE_NOW,
    )  # fmt: skip
    assert result == expected


def test_draft_digest_is_computed_from_its_body() -> None:
    assert compute_digest(CAVAGE_BODY) == CAVAGE_HEADERS["digest"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=", "match"),
        ("sha-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=", "match"),
        ("MD5=Sd/dVLAcvNLSq16eXua5uQ==, SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=",
         "match"),
        ("SHA-256=" + compute_digest(b"{}").split("=", 1)[1], "mismatch"),
        ("SHA-256=AAAA", "wrong_length"),
        ("SHA-256=***", "not_base64"),
        ("MD5=Sd/dVLAcvNLSq16eXua5uQ==", "missing_sha256"),
        ("", "missing_sha256"),
    ],
    ids=["canonical", "lowercase", "several", "mismatch", "short", "not-base64", "md5-only",
         "empty"],
)  # fmt: skip
def test_check_digest_reports_what_is_wrong(value: str, expected: str) -> None:
    # checklist 29
    assert check_digest(value, CAVAGE_BODY) == expected


def signed_request(
    key: rsa.RSAPrivateKey,
    *,
    method: str = "POST",
    target: str = "/inbox",
    body: bytes | None = BODY,
    now: datetime = NOW,
) -> dict[str, str]:
    """Return the headers Hub sends for a request signed at `now`."""
    headers = {"Content-Type": "application/activity+json"} if body is not None else {}
    added = sign_request(
        method=method, url_path_with_query=target, host="hub.example", headers=headers,
        body=body, private_key=key, key_id="https://remote.example/users/alice#main-key", now=now,
    )  # fmt: skip
    return {name.lower(): value for name, value in headers.items()} | added


def test_sign_request_adds_date_digest_and_the_signed_header_list(
    cavage_key: rsa.RSAPrivateKey,
) -> None:
    headers = signed_request(cavage_key)
    params = parse_signature_header(headers["signature"])
    assert headers["date"] == "Sun, 01 Nov 2026 12:00:00 GMT"
    assert headers["digest"] == compute_digest(BODY)
    assert params.algorithm == "rsa-sha256"
    assert params.headers == ("(request-target)", "host", "date", "digest", "content-type")


def test_sign_request_refuses_a_naive_clock(cavage_key: rsa.RSAPrivateKey) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        signed_request(cavage_key, now=datetime(2026, 11, 1, 12, 0))  # noqa: DTZ001


def test_signed_post_round_trips(cavage_key: rsa.RSAPrivateKey) -> None:
    result = verify_request(
        method="POST", path="/inbox", query="", headers=signed_request(cavage_key), body=BODY,
        public_key=cavage_key.public_key(), now=NOW,
    )  # fmt: skip
    assert result == Verified(key_id="https://remote.example/users/alice#main-key")


def test_signed_get_with_query_round_trips(cavage_key: rsa.RSAPrivateKey) -> None:
    # checklist 30
    headers = signed_request(cavage_key, method="GET", target="/c?page=2", body=None)
    params = parse_signature_header(headers["signature"])
    assert params.headers == ("(request-target)", "host", "date")
    result = verify(params, headers, method="GET", path="/c", query="page=2", body=None)
    assert isinstance(result, Verified)


def test_verify_accepts_request_target_signed_without_the_query(
    cavage_key: rsa.RSAPrivateKey,
) -> None:
    # Mastodon retries without the query string, for signers that leave it out.
    headers = signed_request(cavage_key, method="GET", target="/c", body=None)
    params = parse_signature_header(headers["signature"])
    result = verify(params, headers, method="GET", path="/c", query="page=2", body=None)
    assert isinstance(result, Verified)


@pytest.mark.parametrize(
    ("offset", "is_valid"),
    [
        (timedelta(minutes=-64), True),
        (timedelta(minutes=-66), False),
        (timedelta(hours=-2), False),
        (timedelta(minutes=59), True),
        (timedelta(minutes=61), False),
    ],
    ids=["64-min-old", "66-min-old", "2-h-old", "59-min-ahead", "61-min-ahead"],
)
def test_verify_rejects_date_outside_window(
    cavage_key: rsa.RSAPrivateKey, offset: timedelta, is_valid: bool
) -> None:
    # checklist 27: Date -65 min / +60 min around our clock (Mastodon's rule, §3.1)
    headers = signed_request(cavage_key, now=NOW + offset)
    result = verify(parse_signature_header(headers["signature"]), headers)
    if is_valid:
        assert isinstance(result, Verified)
    else:
        assert isinstance(result, Rejected)
        assert result.reason == "expired"


def hs2019_request(
    key: rsa.RSAPrivateKey, *, created: int, expires: int | None, algorithm: str = "hs2019"
) -> tuple[SignatureParams, dict[str, str]]:
    """Return a POST signed over (created), and (expires) when given, instead of Date."""
    headers = {"host": "hub.example", "digest": compute_digest(BODY)}
    names = ["(request-target)", "(created)", "host", "digest"]
    extra = f"created={created},"
    if expires is not None:
        names.insert(2, "(expires)")
        extra += f"expires={expires},"
    signing_string = build_signing_string(
        "POST", "/inbox", headers, names, created=created, expires=expires
    )
    headers["signature"] = (
        f'keyId="k",algorithm="{algorithm}",{extra}headers="{" ".join(names)}",'
        f'signature="{rsa_sign(key, signing_string)}"'
    )
    return parse_signature_header(headers["signature"]), headers


@pytest.mark.parametrize(
    ("created_ago", "expires_ago", "is_valid"),
    [
        (timedelta(minutes=10), None, True),
        (timedelta(minutes=70), None, False),
        (timedelta(minutes=90), timedelta(minutes=20), True),
        (timedelta(hours=3), timedelta(hours=1, minutes=5), False),
        (timedelta(hours=14), timedelta(minutes=-30), False),
    ],
    ids=["fresh", "past-default-5-min", "inside-expires", "past-expires", "past-12-h-cap"],
)
def test_verify_uses_signed_created_and_expires_for_the_window(
    cavage_key: rsa.RSAPrivateKey,
    created_ago: timedelta,
    expires_ago: timedelta | None,
    is_valid: bool,
) -> None:
    created = int((NOW - created_ago).timestamp())
    expires = None if expires_ago is None else int((NOW - expires_ago).timestamp())
    params, headers = hs2019_request(cavage_key, created=created, expires=expires)
    result = verify(params, headers)
    if is_valid:
        assert isinstance(result, Verified)
    else:
        assert isinstance(result, Rejected)
        assert result.reason == "expired"


def test_verify_rejects_created_pseudo_header_with_rsa_sha256(
    cavage_key: rsa.RSAPrivateKey,
) -> None:
    created = int(NOW.timestamp())
    params, headers = hs2019_request(
        cavage_key, created=created, expires=None, algorithm="rsa-sha256"
    )
    assert verify(params, headers) == Rejected(
        "malformed", "(created) and (expires) are only valid with hs2019"
    )


def mastodon_request(
    key: rsa.RSAPrivateKey, algorithm: str | None, order: str, digest: str
) -> tuple[SignatureParams, dict[str, str]]:
    """Return a POST signed the way Mastodon signs: its header order and algorithm choice."""
    headers = {
        "host": "hub.example",
        "date": "Sun, 01 Nov 2026 12:00:00 GMT",
        "digest": digest,
        "content-type": "application/activity+json",
        "collection-synchronization": 'collectionId="x", url="y", digest="z"',
        "user-agent": "Mastodon/4.5.0 (http.rb/5.2.0; +https://remote.example/)",
    }
    signing_string = build_signing_string("POST", "/inbox", headers, order.split())
    algorithm_part = f'algorithm="{algorithm}",' if algorithm else ""
    headers["signature"] = (
        f'keyId="https://remote.example/users/alice#main-key",{algorithm_part}'
        f'headers="{order}",signature="{rsa_sign(key, signing_string)}"'
    )
    return parse_signature_header(headers["signature"]), headers


SHA256_OF_BODY = compute_digest(BODY).split("=", 1)[1]


@pytest.mark.parametrize(
    ("algorithm", "order", "digest"),
    [
        ("rsa-sha256", "host date digest content-type (request-target)",
         f"SHA-256={SHA256_OF_BODY}"),
        ("hs2019", "(request-target) host date digest", f"sha-256={SHA256_OF_BODY}"),
        (None, "date (request-target) digest host content-type collection-synchronization",
         f"SHA-512=AAAA, sha-256={SHA256_OF_BODY}"),
    ],
    ids=["mastodon-order", "hs2019-lowercase-digest", "no-algorithm-several-digests"],
)  # fmt: skip
def test_verify_follows_mastodons_signed_header_list(
    cavage_key: rsa.RSAPrivateKey, algorithm: str | None, order: str, digest: str
) -> None:
    # checklist 28
    params, headers = mastodon_request(cavage_key, algorithm, order, digest)
    result = verify(params, headers, now=NOW + timedelta(minutes=5))
    assert result == Verified(key_id="https://remote.example/users/alice#main-key")


def test_verify_rejects_digest_mismatch(cavage_key: rsa.RSAPrivateKey) -> None:
    headers = signed_request(cavage_key)
    result = verify(parse_signature_header(headers["signature"]), headers, body=b"{}")
    assert isinstance(result, Rejected)
    assert result.reason == "digest_mismatch"
    assert compute_digest(b"{}") in result.detail


def test_verify_rejects_post_without_digest_covered(cavage_key: rsa.RSAPrivateKey) -> None:
    params, headers = mastodon_request(
        cavage_key, "rsa-sha256", "(request-target) host date", f"SHA-256={SHA256_OF_BODY}"
    )
    assert verify(params, headers) == Rejected(
        "missing_required_header", "digest must be signed on POST"
    )


def test_verify_rejects_get_without_host_covered(cavage_key: rsa.RSAPrivateKey) -> None:
    headers = {"date": "Sun, 01 Nov 2026 12:00:00 GMT"}
    signing_string = build_signing_string("GET", "/c", headers, ["(request-target)", "date"])
    signature = base64.b64decode(rsa_sign(cavage_key, signing_string))
    params = SignatureParams("k", "rsa-sha256", ("(request-target)", "date"), signature)
    result = verify(params, headers, method="GET", path="/c", body=None)
    assert result == Rejected("missing_required_header", "host must be signed on GET")


def test_verify_rejects_changed_signed_header(cavage_key: rsa.RSAPrivateKey) -> None:
    headers = signed_request(cavage_key) | {"host": "evil.example"}
    result = verify(parse_signature_header(headers["signature"]), headers)
    assert result == Rejected(
        "invalid", "signature verification failed for https://remote.example/users/alice#main-key"
    )


def test_verify_rejects_signed_header_absent_from_request(cavage_key: rsa.RSAPrivateKey) -> None:
    headers = signed_request(cavage_key)
    del headers["content-type"]
    result = verify(parse_signature_header(headers["signature"]), headers)
    assert result == Rejected("malformed", "signed header content-type is missing from the request")


def test_verify_rejects_unsupported_algorithm(cavage_key: rsa.RSAPrivateKey) -> None:
    params, headers = mastodon_request(
        cavage_key, "hmac-sha256", "(request-target) host date digest", f"SHA-256={SHA256_OF_BODY}"
    )
    result = verify(params, headers)
    assert isinstance(result, Rejected)
    assert result.reason == "unsupported_algorithm"


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        (public_pem_of(rsa.generate_private_key(public_exponent=65537, key_size=2048)), "invalid"),
        ("not a key", "invalid"),
        (ed25519.Ed25519PrivateKey.generate().public_key(), "unsupported_algorithm"),
    ],
    ids=["other-rsa-key", "unparsable-pem", "ed25519-key"],
)  # fmt: skip
def test_verify_rejects_a_key_that_cannot_have_signed(
    cavage_key: rsa.RSAPrivateKey, key: PublicKeyTypes | str, reason: str
) -> None:
    headers = signed_request(cavage_key)
    result = verify_request(
        method="POST", path="/inbox", query="", headers=headers, body=BODY,
        public_key=key, now=NOW,
    )  # fmt: skip
    assert isinstance(result, Rejected)
    assert result.reason == reason
