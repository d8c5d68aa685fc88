"""Verify the signature of an incoming request: find the key, verify, re-fetch once on failure."""

from collections.abc import Mapping
from dataclasses import dataclass

from hub.activitypub import signatures
from hub.activitypub.errors import SignatureError
from hub.context import HubContext
from hub.federation.keys import ResolvedKey, resolve_public_key


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
    """Verify a draft-cavage signature against the signer's key.

    A key from the cache that fails is fetched once more, because the actor may have
    rotated it. When `may_fetch_key` is false and the key is unknown, the result says so
    (a Delete of an actor whose key is gone).

    Raises:
        RemoteError: the key had to be fetched and could not be.
    """
    header = headers.get("signature")
    if header is None:
        return SignatureCheck(False, "the request is not signed")
    try:
        params = signatures.parse_signature_header(header)
    except SignatureError as error:
        return SignatureCheck(False, f"malformed Signature header: {error}")
    key = await resolve_public_key(ctx, params.key_id, cached_only=not may_fetch_key)
    if key is None:
        return SignatureCheck(False, "unknown key", params.key_id, None, True)
    verdict = _verify(params, method, path, query, headers, body, key, ctx)
    if isinstance(verdict, signatures.Rejected) and verdict.reason == "invalid" and may_fetch_key:
        refreshed = await resolve_public_key(ctx, params.key_id, refresh=True)
        if refreshed is not None:
            key = refreshed
            verdict = _verify(params, method, path, query, headers, body, key, ctx)
    if isinstance(verdict, signatures.Rejected):
        return SignatureCheck(False, verdict.detail, params.key_id)
    return SignatureCheck(True, "verified", params.key_id, key.owner_ap_id)


def _verify(
    params: signatures.SignatureParams,
    method: str,
    path: str,
    query: str,
    headers: Mapping[str, str],
    body: bytes,
    key: ResolvedKey,
    ctx: HubContext,
) -> signatures.Verified | signatures.Rejected:
    return signatures.verify_signature(
        params,
        method=method,
        path=path,
        query=query,
        headers=headers,
        body=body,
        public_key_pem=key.public_key_pem,
        now=ctx.clock(),
    )
