"""RFC 9421 HTTP Message Signatures and RFC 9530 Content-Digest, with Mastodon's rules (§3.1).

Like the draft-cavage module, verification is parse (`read_message_signature` gives the key
id), then `verify_message_signature` once the caller has found the key. For the RFC's own
examples, which follow no application's rules, `verify_signature_base` checks only the
cryptography over whatever components are covered.
"""

import hashlib
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Literal
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

from hub.activitypub.errors import SignatureMalformed
from hub.activitypub.keys import load_public_key
from hub.activitypub.message_signature_base import (
    Component,
    MessageSignatureParams,
    RequestParts,
    build_signature_base,
    parse_message_signature,
)
from hub.activitypub.signature_results import Rejected, Verified, check_time_window
from hub.activitypub.structured_fields import (
    Item,
    parse_dictionary,
    serialize_byte_sequence,
    serialize_inner_list,
)

__all__ = [
    "ContentDigestCheck",
    "MessageAlgorithm",
    "MessageSignatureParams",
    "Rejected",
    "RequestParts",
    "SignatureMalformed",
    "Verified",
    "build_signature_base",
    "check_content_digest",
    "compute_content_digest",
    "parse_message_signature",
    "read_message_signature",
    "sign_message",
    "verify_message_signature",
    "verify_signature_base",
]

MessageAlgorithm = Literal["rsa-v1_5-sha256", "rsa-pss-sha512", "ed25519"]
ALGORITHMS: Mapping[str, MessageAlgorithm] = {
    "rsa-v1_5-sha256": "rsa-v1_5-sha256",
    "rsa-pss-sha512": "rsa-pss-sha512",
    "ed25519": "ed25519",
}
ContentDigestCheck = Literal["match", "mismatch", "unsupported"]
DIGEST_ALGORITHMS = {"sha-256": hashlib.sha256, "sha-512": hashlib.sha512}
# Mastodon's rule for inbound RFC 9421 signatures (§3.1).
REQUIRED_COMPONENTS = ("@method", "@target-uri")
_LABEL = re.compile(r"[a-z*][a-z0-9_.*-]{0,63}")

PrivateKey = rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey


def compute_content_digest(body: bytes) -> str:
    """Return the `Content-Digest` value of a body: `sha-256=:<base64>:` (RFC 9530)."""
    return "sha-256=" + serialize_byte_sequence(hashlib.sha256(body).digest())


def check_content_digest(header_value: str, body: bytes) -> ContentDigestCheck:
    """Check a `Content-Digest` header: every sha-256/sha-512 digest in it must match.

    Raises:
        SignatureMalformed: the header is not a Dictionary of byte sequences.
    """
    try:
        digests = parse_dictionary(header_value)
    except ValueError as error:
        raise SignatureMalformed(f"Content-Digest does not parse: {error}") from None
    checked = False
    for algorithm, member in digests.items():
        if not isinstance(member, Item) or not isinstance(member.value, bytes):
            raise SignatureMalformed(f"Content-Digest {algorithm} is not a byte sequence")
        hasher = DIGEST_ALGORITHMS.get(algorithm)
        if hasher is None:
            continue
        if member.value != hasher(body).digest():
            return "mismatch"
        checked = True
    return "match" if checked else "unsupported"


def read_message_signature(headers: Mapping[str, str]) -> MessageSignatureParams | Rejected:
    """Parse the request's `signature-input` and `signature` headers (lowercase names)."""
    signature_input = headers.get("signature-input")
    signature = headers.get("signature")
    if signature_input is None:
        return Rejected("missing", "the request has no Signature-Input header")
    if signature is None:
        return Rejected("malformed", "Signature-Input without a Signature header")
    try:
        return parse_message_signature(signature_input, signature)
    except SignatureMalformed as error:
        return Rejected("malformed", f"malformed message signature: {error}")


def verify_message_signature(
    params: MessageSignatureParams,
    *,
    method: str,
    target_uri: str,
    authority: str,
    path: str,
    query: str,
    headers: Mapping[str, str],
    body: bytes | None,
    public_key: PublicKeyTypes | str,
    now: datetime,
) -> Verified | Rejected:
    """Verify a parsed signature under Mastodon's rules for inbound RFC 9421 signatures.

    Requires `created`; coverage of @method and @target-uri, and of content-digest on POST;
    the same time window as draft-cavage; a matching Content-Digest when it is covered.
    `query` has no `?`; header names are lowercase.
    """
    if params.created is None:
        return Rejected("malformed", "the created parameter is required")
    missing = [name for name in REQUIRED_COMPONENTS if not params.covers(name)]
    if method.upper() == "POST" and not params.covers("content-digest"):
        missing.append("content-digest")
    if missing:
        return Rejected("missing_required_header", f"must be covered: {', '.join(missing)}")
    window = check_time_window(params.created, params.expires, now)
    if window is not None:
        return window
    if params.covers("content-digest"):
        problem = _content_digest_problem(headers.get("content-digest"), body or b"")
        if problem is not None:
            return problem
    request = RequestParts(method, target_uri, authority, path, query, headers)
    return verify_signature_base(params, request, public_key)


def verify_signature_base(
    params: MessageSignatureParams,
    request: RequestParts,
    public_key: PublicKeyTypes | str,
    *,
    algorithm: MessageAlgorithm | None = None,
) -> Verified | Rejected:
    """Check only the cryptography: rebuild the signature base and verify it (RFC 9421 §3.2).

    The algorithm is `algorithm` (known out of band), else `alg`, else the key's type
    (RSA means rsa-v1_5-sha256); when two of those are given they must agree.
    """
    key = _public_key(public_key)
    if isinstance(key, Rejected):
        return key
    chosen = _choose_algorithm(params.algorithm, algorithm, key)
    if isinstance(chosen, Rejected):
        return chosen
    try:
        base = build_signature_base(params, request).encode("ascii")
    except (SignatureMalformed, UnicodeEncodeError) as error:
        return Rejected("malformed", f"cannot build the signature base: {error}")
    try:
        _verify(chosen, key, params.signature, base)
    except InvalidSignature:
        return Rejected("invalid", f"signature verification failed for {params.key_id}")
    return Verified(key_id=params.key_id)


def sign_message(
    *,
    method: str,
    target_uri: str,
    headers: Mapping[str, str],
    body: bytes | None,
    private_key: PrivateKey,
    key_id: str,
    now: datetime,
    label: str = "sig1",
    components: Sequence[str] | None = None,
) -> dict[str, str]:
    """Return `signature-input`, `signature` and (with a body or POST) `content-digest`.

    By default covers what Mastodon 4.7 signs: `@method @target-uri` plus `content-digest`.
    RSA keys sign with rsa-v1_5-sha256, which Mastodon requires; Ed25519 keys with ed25519.

    Raises:
        ValueError: `now` is naive, the label is not an sf-key, or a component is unusable.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if not _LABEL.fullmatch(label):
        raise ValueError(f"label {label!r} is not a structured field key")
    added: dict[str, str] = {}
    if body is not None or method.upper() == "POST":
        added["content-digest"] = compute_content_digest(body or b"")
    if components is None:
        components = (*REQUIRED_COMPONENTS, *(("content-digest",) if added else ()))
    alg: MessageAlgorithm = (
        "ed25519" if isinstance(private_key, ed25519.Ed25519PrivateKey) else "rsa-v1_5-sha256"
    )
    created = int(now.timestamp())
    params_text = serialize_inner_list(
        [(name, {}) for name in components], {"created": created, "keyid": key_id, "alg": alg}
    )
    params = MessageSignatureParams(
        label=label,
        components=tuple(Component(name) for name in components),
        signature_params=params_text,
        signature=b"",
        key_id=key_id,
        created=created,
        algorithm=alg,
    )
    parts = urlsplit(target_uri)
    lowered = {name.lower(): value for name, value in headers.items()} | added
    request = RequestParts(method, target_uri, parts.netloc, parts.path, parts.query, lowered)
    try:
        base = build_signature_base(params, request).encode("ascii")
    except SignatureMalformed as error:
        raise ValueError(str(error)) from None
    if isinstance(private_key, ed25519.Ed25519PrivateKey):
        signature = private_key.sign(base)
    else:
        signature = private_key.sign(base, padding.PKCS1v15(), hashes.SHA256())
    added["signature-input"] = f"{label}={params_text}"
    added["signature"] = f"{label}={serialize_byte_sequence(signature)}"
    return added


def _content_digest_problem(header: str | None, body: bytes) -> Rejected | None:
    if header is None:
        return Rejected("digest_mismatch", "content-digest is covered but the header is missing")
    try:
        outcome = check_content_digest(header, body)
    except SignatureMalformed as error:
        return Rejected("malformed", str(error))
    if outcome == "unsupported":
        return Rejected("digest_mismatch", "Content-Digest has no sha-256 or sha-512 digest")
    if outcome == "mismatch":
        return Rejected(
            "digest_mismatch",
            f"Content-Digest does not match the body; computed {compute_content_digest(body)}",
        )
    return None


def _public_key(key: PublicKeyTypes | str) -> PublicKeyTypes | Rejected:
    if not isinstance(key, str):
        return key
    try:
        return load_public_key(key)
    except (ValueError, UnsupportedAlgorithm):
        return Rejected("invalid", "the signer's public key does not parse")


def _choose_algorithm(
    declared: str | None, known: MessageAlgorithm | None, key: PublicKeyTypes
) -> MessageAlgorithm | Rejected:
    declared_algorithm = ALGORITHMS.get(declared) if declared is not None else None
    if declared is not None and declared_algorithm is None:
        return Rejected("unsupported_algorithm", f"unsupported algorithm {declared}")
    if declared_algorithm is not None and known is not None and declared_algorithm != known:
        return Rejected("unsupported_algorithm", f"alg {declared} is not the expected {known}")
    by_key: MessageAlgorithm | None = None
    if isinstance(key, ed25519.Ed25519PublicKey):
        by_key = "ed25519"
    elif isinstance(key, rsa.RSAPublicKey):
        by_key = "rsa-v1_5-sha256"
    chosen = known or declared_algorithm or by_key
    if chosen is None:
        return Rejected("unsupported_algorithm", "the key is neither RSA nor Ed25519")
    if (chosen == "ed25519") != (by_key == "ed25519") or by_key is None:
        return Rejected("unsupported_algorithm", f"{chosen} does not fit the signer's key")
    return chosen


def _verify(
    algorithm: MessageAlgorithm, key: PublicKeyTypes, signature: bytes, base: bytes
) -> None:
    if algorithm == "ed25519" and isinstance(key, ed25519.Ed25519PublicKey):
        key.verify(signature, base)
    elif algorithm == "rsa-pss-sha512" and isinstance(key, rsa.RSAPublicKey):
        pss = padding.PSS(mgf=padding.MGF1(hashes.SHA512()), salt_length=64)
        key.verify(signature, base, pss, hashes.SHA512())
    elif algorithm == "rsa-v1_5-sha256" and isinstance(key, rsa.RSAPublicKey):
        key.verify(signature, base, padding.PKCS1v15(), hashes.SHA256())
    else:
        raise InvalidSignature
