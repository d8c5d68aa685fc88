"""RFC 9421 message signatures against the RFC's published examples and Mastodon's rules."""

import base64
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

from hub.activitypub.errors import SignatureMalformed
from hub.activitypub.keys import load_private_key
from hub.activitypub.message_signatures import (
    MessageSignatureParams,
    Rejected,
    Verified,
    build_signature_base,
    check_content_digest,
    compute_content_digest,
    parse_message_signature,
    read_message_signature,
    sign_message,
    verify_message_signature,
    verify_signature_base,
)
from tests.activitypub.rfc9421_vectors import (
    BODY,
    PROXY_BASE,
    PROXY_REQUEST,
    PROXY_SIGNATURE,
    PROXY_SIGNATURE_INPUT,
    RFC_EXAMPLES,
    SHA512_DIGEST,
    TEST_KEY_ED25519_PRIVATE,
    TEST_KEY_ED25519_PUBLIC,
    TEST_KEY_RSA_PRIVATE,
    TEST_KEY_RSA_PSS_PRIVATE,
    TEST_KEY_RSA_PSS_PUBLIC,
    TEST_KEY_RSA_PUBLIC,
    TEST_REQUEST,
    TRANSFORM_SIGNATURE,
    TRANSFORM_SIGNATURE_INPUT,
    transform_request,
)

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
INBOX_URI = "https://hub.example/users/org/inbox"
ACTIVITY = b'{"type": "Follow"}'


@pytest.mark.parametrize("example", ["B.2.1", "B.2.2", "B.2.3", "3.2"])
def test_rfc_rsa_pss_signatures_verify(example: str) -> None:
    signature_input, signature, _ = RFC_EXAMPLES[example]
    params = parse_message_signature(signature_input, signature)
    result = verify_signature_base(
        params, TEST_REQUEST, TEST_KEY_RSA_PSS_PUBLIC, algorithm="rsa-pss-sha512"
    )
    assert result == Verified(key_id="test-key-rsa-pss")


def test_rsa_pss_signature_made_with_the_rfc_private_key_verifies() -> None:
    # RSA-PSS is randomised, so a fresh signature cannot equal the RFC's; it must verify.
    signature_input, signature, base = RFC_EXAMPLES["B.2.3"]
    private_key = load_private_key(TEST_KEY_RSA_PSS_PRIVATE)
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA512()), salt_length=64)
    fresh = private_key.sign(base.encode(), pss, hashes.SHA512())
    label = signature.split("=", 1)[0]
    params = parse_message_signature(
        signature_input, f"{label}=:{base64.b64encode(fresh).decode()}:"
    )
    result = verify_signature_base(
        params, TEST_REQUEST, TEST_KEY_RSA_PSS_PUBLIC, algorithm="rsa-pss-sha512"
    )
    assert result == Verified(key_id="test-key-rsa-pss")


def test_rfc_rsa_pss_signature_fails_as_rsa_v1_5() -> None:
    # Without the algorithm known out of band, an RSA key means rsa-v1_5-sha256.
    signature_input, signature, _ = RFC_EXAMPLES["B.2.3"]
    params = parse_message_signature(signature_input, signature)
    result = verify_signature_base(params, TEST_REQUEST, TEST_KEY_RSA_PSS_PUBLIC)
    assert isinstance(result, Rejected)
    assert result.reason == "invalid"


def test_rfc_ed25519_signature_verifies_and_is_reproduced_exactly() -> None:
    # B.2.6
    signature_input, signature, base = RFC_EXAMPLES["B.2.6"]
    params = parse_message_signature(signature_input, signature)
    assert verify_signature_base(params, TEST_REQUEST, TEST_KEY_ED25519_PUBLIC) == Verified(
        key_id="test-key-ed25519"
    )
    private_key = serialization.load_pem_private_key(TEST_KEY_ED25519_PRIVATE.encode(), None)
    assert isinstance(private_key, ed25519.Ed25519PrivateKey)
    assert private_key.sign(base.encode()) == params.signature


def test_rfc_proxy_rsa_v1_5_signature_verifies_and_is_reproduced_exactly() -> None:
    # §4.3: two signatures; the proxy's is picked by label.
    params = parse_message_signature(PROXY_SIGNATURE_INPUT, PROXY_SIGNATURE, label="proxy_sig")
    assert (params.algorithm, params.expires) == ("rsa-v1_5-sha256", 1618884540)
    assert build_signature_base(params, PROXY_REQUEST) == PROXY_BASE
    assert verify_signature_base(params, PROXY_REQUEST, TEST_KEY_RSA_PUBLIC) == Verified(
        key_id="test-key-rsa"
    )
    private_key = load_private_key(TEST_KEY_RSA_PRIVATE)
    resigned = private_key.sign(PROXY_BASE.encode(), padding.PKCS1v15(), hashes.SHA256())
    assert resigned == params.signature


@pytest.mark.parametrize(
    ("method", "authority", "query", "is_valid"),
    [
        ("GET", "example.org", "name1=Value1&Name2=value2", True),
        ("GET", "example.org", "name1=Value1&Name2=value2&param=added", True),
        ("POST", "example.com", "name1=Value1&Name2=value2", False),
    ],
    ids=["original", "uncovered-query-added", "method-and-authority-changed"],
)
def test_rfc_transformed_request_verifies_only_when_covered_parts_hold(
    method: str, authority: str, query: str, is_valid: bool
) -> None:
    # Appendix B.4
    params = parse_message_signature(TRANSFORM_SIGNATURE_INPUT, TRANSFORM_SIGNATURE)
    request = transform_request(method, authority, query)
    result = verify_signature_base(params, request, TEST_KEY_ED25519_PUBLIC)
    assert isinstance(result, Verified) is is_valid


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (SHA512_DIGEST, "match"),
        ("sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:", "match"),
        ("md5=:Sd/dVLAcvNLSq16eXua5uQ==:, sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:",
         "match"),
        ("sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=:", "mismatch"),
        ("md5=:Sd/dVLAcvNLSq16eXua5uQ==:", "unsupported"),
    ],
    ids=["rfc9421-sha512", "rfc9530-sha256", "with-md5", "other-body", "md5-only"],
)  # fmt: skip
def test_check_content_digest_reports_the_outcome(value: str, expected: str) -> None:
    # RFC 9530 Appendix D lists these digests of {"hello": "world"}.
    assert check_content_digest(value, BODY) == expected


@pytest.mark.parametrize(
    "value",
    ["sha-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=", "sha-256=:***:", "SHA-256=:AA==:", ""],
    ids=["cavage-style", "bad-base64", "uppercase-key", "empty"],
)
def test_unparsable_content_digest_is_malformed(value: str) -> None:
    with pytest.raises(SignatureMalformed):
        check_content_digest(value, BODY)


def test_compute_content_digest_matches_rfc_9530() -> None:
    assert compute_content_digest(BODY) == "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:"


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    """RFC 9421's test-key-rsa, to sign Hub-shaped requests."""
    return load_private_key(TEST_KEY_RSA_PRIVATE)


def signed_post(
    private_key: rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey,
    *,
    now: datetime = NOW,
    components: tuple[str, ...] | None = None,
) -> dict[str, str]:
    """Return the headers of an inbox POST signed with `sign_message`."""
    headers = {"content-type": "application/activity+json"}
    return headers | sign_message(
        method="POST", target_uri=INBOX_URI, headers=headers, body=ACTIVITY,
        private_key=private_key, key_id="https://remote.example/actor#main-key", now=now,
        components=components,
    )  # fmt: skip


def verify_inbox_post(
    headers: dict[str, str], public_key: str | ed25519.Ed25519PublicKey, *, body: bytes = ACTIVITY
) -> Verified | Rejected:
    """Read and verify an inbox POST under Mastodon's rules."""
    params = read_message_signature(headers)
    if isinstance(params, Rejected):
        return params
    return verify_message_signature(
        params, method="POST", target_uri=INBOX_URI, authority="hub.example",
        path="/users/org/inbox", query="", headers=headers, body=body,
        public_key=public_key, now=NOW,
    )  # fmt: skip


def test_sign_message_covers_what_mastodon_requires(rsa_key: rsa.RSAPrivateKey) -> None:
    headers = signed_post(rsa_key)
    assert headers["content-digest"] == compute_content_digest(ACTIVITY)
    assert headers["signature-input"] == (
        'sig1=("@method" "@target-uri" "content-digest");created=1793534400'
        ';keyid="https://remote.example/actor#main-key";alg="rsa-v1_5-sha256"'
    )


def test_signed_message_round_trips_with_rsa(rsa_key: rsa.RSAPrivateKey) -> None:
    result = verify_inbox_post(signed_post(rsa_key), TEST_KEY_RSA_PUBLIC)
    assert result == Verified(key_id="https://remote.example/actor#main-key")


def test_signed_message_round_trips_with_ed25519() -> None:
    private_key = ed25519.Ed25519PrivateKey.generate()
    result = verify_inbox_post(signed_post(private_key), private_key.public_key())
    assert isinstance(result, Verified)


@pytest.mark.parametrize(
    ("components", "detail"),
    [
        (("@method", "content-digest"), "must be covered: @target-uri"),
        (("@method", "@target-uri"), "must be covered: content-digest"),
        (("@authority", "@path", "content-digest"), "must be covered: @method, @target-uri"),
    ],
    ids=["no-target-uri", "post-without-content-digest", "no-method-or-target-uri"],
)
def test_verify_rejects_missing_required_components(
    rsa_key: rsa.RSAPrivateKey, components: tuple[str, ...], detail: str
) -> None:
    headers = signed_post(rsa_key, components=components)
    result = verify_inbox_post(headers, TEST_KEY_RSA_PUBLIC)
    assert result == Rejected("missing_required_header", detail)


@pytest.mark.parametrize(
    ("offset", "is_valid"),
    [(timedelta(minutes=-64), True), (timedelta(hours=-2), False), (timedelta(minutes=61), False)],
    ids=["64-min-old", "2-h-old", "61-min-ahead"],
)
def test_verify_rejects_created_outside_window(
    rsa_key: rsa.RSAPrivateKey, offset: timedelta, is_valid: bool
) -> None:
    result = verify_inbox_post(signed_post(rsa_key, now=NOW + offset), TEST_KEY_RSA_PUBLIC)
    if is_valid:
        assert isinstance(result, Verified)
    else:
        assert isinstance(result, Rejected)
        assert result.reason == "expired"


def test_verify_rejects_content_digest_mismatch(rsa_key: rsa.RSAPrivateKey) -> None:
    result = verify_inbox_post(signed_post(rsa_key), TEST_KEY_RSA_PUBLIC, body=b"{}")
    assert isinstance(result, Rejected)
    assert result.reason == "digest_mismatch"


def test_verify_rejects_unparsable_content_digest(rsa_key: rsa.RSAPrivateKey) -> None:
    headers = signed_post(rsa_key) | {"content-digest": "sha-256=not-a-byte-sequence"}
    result = verify_inbox_post(headers, TEST_KEY_RSA_PUBLIC)
    assert isinstance(result, Rejected)
    assert result.reason == "malformed"


def test_verify_rejects_signature_without_created() -> None:
    params = parse_message_signature('sig=("@method" "@target-uri");keyid="k"', "sig=:AAAA:")
    result = verify_message_signature(
        params, method="GET", target_uri=INBOX_URI, authority="hub.example",
        path="/users/org/inbox", query="", headers={}, body=None,
        public_key=TEST_KEY_RSA_PUBLIC, now=NOW,
    )  # fmt: skip
    assert result == Rejected("malformed", "the created parameter is required")


@pytest.mark.parametrize(
    ("alg", "key", "reason"),
    [
        ("hmac-sha256", TEST_KEY_RSA_PUBLIC, "unsupported_algorithm"),
        ("ed25519", TEST_KEY_RSA_PUBLIC, "unsupported_algorithm"),
        ("rsa-v1_5-sha256", TEST_KEY_ED25519_PUBLIC, "unsupported_algorithm"),
        ("rsa-v1_5-sha256", TEST_KEY_RSA_PSS_PUBLIC, "invalid"),
    ],
    ids=["unknown-alg", "alg-not-for-rsa-key", "alg-not-for-ed25519-key", "other-rsa-key"],
)
def test_verify_rejects_alg_or_key_that_cannot_have_signed(
    rsa_key: rsa.RSAPrivateKey, alg: str, key: str, reason: str
) -> None:
    headers = signed_post(rsa_key)
    headers["signature-input"] = headers["signature-input"].replace("rsa-v1_5-sha256", alg)
    result = verify_inbox_post(headers, key)
    assert isinstance(result, Rejected)
    assert result.reason == reason


def test_verify_rejects_changed_target(rsa_key: rsa.RSAPrivateKey) -> None:
    params = read_message_signature(signed_post(rsa_key))
    assert isinstance(params, MessageSignatureParams)
    result = verify_message_signature(
        params, method="POST", target_uri="https://hub.example/users/other/inbox",
        authority="hub.example", path="/users/other/inbox", query="",
        headers=signed_post(rsa_key), body=ACTIVITY, public_key=TEST_KEY_RSA_PUBLIC, now=NOW,
    )  # fmt: skip
    assert isinstance(result, Rejected)
    assert result.reason == "invalid"


def test_read_message_signature_reports_a_missing_header() -> None:
    assert read_message_signature({"host": "hub.example"}) == Rejected(
        "missing", "the request has no Signature-Input header"
    )
