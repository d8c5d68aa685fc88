"""The one path for outgoing GETs: checked, signed, size-capped, with redirects re-checked."""

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import httpx

from hub.activitypub.errors import InvalidActivity
from hub.activitypub.json_limits import MAX_JSON_BYTES, loads_limited
from hub.context import HubContext
from hub.federation.errors import (
    FetchBudgetExceeded,
    InvalidRemoteDocument,
    RemoteBusy,
    RemoteGone,
    RemoteNotFound,
    RemoteRefused,
    RemoteRejected,
    RemoteUnavailable,
    ResponseTooLarge,
)
from hub.federation.retry import parse_retry_after
from hub.federation.signing import instance_signer, signed_headers
from hub.federation.url_policy import check_url

logger = logging.getLogger(__name__)

AP_ACCEPT = 'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
JRD_ACCEPT = "application/jrd+json, application/json"
MAX_REDIRECTS = 3
DEFAULT_FETCH_BUDGET = 20


@dataclass
class FetchBudget:
    """How many fetches one received activity or job may still make."""

    remaining: int = DEFAULT_FETCH_BUDGET

    def spend(self, url: str) -> None:
        """Count one fetch, or raise when none are left."""
        if self.remaining <= 0:
            raise FetchBudgetExceeded(url, "too many fetches for one activity")
        self.remaining -= 1


def raise_for_remote_status(url: str, response: httpx.Response, ctx: HubContext) -> None:
    """Map an error status to the RemoteError subclass its meaning calls for."""
    status = response.status_code
    if status < 400:
        return
    if status == 410:
        raise RemoteGone(url, "gone", status=status)
    if status == 404:
        raise RemoteNotFound(url, "not found", status=status)
    if status in (401, 403):
        raise RemoteRefused(url, f"refused ({status})", status=status)
    if status in (429, 503):
        retry_after = parse_retry_after(response.headers.get("retry-after"), ctx.clock())
        raise RemoteBusy(
            url, f"busy ({status})", status=status,
            retry_after_seconds=retry_after.total_seconds() if retry_after else None,
        )  # fmt: skip
    if status < 500:
        raise RemoteRejected(url, f"rejected ({status})", status=status)
    raise RemoteUnavailable(url, f"server error ({status})", status=status)


async def _read_capped(response: httpx.Response, url: str) -> bytes:
    declared = response.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_JSON_BYTES:
        raise ResponseTooLarge(url, f"larger than {MAX_JSON_BYTES} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > MAX_JSON_BYTES:
            raise ResponseTooLarge(url, f"larger than {MAX_JSON_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def fetch_bytes(
    ctx: HubContext,
    url: str,
    *,
    accept: str,
    signed: bool = True,
    budget: FetchBudget | None = None,
) -> tuple[str, bytes]:
    """GET a document; return (final URL, body). Raises RemoteError subclasses."""
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        if budget is not None:
            budget.spend(current)
        await check_url(ctx, current)
        headers = {"Accept": accept}
        if signed:
            headers = signed_headers(
                await instance_signer(ctx), "GET", current, None, headers, ctx.clock()
            )
        try:
            async with ctx.http.stream("GET", current, headers=headers) as response:
                if response.status_code in (301, 302, 303, 307, 308):
                    location = response.headers.get("location")
                    if not location:
                        raise RemoteRejected(current, "redirect without a Location")
                    current = urljoin(current, location)
                    continue
                raise_for_remote_status(current, response, ctx)
                return current, await _read_capped(response, current)
        except httpx.TransportError as error:
            raise RemoteUnavailable(current, f"{type(error).__name__}: {error}") from None
    raise RemoteRejected(url, f"more than {MAX_REDIRECTS} redirects")


async def fetch_json(
    ctx: HubContext,
    url: str,
    *,
    accept: str = AP_ACCEPT,
    signed: bool = True,
    budget: FetchBudget | None = None,
) -> dict[str, Any]:
    """GET a JSON object, signed as the instance actor unless told otherwise."""
    _, document = await fetch_document(ctx, url, accept=accept, signed=signed, budget=budget)
    return document


async def fetch_document(
    ctx: HubContext,
    url: str,
    *,
    accept: str = AP_ACCEPT,
    signed: bool = True,
    budget: FetchBudget | None = None,
) -> tuple[str, dict[str, Any]]:
    """GET a JSON object as `fetch_json` does; return it with the URL it came from at last.

    The final URL differs from `url` after redirects; callers that must check the
    document's `id` against where it was served from need it.
    """
    final_url, body = await fetch_bytes(ctx, url, accept=accept, signed=signed, budget=budget)
    try:
        document = loads_limited(body)
    except InvalidActivity as error:
        raise InvalidRemoteDocument(final_url, str(error)) from None
    if not isinstance(document, dict):
        raise InvalidRemoteDocument(final_url, "not a JSON object")
    return final_url, document
