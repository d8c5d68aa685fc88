"""HTTP signatures as Mastodon makes and checks them, written apart from Hub's own code.

Signing and verifying here use only `cryptography` and the rules Mastodon's
`app/lib/signed_request.rb`, `app/lib/request.rb` and `signature_verification.rb` follow, so
a mistake in Hub's signature code cannot hide behind the same mistake in its tests.
"""

import base64
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

# What Mastodon signs on a POST: every header it sets except User-Agent and Accept-Encoding.
MASTODON_POST_HEADERS = ("(request-target)", "host", "date", "digest", "content-type")
MASTODON_GET_HEADERS = ("(request-target)", "host", "date", "accept")
AP_CONTENT_TYPE = "application/activity+json"
SIGNATURE_WINDOW = timedelta(hours=1)


def sha256_digest(body: bytes) -> str:
    """Return `SHA-256=<base64>` of a body, as the Digest header carries it."""
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()


def http_date(moment: datetime) -> str:
    """Return an IMF-fixdate (`Date` header) for an aware datetime."""
    return format_datetime(moment, usegmt=True)


def _sign(private_key: rsa.RSAPrivateKey, text: str) -> str:
    signature = private_key.sign(text.encode(), padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signature).decode()


def signing_string(
    names: Sequence[str], *, method: str, target: str, headers: Mapping[str, str]
) -> str:
    """Return the draft-cavage signing string for the named headers, in their order."""
    lines = []
    for name in names:
        if name == "(request-target)":
            lines.append(f"(request-target): {method.lower()} {target}")
        else:
            lines.append(f"{name}: {headers[name]}")
    return "\n".join(lines)


def mastodon_signed_headers(
    *,
    method: str,
    url: str,
    body: bytes | None,
    key_id: str,
    private_key: rsa.RSAPrivateKey,
    now: datetime,
    signed: Sequence[str] | None = None,
    algorithm: str | None = "rsa-sha256",
    digest: str | None = None,
    extra_headers: Mapping[str, str] | None = None,
    request_target: str | None = None,
) -> dict[str, str]:
    """Return the headers of a request signed the way Mastodon signs it.

    Variants for the checklist: another order or set of `signed` headers, `algorithm`
    `hs2019` or None (omitted), a `digest` value other than the correct one, extra headers
    (such as Collection-Synchronization), and a `request_target` other than path?query.
    """
    parts = urlsplit(url)
    headers: dict[str, str] = {"host": parts.netloc, "date": http_date(now)}
    if body is not None:
        headers["digest"] = digest if digest is not None else sha256_digest(body)
        headers["content-type"] = AP_CONTENT_TYPE
    else:
        headers["accept"] = AP_CONTENT_TYPE
    headers.update({name.lower(): value for name, value in (extra_headers or {}).items()})
    names = list(signed or (MASTODON_POST_HEADERS if body is not None else MASTODON_GET_HEADERS))
    target = request_target or (parts.path + (f"?{parts.query}" if parts.query else ""))
    text = signing_string(names, method=method, target=target, headers=headers)
    fields = [f'keyId="{key_id}"']
    if algorithm is not None:
        fields.append(f'algorithm="{algorithm}"')
    fields += [f'headers="{" ".join(names)}"', f'signature="{_sign(private_key, text)}"']
    headers["signature"] = ",".join(fields)
    return headers


@dataclass(frozen=True)
class Verdict:
    """Whether a received request's signature holds, by which key, and why not if it fails."""

    is_valid: bool
    key_id: str | None
    reason: str
    signed_headers: tuple[str, ...] = ()


def parse_signature(value: str) -> dict[str, str]:
    """Return the parameters of a draft-cavage Signature header."""
    return dict(re.findall(r'([a-zA-Z]+)="([^"]*)"', value))


def verify_request(
    *,
    method: str,
    target: str,
    headers: Mapping[str, str],
    body: bytes,
    public_key_pem: str | None,
    now: datetime,
) -> Verdict:
    """Check a request as Mastodon's inbox would: coverage, digest, date window, RSA."""
    raw = headers.get("signature")
    if raw is None:
        return Verdict(False, None, "not signed")
    params = parse_signature(raw)
    key_id = params.get("keyId")
    names = tuple(params.get("headers", "date").split())
    if key_id is None or "signature" not in params:
        return Verdict(False, key_id, "keyId or signature missing")
    if "date" not in names or "host" not in names or "(request-target)" not in names:
        return Verdict(False, key_id, f"too few headers signed: {names}", names)
    if method == "POST":
        if "digest" not in names:
            return Verdict(False, key_id, "digest not signed", names)
        if headers.get("digest") != sha256_digest(body):
            return Verdict(False, key_id, "digest does not match the body", names)
    signed_at = parsedate_to_datetime(headers["date"])
    if abs(now - signed_at) > SIGNATURE_WINDOW:
        return Verdict(False, key_id, "date outside the window", names)
    if public_key_pem is None:
        return Verdict(False, key_id, "key not found", names)
    public_key = serialization.load_pem_public_key(public_key_pem.encode())
    if not isinstance(public_key, rsa.RSAPublicKey):
        return Verdict(False, key_id, "not an RSA key", names)
    try:
        text = signing_string(names, method=method, target=target, headers=headers)
        public_key.verify(
            base64.b64decode(params["signature"]),
            text.encode(),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
    except (InvalidSignature, KeyError, ValueError) as error:
        return Verdict(False, key_id, f"signature does not verify: {type(error).__name__}", names)
    return Verdict(True, key_id, "verified", names)


def rfc9421_signed_headers(
    *,
    url: str,
    body: bytes,
    key_id: str,
    private_key: rsa.RSAPrivateKey,
    now: datetime,
) -> dict[str, str]:
    """Return RFC 9421 headers as Mastodon 4.7 sends on its second knock (spec §3.2)."""
    content_digest = "sha-256=:" + base64.b64encode(hashlib.sha256(body).digest()).decode() + ":"
    created = int(now.timestamp())
    params = (
        f'("@method" "@target-uri" "content-digest");created={created};'
        f'keyid="{key_id}";alg="rsa-v1_5-sha256"'
    )
    base = (
        f'"@method": POST\n"@target-uri": {url}\n"content-digest": {content_digest}\n'
        f'"@signature-params": {params}'
    )
    return {
        "content-type": AP_CONTENT_TYPE,
        "content-digest": content_digest,
        "signature-input": f"sig1={params}",
        "signature": f"sig1=:{_sign(private_key, base)}:",
    }
