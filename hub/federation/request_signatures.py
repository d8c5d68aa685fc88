"""Verify the signature of an incoming request: find the key, verify, re-fetch once on failure.

Both schemes Mastodon uses are accepted: draft-cavage `Signature`, and RFC 9421
`Signature-Input`/`Signature` (Mastodon 4.7 retries with it after a 400 or 401).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from hub.activitypub import message_signatures, signatures
from hub.activitypub.errors import SignatureError
from hub.activitypub.signature_results import Rejected, Verified
from hub.context import HubContext
from hub.federation.keys import ResolvedKey, resolve_public_key

Verifier = Callable[[ResolvedKey], Verified | Rejected]


@dataclass(frozen=True)
class SignatureCheck:
    """The verdict on a request's signature, with the key's owner when it verified."""

    is_valid: bool
    detail: str
    key_id: str = ""
    owner_ap_id: str | None = None
    unknown_key_of_deleted_actor: bool = False


async def verify_incoming_signature(
    ctx: HubContext,
    *,
    method: str,
    path: str,
    query: str,
    headers: Mapping[str, str],
    body: bytes,
    may_fetch_key: bool = True,
) -> SignatureCheck:
    """Verify a request's signature against the signer's key.

    A key from the cache that fails is fetched once more, because the actor may have
    rotated it. When `may_fetch_key` is false and the key is unknown, the result says so
    (a Delete of an actor whose key is gone).

    Raises:
        RemoteError: the key had to be fetched and could not be.
    """
    now = ctx.clock()
    if "signature-input" in headers:
        parsed_message = message_signatures.read_message_signature(headers)
        if isinstance(parsed_message, Rejected):
            return SignatureCheck(False, parsed_message.detail)
        message_params = parsed_message
        target_uri = ctx.settings.base_url + path + (f"?{query}" if query else "")
        key_id = message_params.key_id

        def verify(key: ResolvedKey) -> Verified | Rejected:
            return message_signatures.verify_message_signature(
                message_params, method=method, target_uri=target_uri,
                authority=ctx.settings.host, path=path, query=query, headers=headers,
                body=body, public_key=key.public_key or key.public_key_pem, now=now,
            )  # fmt: skip

    else:
        header = headers.get("signature")
        if header is None:
            return SignatureCheck(False, "the request is not signed")
        try:
            cavage_params = signatures.parse_signature_header(header)
        except SignatureError as error:
            return SignatureCheck(False, f"malformed Signature header: {error}")
        key_id = cavage_params.key_id

        def verify(key: ResolvedKey) -> Verified | Rejected:
            return signatures.verify_signature(
                cavage_params, method=method, path=path, query=query, headers=headers,
                body=body, public_key=key.public_key or key.public_key_pem, now=now,
            )  # fmt: skip

    return await _check_with_key(ctx, key_id, verify, may_fetch_key=may_fetch_key)


async def _check_with_key(
    ctx: HubContext, key_id: str, verify: Verifier, *, may_fetch_key: bool
) -> SignatureCheck:
    key = await resolve_public_key(ctx, key_id, cached_only=not may_fetch_key)
    if key is None:
        return SignatureCheck(False, "unknown key", key_id, None, True)
    verdict = verify(key)
    if isinstance(verdict, Rejected) and verdict.reason == "invalid" and may_fetch_key:
        refreshed = await resolve_public_key(ctx, key_id, refresh=True)
        if refreshed is not None:
            key = refreshed
            verdict = verify(key)
    if isinstance(verdict, Rejected):
        return SignatureCheck(False, verdict.detail, key_id)
    return SignatureCheck(True, "verified", key_id, key.owner_ap_id)
