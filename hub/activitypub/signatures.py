"""draft-cavage HTTP Signatures: parse, sign and verify, with Mastodon's rules (spec §3)."""

import base64
import binascii
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from typing import Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from hub.activitypub.errors import SignatureError
from hub.activitypub.keys import load_public_key

MAX_HEADER_LENGTH = 8192
ACCEPTED_ALGORITHMS = frozenset({"rsa-sha256", "hs2019"})
# Mastodon: a signature may be up to an hour early, and is good for an hour after it was made.
CLOCK_SKEW = timedelta(hours=1)
MAX_AGE = timedelta(hours=1)
PARAMETER = re.compile(r'\s*([A-Za-z]+)\s*=\s*"([^"]*)"\s*(?:,|$)')

RejectReason = Literal[
    "missing",
    "malformed",
    "unsupported_algorithm",
    "missing_required_header",
    "digest_mismatch",
    "expired",
    "invalid",
]


class SignatureMalformed(SignatureError):
    """The Signature header cannot be parsed."""


@dataclass(frozen=True)
class SignatureParams:
    """The parameters of a draft-cavage Signature header."""

    key_id: str
    algorithm: str | None
    headers: tuple[str, ...]
    signature: bytes
    created: int | None = None
    expires: int | None = None


@dataclass(frozen=True)
class Verified:
    """The signature verifies with the key named by `key_id`."""

    key_id: str


@dataclass(frozen=True)
class Rejected:
    """Why a signature does not verify; `detail` is safe to show the sender."""

    reason: RejectReason
    detail: str


def parse_signature_header(value: str) -> SignatureParams:
    """Parse `keyId="…",algorithm="…",headers="…",signature="…"`.

    Raises:
        SignatureMalformed: anything other than well-formed, unique, quoted parameters.
    """
    if len(value) > MAX_HEADER_LENGTH:
        raise SignatureMalformed("the Signature header is too long")
    text = value.strip()
    if text[:10].lower() == "signature ":
        text = text[10:]
    parameters: dict[str, str] = {}
    position = 0
    while position < len(text):
        match = PARAMETER.match(text, position)
        if match is None or match.end() == position:
            raise SignatureMalformed('parameters must be name="value" pairs')
        name = match.group(1)
        if name in parameters:
            raise SignatureMalformed(f"duplicate parameter {name}")
        parameters[name] = match.group(2)
        position = match.end()
    key_id = parameters.get("keyId")
    encoded = parameters.get("signature")
    if not key_id or not encoded:
        raise SignatureMalformed("keyId and signature are required")
    try:
        signature = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise SignatureMalformed("signature is not base64") from None
    algorithm = parameters.get("algorithm")
    default_headers = "date" if algorithm == "rsa-sha256" else "(created)"
    headers = tuple(parameters.get("headers", default_headers).lower().split())
    if not headers:
        raise SignatureMalformed("headers is empty")
    return SignatureParams(
        key_id=key_id,
        algorithm=algorithm.lower() if algorithm else None,
        headers=headers,
        signature=signature,
        created=_optional_int(parameters.get("created")),
        expires=_optional_int(parameters.get("expires")),
    )


def _optional_int(raw: str | None) -> int | None:
    if raw is None:
        return None
    if not re.fullmatch(r"\d{1,12}(\.\d+)?", raw):
        raise SignatureMalformed("created and expires must be Unix times")
    return int(float(raw))


def compute_digest(body: bytes) -> str:
    """Return the `Digest` header value of a body: `SHA-256=<base64>`."""
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode("ascii")


def digest_matches(header_value: str, body: bytes) -> bool:
    """Check a `Digest` header: any case, several comma-separated digests, SHA-256 used."""
    expected = hashlib.sha256(body).digest()
    found = False
    for part in header_value.split(","):
        algorithm, separator, encoded = part.strip().partition("=")
        if not separator or algorithm.strip().lower() != "sha-256":
            continue
        found = True
        try:
            if base64.b64decode(encoded.strip(), validate=True) != expected:
                return False
        except (binascii.Error, ValueError):
            return False
    return found


def build_signing_string(
    params: SignatureParams, method: str, target: str, headers: Mapping[str, str]
) -> str:
    """Return the string that was signed, from the listed headers in their given order.

    Raises:
        SignatureMalformed: a listed header is absent from the request.
    """
    lines = []
    for name in params.headers:
        if name == "(request-target)":
            value = f"{method.lower()} {target}"
        elif name == "(created)":
            if params.created is None:
                raise SignatureMalformed("(created) is signed but created is missing")
            value = str(params.created)
        elif name == "(expires)":
            if params.expires is None:
                raise SignatureMalformed("(expires) is signed but expires is missing")
            value = str(params.expires)
        elif name in headers:
            value = headers[name].strip()
        else:
            raise SignatureMalformed(f"signed header {name} is missing from the request")
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
    """Return the headers that sign a request: Host, Date, Digest (POST) and Signature.

    POST signs `(request-target) host date digest` (+ `content-type` when set), GET
    `(request-target) host date`, which is what Mastodon requires of each.
    """
    added = {"host": host, "date": format_datetime(now.astimezone(UTC), usegmt=True)}
    signed = ["(request-target)", "host", "date"]
    if body is not None:
        added["digest"] = compute_digest(body)
        signed.append("digest")
    lowered = {name.lower(): value for name, value in headers.items()}
    if body is not None and "content-type" in lowered:
        signed.append("content-type")
    params = SignatureParams(
        key_id=key_id, algorithm="rsa-sha256", headers=tuple(signed), signature=b""
    )
    signing_string = build_signing_string(params, method, url_path_with_query, lowered | added)
    signature = private_key.sign(
        signing_string.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256()
    )
    added["signature"] = (
        f'keyId="{key_id}",algorithm="rsa-sha256",headers="{" ".join(signed)}",'
        f'signature="{base64.b64encode(signature).decode("ascii")}"'
    )
    return added


def _coverage_problem(params: SignatureParams, method: str) -> str | None:
    covered = set(params.headers)
    if "date" not in covered and "(created)" not in covered:
        return "date or (created) must be signed"
    if "(request-target)" not in covered and "digest" not in covered:
        return "(request-target) or digest must be signed"
    if method.upper() == "GET" and "host" not in covered:
        return "host must be signed on GET"
    if method.upper() == "POST" and "digest" not in covered:
        return "digest must be signed on POST"
    return None


def _signed_at(params: SignatureParams, headers: Mapping[str, str]) -> datetime | None:
    if "(created)" in params.headers and params.created is not None:
        return datetime.fromtimestamp(params.created, tz=UTC)
    raw = headers.get("date")
    if raw is None:
        return None
    try:
        parsed = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo is not None else None


def verify_signature(
    params: SignatureParams,
    *,
    method: str,
    path: str,
    query: str,
    headers: Mapping[str, str],
    body: bytes | None,
    public_key_pem: str,
    now: datetime,
) -> Verified | Rejected:
    """Verify a parsed signature against a request whose header names are lowercase."""
    if params.algorithm is not None and params.algorithm not in ACCEPTED_ALGORITHMS:
        return Rejected("unsupported_algorithm", f"unsupported algorithm {params.algorithm}")
    pseudo_times = {"(created)", "(expires)"} & set(params.headers)
    if pseudo_times and params.algorithm not in (None, "hs2019"):
        return Rejected("malformed", "(created) and (expires) need algorithm hs2019")
    problem = _coverage_problem(params, method)
    if problem is not None:
        return Rejected("missing_required_header", problem)
    if "digest" in params.headers and body is not None:
        digest = headers.get("digest")
        if digest is None or not digest_matches(digest, body):
            return Rejected(
                "digest_mismatch", f"Digest does not match; expected {compute_digest(body)}"
            )
    signed_at = _signed_at(params, headers)
    if signed_at is None:
        return Rejected("malformed", "the signature time is missing or unreadable")
    expires_at = signed_at + MAX_AGE
    if params.expires is not None:
        expires_at = min(expires_at, datetime.fromtimestamp(params.expires, tz=UTC) + MAX_AGE)
    if signed_at > now + CLOCK_SKEW or now > expires_at:
        return Rejected("expired", "signed request date outside acceptable time window")
    try:
        key = load_public_key(public_key_pem)
    except ValueError:
        return Rejected("invalid", "the signer's public key does not parse")
    if not isinstance(key, rsa.RSAPublicKey):
        return Rejected("unsupported_algorithm", "only RSA keys are accepted")
    targets = [f"{path}?{query}", path] if query else [path]
    for target in targets:
        try:
            signing_string = build_signing_string(params, method, target, headers)
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
    return Rejected("invalid", f"verification failed for {params.key_id}")
