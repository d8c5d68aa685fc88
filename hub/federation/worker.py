"""The worker: claims due jobs from the inbox, fan-out and delivery queues and runs them.

It also runs an injected pass that publishes scheduled posts when they fall due
(`services.scheduling.publish_due_posts` in the app and the `hub worker` command).

`run_forever` serves (three loops, each polling briefly when idle and woken early by
`wake()`); `drain` is for tests and tools (passes until nothing is due). Any number of
workers may share a PostgreSQL database: claims skip rows another worker holds, and a
claim's lease outlives every delivery, so no delivery is sent twice by two live workers.

Deliveries are claimed in batches, at most `max_per_host` per host, so each starts at once;
their successes are written in batches too (`delivery.SuccessLog`). On PostgreSQL a pass
applies the inbox items of different senders side by side.
"""

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Collection
from datetime import timedelta

import sqlalchemy as sa

from hub.context import HubContext
from hub.errors import HubError
from hub.federation import jobs
from hub.federation.delivery import (
    DELIVERY_TIMEOUT_SECONDS,
    ClaimedDelivery,
    PreparedActivity,
    SuccessLog,
    claimed_deliveries,
    deliver_claimed,
    prepare_activities,
)
from hub.federation.errors import RemoteBusy, RemoteError
from hub.federation.fanout import run_fanout
from hub.federation.host_slots import HostSlots
from hub.federation.retry import RetryPolicy
from hub.models import Delivery, FanoutJob, InboxItem

logger = logging.getLogger(__name__)

InboxProcessor = Callable[[HubContext, int], Awaitable[None]]
# Publishes what has fallen due and returns how many; see services.scheduling.
DuePublisher = Callable[[HubContext], Awaitable[int]]

LEASE = timedelta(minutes=10)
# A claimed delivery starts at once and is capped at DELIVERY_TIMEOUT_SECONDS, so its lease
# can be short: after a crash, its deliveries go out again this soon.
DELIVERY_LEASE = timedelta(minutes=2)
MIN_DELIVERY_LEASE = timedelta(seconds=2 * DELIVERY_TIMEOUT_SECONDS)
# Successful deliveries are written this often, many rows to one transaction.
SUCCESS_FLUSH_SECONDS = 0.05
# Outgoing activities kept serialised by a worker while their deliveries go out.
PREPARED_ACTIVITIES = 256
MAX_DELIVERIES_IN_FLIGHT = 32
MAX_PER_HOST = 4
IDLE_SECONDS = 0.5
# Inbox items and fan-outs run one at a time, so a claim stays small enough to finish
# well inside its lease even when each item fetches remote documents.
JOB_BATCH_SIZE = 25
# Senders whose inbox items are applied side by side (PostgreSQL).
INBOX_CONCURRENCY = 8
# An inbox item that keeps failing for remote reasons stops after about two and a half hours.
INBOX_RETRY_POLICY = RetryPolicy(max_attempts=10)
# A database that is briefly unreachable must not end the worker; it waits and tries again.
TRANSIENT_DATABASE_ERRORS = (
    sa.exc.OperationalError,
    sa.exc.InterfaceError,
    sa.exc.TimeoutError,
    OSError,
)


class Worker:
    """Runs the three queues of one Hub."""

    def __init__(
        self,
        ctx: HubContext,
        *,
        apply_inbox_item: InboxProcessor,
        publish_due: DuePublisher | None = None,
        retry_policy: RetryPolicy | None = None,
        inbox_retry_policy: RetryPolicy = INBOX_RETRY_POLICY,
        max_in_flight: int = MAX_DELIVERIES_IN_FLIGHT,
        max_per_host: int = MAX_PER_HOST,
        lease: timedelta = LEASE,
        delivery_lease: timedelta = DELIVERY_LEASE,
        idle_seconds: float = IDLE_SECONDS,
    ) -> None:
        # In drain() a claimed delivery may wait for its host's slot behind the others claimed
        # with it; the lease must outlast that queue, or a second worker would take it too.
        worst_wait = (max_in_flight / max_per_host + 1) * DELIVERY_TIMEOUT_SECONDS
        if lease.total_seconds() < 2 * worst_wait:
            raise ValueError(f"lease must be at least {2 * worst_wait:.0f} s")
        if delivery_lease < MIN_DELIVERY_LEASE:
            raise ValueError(f"delivery lease must be at least {MIN_DELIVERY_LEASE}")
        self.ctx = ctx
        self.apply_inbox_item = apply_inbox_item
        self.publish_due = publish_due
        self.retry_policy = retry_policy or RetryPolicy()
        self.inbox_retry_policy = inbox_retry_policy
        self.max_in_flight = max_in_flight
        self.max_per_host = max_per_host
        self.lease = lease
        self.delivery_lease = delivery_lease
        self.idle_seconds = idle_seconds
        self._in_flight = asyncio.Semaphore(max_in_flight)
        self._hosts = HostSlots(max_per_host)
        self._wakeups = {
            name: asyncio.Event() for name in ("inbox", "scheduled", "fanout", "deliveries")
        }
        self._successes = SuccessLog(ctx)
        self._activities: dict[int, PreparedActivity] = {}

    def wake(self) -> None:
        """Cut every idle wait short: something was just queued."""
        for event in self._wakeups.values():
            event.set()

    # --- Serving ---------------------------------------------------------------------------

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Work until `stop` is set; deliveries in flight then finish (each is time-capped)."""
        logger.info("worker started")
        async with asyncio.TaskGroup() as group:
            group.create_task(self._wake_on(stop))
            group.create_task(self._loop(stop, "inbox", self._inbox_pass))
            group.create_task(self._loop(stop, "scheduled", self._scheduled_pass))
            group.create_task(self._loop(stop, "fanout", self._fanout_pass))
            group.create_task(self._delivery_loop(stop))
        logger.info("worker stopped")

    async def _wake_on(self, stop: asyncio.Event) -> None:
        await stop.wait()
        self.wake()

    async def _idle(self, name: str) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.idle_seconds):
                await self._wakeups[name].wait()

    async def _guarded(self, name: str, work: Callable[[], Awaitable[int]]) -> int:
        try:
            return await work()
        except TRANSIENT_DATABASE_ERRORS as error:
            logger.warning("worker pass failed, will try again queue=%s error=%s", name, error)
            return 0

    async def _loop(
        self, stop: asyncio.Event, name: str, one_pass: Callable[[bool], Awaitable[int]]
    ) -> None:
        while not stop.is_set():
            self._wakeups[name].clear()
            if await self._guarded(name, lambda: one_pass(False)) == 0:
                await self._idle(name)

    async def _delivery_loop(self, stop: asyncio.Event) -> None:
        running: set[asyncio.Task[None]] = set()
        # Claimed and unfinished deliveries by host. A host never holds more than its share of
        # claims, so one slow host cannot fill every slot while the others wait.
        per_host: Counter[str] = Counter()

        def on_done(delivery_id: int, host: str) -> Callable[[asyncio.Task[None]], None]:
            def done(task: asyncio.Task[None]) -> None:
                running.discard(task)
                if not task.cancelled() and task.exception() is not None:
                    # Only the bookkeeping after a crash can get here (the database is gone);
                    # the lease brings the row back.
                    logger.warning(
                        "delivery not recorded id=%d error=%s", delivery_id, task.exception()
                    )
                per_host[host] -= 1
                if per_host[host] <= 0:
                    del per_host[host]
                self._wakeups["deliveries"].set()  # a slot is free: claim more

            return done

        async def start_batch() -> int:
            free = self.max_in_flight - len(running)
            if running and free < self.max_in_flight // 2:
                return -1  # claim in batches: one claim per transaction, not per slot
            await self._successes.flush()
            busy = {host for host, count in per_host.items() if count >= self.max_per_host}
            claimed = await self._claim_deliveries(free, skip_hosts=busy, per_host=per_host)
            for delivery in claimed:
                per_host[delivery.host] += 1
                task = asyncio.create_task(self._deliver(delivery, raise_bugs=False))
                running.add(task)
                task.add_done_callback(on_done(delivery.id, delivery.host))
            return len(claimed)

        async def flush_successes() -> None:
            while not stop.is_set() or running:
                await asyncio.sleep(SUCCESS_FLUSH_SECONDS)
                if len(self._successes):
                    await self._guarded("deliveries", self._flush_successes)

        flusher = asyncio.create_task(flush_successes())
        try:
            while not stop.is_set():
                self._wakeups["deliveries"].clear()
                if await self._guarded("deliveries", start_batch) <= 0:
                    await self._idle("deliveries")
        finally:
            if running:
                await asyncio.wait(running)
            await flusher
            await self._guarded("deliveries", self._flush_successes)

    async def _flush_successes(self) -> int:
        count = len(self._successes)
        await self._successes.flush()
        return count

    # --- Driving by hand -------------------------------------------------------------------

    async def drain(self, max_passes: int = 50) -> int:
        """Run passes until one finds nothing due; return how many jobs ran.

        A bug in a job (any exception that is not a HubError) is recorded on its row as in
        `run_forever`, and then raised, so a test sees it.

        Raises:
            RuntimeError: the queues were still busy after `max_passes` passes.
        """
        total = 0
        for _ in range(max_passes):
            done = await self.run_once()
            if done == 0:
                return total
            total += done
        raise RuntimeError(f"queues still busy after {max_passes} passes")

    async def run_once(self) -> int:
        """Run one pass over the three queues, raising bugs; return how many jobs ran."""
        done = await self._inbox_pass(True)
        done += await self._scheduled_pass(True)
        done += await self._fanout_pass(True)
        claimed = await self._claim_deliveries(self.max_in_flight, per_host=Counter())
        results = await asyncio.gather(
            *(self._deliver(delivery, raise_bugs=True) for delivery in claimed),
            return_exceptions=True,
        )
        await self._successes.flush()
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return done + len(claimed)

    # --- The three kinds of job ------------------------------------------------------------

    async def _inbox_pass(self, raise_bugs: bool) -> int:
        ids = await jobs.claim_due(self.ctx, InboxItem, limit=JOB_BATCH_SIZE, lease=self.lease)
        applied: list[int] = []
        try:
            if self.ctx.engine.dialect.name == "postgresql" and len(ids) > 1:
                await self._apply_by_sender(ids, raise_bugs, applied)
            else:
                # SQLite has one writer: applying side by side would only contend for it.
                for item_id in ids:
                    await self._apply(item_id, raise_bugs, applied)
        finally:
            # One write marks the whole batch done. If the worker dies before it, the items
            # are applied again once their lease ends; an activity applied twice is stored once.
            await self._complete_inbox_items(applied)
        if ids:
            self._wakeups["fanout"].set()  # applying may have queued replies (an Accept, say)
        return len(ids)

    async def _complete_inbox_items(self, item_ids: list[int]) -> None:
        if not item_ids:
            return
        async with self.ctx.sessions() as session, session.begin():
            await jobs.complete_many(
                session, InboxItem, item_ids, count_attempt=True, processed_at=self.ctx.clock()
            )

    async def _apply_by_sender(self, ids: list[int], raise_bugs: bool, applied: list[int]) -> None:
        """Apply items of different senders side by side, each sender's in order received.

        Most of an item's time is waiting for the database or a remote server, so several
        senders at once keep the worker busy; one sender's Follow and Undo stay in order.
        """
        table = sa.inspect(InboxItem).local_table
        async with self.ctx.engine.connect() as connection:
            rows = await connection.execute(
                sa.select(table.c.id, table.c.actor_ap_id)
                .where(table.c.id.in_(ids))
                .order_by(table.c.id)
            )
            by_sender: dict[str, list[int]] = {}
            for item_id, sender in rows.all():
                by_sender.setdefault(str(sender), []).append(int(item_id))
        slots = asyncio.Semaphore(INBOX_CONCURRENCY)

        async def apply_in_order(item_ids: list[int]) -> None:
            async with slots:
                for item_id in item_ids:
                    await self._apply(item_id, raise_bugs, applied)

        results = await asyncio.gather(
            *(apply_in_order(item_ids) for item_ids in by_sender.values()),
            return_exceptions=True,
        )
        for result in results:
            if isinstance(result, BaseException):
                raise result

    async def _apply(self, item_id: int, raise_bugs: bool, applied: list[int]) -> None:
        """Apply one item; add its id to `applied` when it is done (the caller records that)."""
        try:
            await self.apply_inbox_item(self.ctx, item_id)
        except RemoteError as error:
            if error.retryable:
                await self._retry_inbox_item(item_id, error)
                return
            logger.info("inbox item failed id=%d error=%s", item_id, error)
            await self._end(InboxItem, item_id, error)
            return
        except HubError as error:
            logger.info("inbox item refused id=%d error=%s", item_id, error)
            await self._end(InboxItem, item_id, error)
            return
        except Exception as error:  # the worker's boundary: our bug must not stop the queue
            logger.exception("inbox item crashed id=%d", item_id)
            await self._end(InboxItem, item_id, f"internal error: {error!r}")
            if raise_bugs:
                raise
            return
        applied.append(item_id)

    async def _retry_inbox_item(self, item_id: int, error: RemoteError) -> None:
        retry_after = None
        if isinstance(error, RemoteBusy) and error.retry_after_seconds is not None:
            retry_after = timedelta(seconds=error.retry_after_seconds)
        async with self.ctx.sessions() as session, session.begin():
            attempts = await jobs.attempts_of(session, InboxItem, item_id) + 1
            now = self.ctx.clock()
            next_at = self.inbox_retry_policy.next_attempt_at(attempts, now, retry_after)
            if next_at is None:
                await jobs.give_up(
                    session, InboxItem, item_id, error=error, state="failed", attempts=attempts
                )
            else:
                await jobs.retry_later(
                    session, InboxItem, item_id, next_attempt_at=next_at, error=error,
                    attempts=attempts,
                )  # fmt: skip
        logger.info(
            "inbox item failed id=%d attempt=%d error=%s retry_at=%s",
            item_id, attempts, error, next_at,
        )  # fmt: skip

    async def _scheduled_pass(self, raise_bugs: bool) -> int:
        if self.publish_due is None:
            return 0
        try:
            published = await self.publish_due(self.ctx)
        except Exception:  # the worker's boundary: our bug must not stop the other queues
            logger.exception("publishing scheduled posts crashed")
            if raise_bugs:
                raise
            return 0
        if published:
            self._wakeups["fanout"].set()  # their fan-outs are due now
        return published

    async def _fanout_pass(self, raise_bugs: bool) -> int:
        ids = await jobs.claim_due(self.ctx, FanoutJob, limit=JOB_BATCH_SIZE, lease=self.lease)
        for job_id in ids:
            try:
                await run_fanout(self.ctx, job_id)
            except Exception as error:  # the worker's boundary: our bug must not stop the queue
                logger.exception("fan-out crashed id=%d", job_id)
                await self._end(FanoutJob, job_id, f"internal error: {error!r}")
                if raise_bugs:
                    raise
        if ids:
            self._wakeups["deliveries"].set()  # new deliveries are due now
        return len(ids)

    async def _claim_deliveries(
        self, limit: int, *, skip_hosts: Collection[str] = (), per_host: Counter[str]
    ) -> list[ClaimedDelivery]:
        """Claim due deliveries, at most `max_per_host` per host counting `per_host`'s.

        Claims beyond a host's share are handed back at once, so every claimed delivery
        starts right away and finishes well inside its lease.
        """
        ids = await jobs.claim_due(
            self.ctx, Delivery, limit=limit, lease=self.delivery_lease, skip_hosts=skip_hosts
        )
        claimed = await claimed_deliveries(self.ctx, ids)
        taken: Counter[str] = Counter(per_host)
        kept, excess = [], []
        for delivery in claimed:
            if taken[delivery.host] >= self.max_per_host:
                excess.append(delivery.id)
                continue
            taken[delivery.host] += 1
            kept.append(delivery)
        if excess:
            async with self.ctx.sessions() as session, session.begin():
                await jobs.release(session, Delivery, excess)
        if len(self._activities) > PREPARED_ACTIVITIES:
            self._activities.clear()
        await prepare_activities(
            self.ctx, {delivery.activity_id for delivery in kept}, self._activities
        )
        return kept

    async def _deliver(self, delivery: ClaimedDelivery, *, raise_bugs: bool) -> None:
        async with self._in_flight, self._hosts.slot(delivery.host):
            try:
                await deliver_claimed(
                    self.ctx, delivery, self._activities[delivery.activity_id],
                    self.retry_policy, self._successes,
                )  # fmt: skip
            except Exception as error:  # the worker's boundary: one bug must not stop the rest
                logger.exception("delivery crashed id=%d", delivery.id)
                await self._end(Delivery, delivery.id, f"internal error: {error!r}")
                if raise_bugs:
                    raise

    async def _end(self, model: jobs.JobModel, job_id: int, error: object) -> None:
        async with self.ctx.sessions() as session, session.begin():
            await jobs.give_up(session, model, job_id, error=error, state="failed")
