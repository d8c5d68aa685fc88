"""Deliver one activity to one inbox: sign, POST, classify, schedule a retry or finish."""

import json
import logging
from datetime import timedelta

import httpx
from sqlmodel import select

from hub.activitypub.jsonld import ACTIVITY_JSON
from hub.context import HubContext
from hub.federation import jobs
from hub.federation.hosts import record_failure, revive_host
from hub.federation.retry import RetryPolicy, classify_status, parse_retry_after
from hub.federation.signing import local_signer, signed_headers
from hub.models import Delivery, OutgoingActivity

logger = logging.getLogger(__name__)


async def deliver(ctx: HubContext, delivery_id: int, policy: RetryPolicy | None = None) -> str:
    """Attempt one claimed delivery; return its new state."""
    retry_policy = policy or RetryPolicy()
    async with ctx.sessions() as session:
        delivery = await session.get(Delivery, delivery_id)
        if delivery is None:
            return "missing"
        row = (
            await session.exec(
                select(OutgoingActivity.actor_id, OutgoingActivity.body).where(
                    OutgoingActivity.id == delivery.activity_id
                )
            )
        ).one()
    actor_id, activity = row
    body = json.dumps(activity, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    signer = await local_signer(ctx, actor_id)
    headers = signed_headers(
        signer, "POST", delivery.inbox_url, body, {"Content-Type": ACTIVITY_JSON}, ctx.clock()
    )
    attempts = delivery.attempts + 1
    status: int | None = None
    retry_after: timedelta | None = None
    try:
        response = await ctx.http.post(delivery.inbox_url, content=body, headers=headers)
        status = response.status_code
        retry_after = parse_retry_after(response.headers.get("retry-after"), ctx.clock())
        outcome = classify_status(status)
        error = None if outcome == "done" else f"HTTP {status}: {response.text[:200]}"
    except httpx.TransportError as transport_error:
        outcome = "retry"
        error = f"{type(transport_error).__name__}: {transport_error}"
    now = ctx.clock()
    if outcome == "done":
        await jobs.finish(
            ctx, Delivery, delivery_id, state="done", attempts=attempts,
            last_status=status, last_error=None, delivered_at=now,
        )  # fmt: skip
        async with ctx.sessions() as session, session.begin():
            await revive_host(session, delivery.host, now)
        return "done"
    async with ctx.sessions() as session, session.begin():
        await record_failure(session, delivery.host, now)
    if outcome == "retry" and retry_policy.should_retry(attempts):
        next_at = now + retry_policy.delay(attempts, retry_after)
        await jobs.retry_later(
            ctx, Delivery, delivery_id, at=next_at, attempts=attempts,
            last_status=status, last_error=error,
        )  # fmt: skip
        logger.info(
            "delivery failed, will retry inbox=%s attempt=%d status=%s next=%s",
            delivery.inbox_url, attempts, status, next_at.isoformat(),
        )  # fmt: skip
        return "queued"
    await jobs.finish(
        ctx, Delivery, delivery_id, state="gave_up", attempts=attempts,
        last_status=status, last_error=error,
    )  # fmt: skip
    logger.info(
        "delivery gave up inbox=%s attempts=%d last_status=%s",
        delivery.inbox_url, attempts, status,
    )  # fmt: skip
    return "gave_up"
