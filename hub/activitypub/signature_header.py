"""Parse and format the draft-cavage `Signature` header, refusing anything malformed."""

import base64
import binascii
import re
from dataclasses import dataclass

from hub.activitypub.errors import SignatureMalformed

# Real headers are a few hundred bytes (a 4096-bit RSA signature is 684 base64 characters).
MAX_HEADER_LENGTH = 8192
# RFC 7235 auth-params: token "=" ( token / quoted-string ). Both alternatives match disjoint
# single characters, so the scan is linear whatever the input.
_TCHARS = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_QUOTED = r'"((?:[\t \x21\x23-\x5b\x5d-\x7e]|\\[\t \x21-\x7e])*)"'
_PARAMETER = re.compile(rf"({_TCHARS})[ \t]*=[ \t]*(?:({_TCHARS})|{_QUOTED})")
_SEPARATOR = re.compile(r"[ \t]*,[ \t]*")
_QUOTED_PAIR = re.compile(r"\\(.)")
# Old node-http-signature versions prefix the parameters with the scheme name; Mastodon
# tolerates it, so we do too.
_SCHEME_PREFIX = re.compile(r"signature[ \t]+(?=[^ \t=])", re.IGNORECASE)
_END = re.compile(r"[ \t]*\Z")
_UNIX_TIME = re.compile(r"(\d{1,15})(?:\.\d{1,9})?")


@dataclass(frozen=True)
class SignatureParams:
    """The parameters of a draft-cavage Signature header; `headers` are lowercase, in order."""

    key_id: str
    algorithm: str | None
    headers: tuple[str, ...]
    signature: bytes
    created: int | None = None
    expires: int | None = None


def parse_signature_header(value: str) -> SignatureParams:
    """Parse `keyId="…",algorithm="…",headers="…",signature="…"` (draft-cavage-12 §4.1).

    Parameter names are case-insensitive (RFC 7235) and may appear once each; unknown ones
    are ignored. Without `headers`, the draft's default applies: `date` for rsa-sha256,
    `(created)` otherwise.

    Raises:
        SignatureMalformed: anything that is not unique, well-formed parameters with a keyId
            and a base64 signature.
    """
    if len(value) > MAX_HEADER_LENGTH:
        raise SignatureMalformed("the Signature header is too long")
    parameters = _parse_parameters(value)
    key_id = parameters.get("keyid")
    encoded = parameters.get("signature")
    if not key_id or not encoded:
        raise SignatureMalformed("keyId and signature are required")
    try:
        signature = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise SignatureMalformed("signature is not base64") from None
    if not signature:
        raise SignatureMalformed("signature is empty")
    algorithm = parameters.get("algorithm")
    algorithm = algorithm.lower() if algorithm else None
    default_headers = "date" if algorithm == "rsa-sha256" else "(created)"
    headers = tuple(parameters.get("headers", default_headers).lower().split())
    if not headers:
        raise SignatureMalformed("headers is empty")
    return SignatureParams(
        key_id=key_id,
        algorithm=algorithm,
        headers=headers,
        signature=signature,
        created=_unix_time(parameters.get("created"), "created"),
        expires=_unix_time(parameters.get("expires"), "expires"),
    )


def format_signature_header(params: SignatureParams) -> str:
    """Return the Signature header value for `params`, in the order Mastodon writes it.

    Raises:
        ValueError: the key id cannot be carried in a quoted string.
    """
    if not re.fullmatch(r"[\x20\x21\x23-\x5b\x5d-\x7e]+", params.key_id):
        raise ValueError("the key id must be printable ASCII without quotes or backslashes")
    parts = [f'keyId="{params.key_id}"']
    if params.algorithm is not None:
        parts.append(f'algorithm="{params.algorithm}"')
    if params.created is not None:
        parts.append(f"created={params.created}")
    if params.expires is not None:
        parts.append(f"expires={params.expires}")
    parts.append(f'headers="{" ".join(params.headers)}"')
    parts.append(f'signature="{base64.b64encode(params.signature).decode("ascii")}"')
    return ",".join(parts)


def _parse_parameters(value: str) -> dict[str, str]:
    text = value.strip(" \t")
    prefix = _SCHEME_PREFIX.match(text)
    if prefix is not None:
        text = text[prefix.end() :]
    if not text:
        raise SignatureMalformed("the Signature header is empty")
    parameters: dict[str, str] = {}
    position = 0
    while True:
        match = _PARAMETER.match(text, position)
        if match is None:
            raise SignatureMalformed('parameters must be name="value" pairs separated by commas')
        name = match.group(1).lower()
        if name in parameters:
            raise SignatureMalformed(f"duplicate parameter {match.group(1)}")
        token, quoted = match.group(2), match.group(3)
        parameters[name] = token if token is not None else _QUOTED_PAIR.sub(r"\1", quoted)
        position = match.end()
        if _END.match(text, position):
            return parameters
        separator = _SEPARATOR.match(text, position)
        if separator is None:
            raise SignatureMalformed("parameters must be separated by commas")
        position = separator.end()


def _unix_time(raw: str | None, name: str) -> int | None:
    if raw is None:
        return None
    match = _UNIX_TIME.fullmatch(raw)
    if match is None:
        raise SignatureMalformed(f"{name} must be a Unix time")
    # The draft allows fractions; like Mastodon (`to_i`), whole seconds are enough.
    return int(match.group(1))
