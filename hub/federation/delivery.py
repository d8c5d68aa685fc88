"""Deliver one activity to one inbox: sign, POST, classify, then retry later or finish.

The database is read in one session, the request is made with no transaction open, and
the outcome (the delivery row and the host's health) is written in one short transaction.
"""

import asyncio
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from sqlmodel import col, select

from hub.activitypub.jsonld import ACTIVITY_JSON
from hub.context import HubContext
from hub.federation import jobs
from hub.federation.errors import RemoteError, RemoteUnavailable, UnsafeUrl
from hub.federation.hosts import (
    BYPASS_AVAILABILITY_TYPES,
    UNAVAILABLE_REASON,
    is_blocked,
    is_unavailable,
    record_failure,
    revive_host,
)
from hub.federation.retry import Outcome, RetryPolicy, classify, parse_retry_after
from hub.federation.signing import local_signer, signed_headers
from hub.federation.url_policy import check_url
from hub.models import Delivery, OutgoingActivity

logger = logging.getLogger(__name__)

# Whole-request cap (httpx's timeouts are per read): a server dripping bytes cannot hold a
# worker slot, and a claimed delivery always finishes well inside its lease.
DELIVERY_TIMEOUT_SECONDS = 30.0
# How much of an error response we read and keep: enough for Mastodon's 401 reasons.
ERROR_BODY_BYTES = 1024


@dataclass(frozen=True)
class Attempt:
    """What one POST came to: a status (with headers we use) or the exception instead."""

    status: int | None
    retry_after: str | None = None
    body_excerpt: str = ""
    error: httpx.HTTPError | httpx.InvalidURL | RemoteError | TimeoutError | None = None

    def outcome(self) -> Outcome:
        """Classify the attempt with the retry rules."""
        if self.error is not None:
            return classify(self.error)
        assert self.status is not None  # noqa: S101 - an Attempt has a status or an error
        return classify(self.status)

    def describe(self) -> str:
        """Return the text stored in `last_error`."""
        if self.error is not None:
            return f"{type(self.error).__name__}: {self.error}"
        excerpt = " ".join(self.body_excerpt.split())
        return f"HTTP {self.status}: {excerpt}" if excerpt else f"HTTP {self.status}"


def serialise(activity: Mapping[str, Any]) -> bytes:
    """Return the compact JSON bytes that are digested, signed and sent."""
    return json.dumps(activity, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


async def _read_excerpt(response: httpx.Response) -> str:
    excerpt = b""
    try:
        async for chunk in response.aiter_bytes():
            excerpt += chunk
            if len(excerpt) >= ERROR_BODY_BYTES:
                break
    except (httpx.TransportError, httpx.DecodingError):
        pass  # the status already tells us what happened; the body is only a hint
    return excerpt[:ERROR_BODY_BYTES].decode("utf-8", errors="replace")


async def post_signed(ctx: HubContext, actor_id: int, inbox_url: str, body: bytes) -> Attempt:
    """POST `body` to an inbox signed as the local actor; never raise for remote failures."""
    try:
        await check_url(ctx, inbox_url)
    except UnsafeUrl as error:
        if error.reason.endswith("does not resolve"):
            # A DNS failure is transient (Mastodon retries it); an unsafe address is not.
            return Attempt(status=None, error=RemoteUnavailable(inbox_url, error.reason))
        return Attempt(status=None, error=error)
    signer = await local_signer(ctx, actor_id)
    headers = signed_headers(
        signer, "POST", inbox_url, body, {"Content-Type": ACTIVITY_JSON}, ctx.clock()
    )
    try:
        async with (
            asyncio.timeout(DELIVERY_TIMEOUT_SECONDS),
            ctx.http.stream(
                "POST", inbox_url, content=body, headers=headers, follow_redirects=False
            ) as response,
        ):
            success = 200 <= response.status_code < 300
            return Attempt(
                status=response.status_code,
                retry_after=response.headers.get("retry-after"),
                # A 2xx body is of no interest; an error body is cut to 1 KiB at most.
                body_excerpt="" if success else await _read_excerpt(response),
            )
    except (httpx.HTTPError, httpx.InvalidURL, TimeoutError) as error:
        return Attempt(status=None, error=error)


async def deliver(ctx: HubContext, delivery_id: int, policy: RetryPolicy | None = None) -> str:
    """Attempt one claimed delivery and record the outcome; return the row's new state.

    The row must have been claimed (`running`); any other row is left alone and its state
    returned, so a stray call cannot send twice. New states: `done` (2xx), `queued` (retry
    at `next_attempt_at`), `gave_up` (a final answer such as 410, or the last attempt
    failed), `skipped` (host unavailable or blocked: no request made), `missing` (no row).
    """
    retry_policy = policy or RetryPolicy()
    async with ctx.sessions() as session:
        row = (
            await session.exec(
                select(
                    Delivery,
                    OutgoingActivity.actor_id,
                    OutgoingActivity.activity_type,
                    OutgoingActivity.body,
                )
                .join(OutgoingActivity, col(OutgoingActivity.id) == col(Delivery.activity_id))
                .where(col(Delivery.id) == delivery_id)
            )
        ).first()
        if row is None:
            return "missing"
        delivery, actor_id, activity_type, activity = row
        if delivery.state != "running":
            return delivery.state  # not claimed by us: finished, skipped, or someone else's
        skip_reason = None
        if await is_blocked(session, delivery.host):
            skip_reason = "domain blocked"
        elif activity_type not in BYPASS_AVAILABILITY_TYPES and await is_unavailable(
            session, delivery.host
        ):
            skip_reason = UNAVAILABLE_REASON
    if skip_reason is not None:
        async with ctx.sessions() as session, session.begin():
            await jobs.give_up(
                session, Delivery, delivery_id, error=skip_reason, state="skipped",
                status=delivery.last_status,
            )  # fmt: skip
        logger.info("delivery skipped inbox=%s reason=%s", delivery.inbox_url, skip_reason)
        return "skipped"

    attempt = await post_signed(ctx, actor_id, delivery.inbox_url, serialise(activity))
    return await _record(ctx, delivery, attempt, retry_policy)


async def _record(
    ctx: HubContext, delivery: Delivery, attempt: Attempt, policy: RetryPolicy
) -> str:
    assert delivery.id is not None  # noqa: S101 - a stored row
    now = ctx.clock()
    attempts = delivery.attempts + 1
    outcome = attempt.outcome()
    # A host that answered, even with a final no, is alive (Mastodon counts that a success);
    # an attempt that never reached it (an unsafe URL) says nothing about its health.
    host_alive = attempt.status is not None and outcome != "retry"
    next_attempt_at = None
    if outcome == "retry":
        retry_after = parse_retry_after(attempt.retry_after, now)
        next_attempt_at = policy.next_attempt_at(attempts, now, retry_after)
    async with ctx.sessions() as session, session.begin():
        if outcome == "success":
            state = "done"
            await jobs.complete(
                session, Delivery, delivery.id, attempts=attempts, last_status=attempt.status,
                last_error=None, delivered_at=now,
            )  # fmt: skip
        elif next_attempt_at is not None:
            state = "queued"
            await jobs.retry_later(
                session, Delivery, delivery.id, next_attempt_at=next_attempt_at,
                error=attempt.describe(), status=attempt.status, attempts=attempts,
            )  # fmt: skip
        else:
            state = "gave_up"
            await jobs.give_up(
                session, Delivery, delivery.id, error=attempt.describe(), status=attempt.status,
                attempts=attempts,
            )  # fmt: skip
        if host_alive:
            await revive_host(session, delivery.host, now)
        elif outcome == "retry":
            await record_failure(session, delivery.host, now)
    wait = None if next_attempt_at is None else next_attempt_at - now
    _log(delivery, attempt, attempts, state, wait)
    return state


def _log(
    delivery: Delivery, attempt: Attempt, attempts: int, state: str, wait: timedelta | None
) -> None:
    if state == "done":
        logger.debug("delivered inbox=%s attempt=%d", delivery.inbox_url, attempts)
    elif state == "queued":
        logger.info(
            "delivery failed, will retry inbox=%s activity_id=%d attempt=%d error=%s wait=%s",
            delivery.inbox_url, delivery.activity_id, attempts, attempt.describe(), wait,
        )  # fmt: skip
    else:
        logger.info(
            "delivery gave up inbox=%s activity_id=%d attempts=%d error=%s",
            delivery.inbox_url, delivery.activity_id, attempts, attempt.describe(),
        )  # fmt: skip
