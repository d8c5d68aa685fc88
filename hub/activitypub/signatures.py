"""draft-cavage HTTP Signatures: digest, signing string, sign and verify, with Mastodon's rules.

Verification is two steps so the caller can do the I/O in between: `read_signature_header`
(or `parse_signature_header`) gives the key id, the caller finds that key, then
`verify_signature` returns `Verified` or `Rejected(reason, detail)`. Spec: mastodon-interop §3.
"""

import base64
import binascii
import hashlib
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Literal

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

from hub.activitypub.errors import SignatureMalformed
from hub.activitypub.keys import load_public_key
from hub.activitypub.signature_header import (
    SignatureParams,
    format_signature_header,
    parse_signature_header,
)
from hub.activitypub.signature_results import Rejected, RejectReason, Verified, check_time_window

__all__ = [
    "ACCEPTED_ALGORITHMS",
    "DigestCheck",
    "RejectReason",
    "Rejected",
    "SignatureMalformed",
    "SignatureParams",
    "Verified",
    "build_signing_string",
    "check_digest",
    "compute_digest",
    "parse_signature_header",
    "read_signature_header",
    "sign_request",
    "verify_request",
    "verify_signature",
]

# Both are verified as RSASSA-PKCS1-v1_5 with SHA-256, as Mastodon does; an absent algorithm
# counts as hs2019.
ACCEPTED_ALGORITHMS = frozenset({"rsa-sha256", "hs2019"})
PSEUDO_TIME_HEADERS = frozenset({"(created)", "(expires)"})

DigestCheck = Literal["match", "missing_sha256", "not_base64", "wrong_length", "mismatch"]


def compute_digest(body: bytes) -> str:
    """Return the `Digest` header value of a body: `SHA-256=<base64>`."""
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode("ascii")


def check_digest(header_value: str, body: bytes) -> DigestCheck:
    """Check a `Digest` header against the body: `"match"` or what is wrong with it.

    The algorithm name is case-insensitive and several comma-separated digests may be given;
    only SHA-256 is read, and every SHA-256 digest given must match.
    """
    expected = hashlib.sha256(body).digest()
    found = False
    for part in header_value.split(","):
        algorithm, _, encoded = part.strip().partition("=")
        if algorithm.strip().lower() != "sha-256":
            continue
        found = True
        try:
            given = base64.b64decode(encoded.strip(), validate=True)
        except (binascii.Error, ValueError):
            return "not_base64"
        if len(given) != len(expected):
            return "wrong_length"
        if given != expected:
            return "mismatch"
    return "match" if found else "missing_sha256"


def build_signing_string(
    method: str,
    path_with_query: str,
    headers: Mapping[str, str],
    signed_header_names: Sequence[str],
    *,
    created: int | None = None,
    expires: int | None = None,
) -> str:
    """Return the string that is signed: `name: value` for each listed name, joined by LF.

    `headers` has lowercase names; values are trimmed (draft-cavage-12 §2.3).

    Raises:
        SignatureMalformed: a listed header or pseudo-header value is missing, or a value
            contains a line break (which would let it forge further lines).
    """
    lines = []
    for raw_name in signed_header_names:
        name = raw_name.lower()
        if name == "(request-target)":
            value = f"{method.lower()} {path_with_query}"
        elif name in PSEUDO_TIME_HEADERS:
            number = created if name == "(created)" else expires
            if number is None:
                raise SignatureMalformed(f"{name} is signed but its parameter is missing")
            value = str(number)
        elif name in headers:
            value = headers[name].strip(" \t")
        else:
            raise SignatureMalformed(f"signed header {name} is missing from the request")
        if "\n" in value or "\r" in value:
            raise SignatureMalformed(f"signed header {name} contains a line break")
        lines.append(f"{name}: {value}")
    return "\n".join(lines)


def sign_request(
    *,
    method: str,
    url_path_with_query: str,
    host: str,
    headers: Mapping[str, str],
    body: bytes | None,
    private_key: rsa.RSAPrivateKey,
    key_id: str,
    now: datetime,
) -> dict[str, str]:
    """Return the headers that sign a request: host, date, digest (POST) and signature.

    POST signs `(request-target) host date digest` plus `content-type` when `headers` has
    one; GET signs `(request-target) host date`: what Mastodon requires of each (§3.1, §3.5).
    The algorithm is rsa-sha256, which every Mastodon version accepts.

    Raises:
        ValueError: `now` is naive.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    added = {"host": host, "date": format_datetime(now.astimezone(UTC), usegmt=True)}
    signed = ["(request-target)", "host", "date"]
    lowered = {name.lower(): value for name, value in headers.items()}
    if body is not None or method.upper() == "POST":
        added["digest"] = compute_digest(body or b"")
        signed.append("digest")
        if "content-type" in lowered:
            signed.append("content-type")
    signing_string = build_signing_string(method, url_path_with_query, lowered | added, signed)
    signature = private_key.sign(
        signing_string.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256()
    )
    added["signature"] = format_signature_header(
        SignatureParams(
            key_id=key_id, algorithm="rsa-sha256", headers=tuple(signed), signature=signature
        )
    )
    return added


def read_signature_header(headers: Mapping[str, str]) -> SignatureParams | Rejected:
    """Parse the request's `signature` header (lowercase names), or say why it cannot be."""
    value = headers.get("signature")
    if value is None:
        return Rejected("missing", "the request has no Signature header")
    try:
        return parse_signature_header(value)
    except SignatureMalformed as error:
        return Rejected("malformed", f"malformed Signature header: {error}")


def verify_request(
    *,
    method: str,
    path: str,
    query: str,
    headers: Mapping[str, str],
    body: bytes | None,
    public_key: PublicKeyTypes | str,
    now: datetime,
) -> Verified | Rejected:
    """Read and verify the request's signature with a key the caller already has."""
    params = read_signature_header(headers)
    if isinstance(params, Rejected):
        return params
    return verify_signature(
        params,
        method=method,
        path=path,
        query=query,
        headers=headers,
        body=body,
        public_key=public_key,
        now=now,
    )


def verify_signature(
    params: SignatureParams,
    *,
    method: str,
    path: str,
    query: str,
    headers: Mapping[str, str],
    body: bytes | None,
    public_key: PublicKeyTypes | str | None = None,
    public_key_pem: str | None = None,
    now: datetime,
) -> Verified | Rejected:
    """Verify a parsed signature against a request whose header names are lowercase.

    `path` and `query` are as received (not decoded; `query` without `?`). `public_key` is a
    loaded key or PEM text; `public_key_pem` is the older spelling of the same argument.
    `(request-target)` is tried with the query and then without it, as Mastodon does.
    """
    problem = _policy_problem(params, method, headers, body, now)
    if problem is not None:
        return problem
    key = _rsa_key(public_key if public_key is not None else public_key_pem)
    if isinstance(key, Rejected):
        return key
    targets = [f"{path}?{query}", path] if query else [path]
    for target in targets:
        try:
            signing_string = build_signing_string(
                method, target, headers, params.headers,
                created=params.created, expires=params.expires,
            )  # fmt: skip
        except SignatureMalformed as error:
            return Rejected("malformed", str(error))
        try:
            key.verify(
                params.signature,
                signing_string.encode("utf-8"),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except InvalidSignature:
            continue
        return Verified(key_id=params.key_id)
    return Rejected("invalid", f"signature verification failed for {params.key_id}")


def _policy_problem(
    params: SignatureParams,
    method: str,
    headers: Mapping[str, str],
    body: bytes | None,
    now: datetime,
) -> Rejected | None:
    if params.algorithm is not None and params.algorithm not in ACCEPTED_ALGORITHMS:
        return Rejected(
            "unsupported_algorithm",
            f"unsupported algorithm {params.algorithm}; use rsa-sha256 or hs2019",
        )
    covered = set(params.headers)
    if covered & PSEUDO_TIME_HEADERS and params.algorithm == "rsa-sha256":
        return Rejected("malformed", "(created) and (expires) are only valid with hs2019")
    coverage = _coverage_problem(covered, method)
    if coverage is not None:
        return Rejected("missing_required_header", coverage)
    window = _window_problem(params, covered, headers, now)
    if window is not None:
        return window
    if "digest" in covered:
        return _digest_problem(headers.get("digest"), body or b"")
    return None


def _coverage_problem(covered: set[str], method: str) -> str | None:
    if "date" not in covered and "(created)" not in covered:
        return "date or (created) must be signed"
    if "(request-target)" not in covered and "digest" not in covered:
        return "(request-target) or digest must be signed"
    if method.upper() == "GET" and "host" not in covered:
        return "host must be signed on GET"
    if method.upper() == "POST" and "digest" not in covered:
        return "digest must be signed on POST"
    return None


def _window_problem(
    params: SignatureParams, covered: set[str], headers: Mapping[str, str], now: datetime
) -> Rejected | None:
    # Only signed times count: an unsigned `created` or `expires` could be rewritten in transit.
    if "(created)" in covered:
        if params.created is None:
            return Rejected("malformed", "(created) is signed but created is missing")
        created = params.created
    else:
        date = _parse_http_date(headers.get("date"))
        if date is None:
            return Rejected("malformed", "the Date header is missing or unreadable")
        created = int(date.timestamp())
    expires = None
    if "(expires)" in covered:
        if params.expires is None:
            return Rejected("malformed", "(expires) is signed but expires is missing")
        expires = params.expires
    return check_time_window(created, expires, now)


def _parse_http_date(raw: str | None) -> datetime | None:
    if raw is None:
        return None
    try:
        parsed = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return parsed if parsed.tzinfo is not None else None


def _digest_problem(header: str | None, body: bytes) -> Rejected | None:
    if header is None:
        return Rejected("digest_mismatch", "Digest is signed but the header is missing")
    outcome = check_digest(header, body)
    if outcome == "match":
        return None
    explanation = {
        "missing_sha256": "only SHA-256 is supported in Digest",
        "not_base64": "the Digest value is not base64",
        "wrong_length": "the Digest value is not a SHA-256 digest",
        "mismatch": "the Digest does not match the body",
    }[outcome]
    return Rejected("digest_mismatch", f"{explanation}; computed {compute_digest(body)}")


def _rsa_key(key: PublicKeyTypes | str | None) -> rsa.RSAPublicKey | Rejected:
    if key is None:
        raise TypeError("verify_signature needs public_key")
    if isinstance(key, str):
        try:
            key = load_public_key(key)
        except (ValueError, UnsupportedAlgorithm):
            return Rejected("invalid", "the signer's public key does not parse")
    if not isinstance(key, rsa.RSAPublicKey):
        return Rejected("unsupported_algorithm", "draft-cavage signatures need an RSA key")
    return key
