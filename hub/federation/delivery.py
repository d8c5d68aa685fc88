"""Deliver one activity to one inbox: sign, POST, classify, then retry later or finish.

The database is read in one session, the request is made with no transaction open, and
the outcome (the delivery row and the host's health) is written in one short transaction.
"""

import asyncio
import json
import logging
from collections.abc import Collection, Mapping, MutableMapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import sqlalchemy as sa
from sqlmodel import col, select

from hub.activitypub.jsonld import ACTIVITY_JSON
from hub.context import HubContext
from hub.federation import jobs
from hub.federation.errors import RemoteError, RemoteUnavailable, UnsafeUrl
from hub.federation.hosts import (
    BYPASS_AVAILABILITY_TYPES,
    UNAVAILABLE_REASON,
    blocked_domains_of,
    is_blocked_by,
    record_failure,
    revive_host,
    revive_hosts,
    unavailable_hosts_of,
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


@dataclass(frozen=True)
class ClaimedDelivery:
    """A claimed delivery row: what sending it needs, read with the claim."""

    id: int
    activity_id: int
    inbox_url: str
    host: str
    attempts: int
    last_status: int | None


@dataclass(frozen=True)
class PreparedActivity:
    """An outgoing activity ready to send: its signer and its serialised body."""

    actor_id: int
    activity_type: str
    body: bytes


async def claimed_deliveries(ctx: HubContext, ids: Collection[int]) -> list[ClaimedDelivery]:
    """Return the claimed (`running`) rows among `ids`, in id order, in one query."""
    if not ids:
        return []
    table = _table(Delivery)
    statement = (
        sa.select(
            table.c.id, table.c.activity_id, table.c.inbox_url, table.c.host, table.c.attempts,
            table.c.last_status,
        )
        .where(table.c.id.in_(list(ids)), table.c.state == "running")
        .order_by(table.c.id)
    )  # fmt: skip
    async with ctx.engine.connect() as connection:
        rows = (await connection.execute(statement)).all()
    return [ClaimedDelivery(*row) for row in rows]


async def prepare_activities(
    ctx: HubContext, activity_ids: Collection[int], known: MutableMapping[int, PreparedActivity]
) -> None:
    """Load and serialise the activities in `activity_ids` missing from `known`, in one query.

    Outgoing activities never change once stored, so a worker keeps them while it sends.
    """
    missing = [activity_id for activity_id in set(activity_ids) if activity_id not in known]
    if not missing:
        return
    table = _table(OutgoingActivity)
    statement = sa.select(table.c.id, table.c.actor_id, table.c.activity_type, table.c.body).where(
        table.c.id.in_(missing)
    )
    async with ctx.engine.connect() as connection:
        rows = (await connection.execute(statement)).all()
    for activity_id, actor_id, activity_type, body in rows:
        known[activity_id] = PreparedActivity(actor_id, activity_type, serialise(body))


def _table(model: type[Delivery] | type[OutgoingActivity]) -> sa.Table:
    table = sa.inspect(model).local_table
    assert isinstance(table, sa.Table)  # noqa: S101 - a table model
    return table


class SuccessLog:
    """Successful deliveries waiting to be written, many to a transaction.

    A worker sends far faster than it could commit one row at a time; the rows are written
    within moments (`flush`). A crash before then means those deliveries are sent again
    once their lease expires: delivery is at least once, and receivers de-duplicate.
    """

    def __init__(self, ctx: HubContext) -> None:
        self.ctx = ctx
        self._pending: list[tuple[ClaimedDelivery, int]] = []
        self._lock = asyncio.Lock()

    def __len__(self) -> int:
        return len(self._pending)

    def add(self, delivery: ClaimedDelivery, status: int) -> None:
        """Note a delivery answered with a 2xx `status`."""
        self._pending.append((delivery, status))

    async def flush(self) -> None:
        """Write every noted success: the rows `done`, their hosts healthy."""
        async with self._lock:
            pending, self._pending = self._pending, []
            if not pending:
                return
            now = self.ctx.clock()
            by_status: dict[int, list[int]] = {}
            for delivery, status in pending:
                by_status.setdefault(status, []).append(delivery.id)
            hosts = {
                delivery.host
                for delivery, _ in pending
                if self.ctx.healthy_hosts.get(delivery.host) is None
            }
            try:
                async with self.ctx.sessions() as session, session.begin():
                    for status, ids in by_status.items():
                        await jobs.complete_many(
                            session, Delivery, ids, count_attempt=True, last_status=status,
                            last_error=None, delivered_at=now,
                        )  # fmt: skip
                    revived = await revive_hosts(session, hosts, now)
            except Exception:
                # Kept for the next flush (the database may be back by then); the caller
                # decides whether the error is transient.
                self._pending = pending + self._pending
                raise
            if revived:
                self.ctx.host_lists.discard("unavailable")
            for host in hosts:
                self.ctx.healthy_hosts.put(host, True)
            for delivery, _ in pending if logger.isEnabledFor(logging.DEBUG) else ():
                logger.debug(
                    "delivered inbox=%s attempt=%d", delivery.inbox_url, delivery.attempts + 1
                )


async def deliver(ctx: HubContext, delivery_id: int, policy: RetryPolicy | None = None) -> str:
    """Attempt one claimed delivery and record the outcome; return the row's new state.

    The row must have been claimed (`running`); any other row is left alone and its state
    returned, so a stray call cannot send twice. New states: `done` (2xx), `queued` (retry
    at `next_attempt_at`), `gave_up` (a final answer such as 410, or the last attempt
    failed), `skipped` (host unavailable or blocked: no request made), `missing` (no row).
    """
    claimed = await claimed_deliveries(ctx, [delivery_id])
    if not claimed:
        async with ctx.sessions() as session:
            state = (
                await session.exec(select(Delivery.state).where(col(Delivery.id) == delivery_id))
            ).first()
        return "missing" if state is None else state
    activities: dict[int, PreparedActivity] = {}
    await prepare_activities(ctx, [claimed[0].activity_id], activities)
    return await deliver_claimed(
        ctx, claimed[0], activities[claimed[0].activity_id], policy or RetryPolicy()
    )


async def deliver_claimed(
    ctx: HubContext,
    delivery: ClaimedDelivery,
    activity: PreparedActivity,
    policy: RetryPolicy,
    successes: SuccessLog | None = None,
) -> str:
    """Send one claimed delivery; a success goes to `successes` when given, else is written."""
    skip_reason = None
    if is_blocked_by(delivery.host, await blocked_domains_of(ctx)):
        skip_reason = "domain blocked"
    elif activity.activity_type not in BYPASS_AVAILABILITY_TYPES and (
        delivery.host in await unavailable_hosts_of(ctx)
    ):
        skip_reason = UNAVAILABLE_REASON
    if skip_reason is not None:
        async with ctx.sessions() as session, session.begin():
            await jobs.give_up(
                session, Delivery, delivery.id, error=skip_reason, state="skipped",
                status=delivery.last_status,
            )  # fmt: skip
        logger.info("delivery skipped inbox=%s reason=%s", delivery.inbox_url, skip_reason)
        return "skipped"

    attempt = await post_signed(ctx, activity.actor_id, delivery.inbox_url, activity.body)
    if successes is not None and attempt.status is not None and attempt.outcome() == "success":
        successes.add(delivery, attempt.status)
        return "done"
    return await _record(ctx, delivery, attempt, policy)


async def _record(
    ctx: HubContext, delivery: ClaimedDelivery, attempt: Attempt, policy: RetryPolicy
) -> str:
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
        health_changed = False
        if host_alive:
            health_changed = await revive_host(session, delivery.host, now)
        elif outcome == "retry":
            health_changed = await record_failure(session, delivery.host, now)
    if outcome == "retry":
        ctx.healthy_hosts.discard(delivery.host)
    if health_changed:
        ctx.host_lists.discard("unavailable")
    wait = None if next_attempt_at is None else next_attempt_at - now
    _log(delivery, attempt, attempts, state, wait)
    return state


def _log(
    delivery: ClaimedDelivery, attempt: Attempt, attempts: int, state: str, wait: timedelta | None
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
