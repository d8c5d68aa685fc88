"""The worker: claims due jobs from the inbox, fan-out and delivery queues and runs them."""

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import timedelta

from hub.context import HubContext
from hub.errors import HubError
from hub.federation import jobs
from hub.federation.delivery import deliver
from hub.federation.errors import RemoteError
from hub.federation.fanout import run_fanout
from hub.federation.retry import RetryPolicy
from hub.models import Delivery, FanoutJob, InboxItem

logger = logging.getLogger(__name__)

InboxProcessor = Callable[[HubContext, int], Awaitable[None]]

LEASE = timedelta(minutes=5)
BATCH = 64
MAX_DELIVERIES_IN_FLIGHT = 32
MAX_PER_HOST = 4
IDLE_SECONDS = 0.5
INBOX_RETRY_DELAY = timedelta(minutes=5)
MAX_INBOX_ATTEMPTS = 5


class Worker:
    """Runs the three queues of one Hub; many workers may share a PostgreSQL database."""

    def __init__(
        self,
        ctx: HubContext,
        *,
        apply_inbox_item: InboxProcessor,
        retry_policy: RetryPolicy | None = None,
    ) -> None:
        self.ctx = ctx
        self.apply_inbox_item = apply_inbox_item
        self.retry_policy = retry_policy or RetryPolicy()
        self._wake = asyncio.Event()
        self._in_flight = asyncio.Semaphore(MAX_DELIVERIES_IN_FLIGHT)
        self._per_host: defaultdict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(MAX_PER_HOST)
        )

    def wake(self) -> None:
        """Cut the idle wait short: something was just queued."""
        self._wake.set()

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Work until `stop` is set, resting briefly whenever a pass finds nothing due."""
        while not stop.is_set():
            done = await self.run_once()
            if done:
                continue
            self._wake.clear()
            waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wake.wait())]
            await asyncio.wait(waiters, timeout=IDLE_SECONDS, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await waiter

    async def drain(self, max_passes: int = 50) -> int:
        """Run passes until one does nothing; return the jobs done (for tests and tools)."""
        total = 0
        for _ in range(max_passes):
            done = await self.run_once()
            if done == 0:
                return total
            total += done
        raise RuntimeError(f"queues still busy after {max_passes} passes")

    async def run_once(self) -> int:
        """Claim and run one batch from each queue; return how many jobs ran."""
        return await self._inbox_pass() + await self._fanout_pass() + await self._delivery_pass()

    async def _inbox_pass(self) -> int:
        ids = await jobs.claim_due(self.ctx, InboxItem, limit=BATCH, lease=LEASE)
        for item_id in ids:
            await self._apply(item_id)
        return len(ids)

    async def _apply(self, item_id: int) -> None:
        now = self.ctx.clock()
        try:
            await self.apply_inbox_item(self.ctx, item_id)
        except RemoteError as error:
            if error.retryable:
                await self._retry_inbox_item(item_id, str(error))
                return
            await jobs.finish(self.ctx, InboxItem, item_id, state="failed", last_error=str(error))
            return
        except HubError as error:
            logger.info("inbox item refused id=%d reason=%s", item_id, error)
            await jobs.finish(self.ctx, InboxItem, item_id, state="failed", last_error=str(error))
            return
        except Exception as error:  # the worker's boundary: our own bug must not stop the queue
            logger.exception("inbox item crashed id=%d", item_id)
            if self.ctx.settings.worker_mode == "manual":
                raise  # a test drives this worker: let the bug fail it loudly
            await jobs.finish(self.ctx, InboxItem, item_id, state="failed", last_error=repr(error))
            return
        await jobs.finish(self.ctx, InboxItem, item_id, state="done", processed_at=now)

    async def _retry_inbox_item(self, item_id: int, error: str) -> None:
        async with self.ctx.sessions() as session:
            item = await session.get(InboxItem, item_id)
        attempts = (item.attempts if item else 0) + 1
        if attempts >= MAX_INBOX_ATTEMPTS:
            await jobs.finish(
                self.ctx, InboxItem, item_id, state="failed", attempts=attempts, last_error=error
            )
            return
        await jobs.retry_later(
            self.ctx, InboxItem, item_id,
            at=self.ctx.clock() + INBOX_RETRY_DELAY * attempts,
            attempts=attempts, last_error=error,
        )  # fmt: skip

    async def _fanout_pass(self) -> int:
        ids = await jobs.claim_due(self.ctx, FanoutJob, limit=BATCH, lease=LEASE)
        for job_id in ids:
            await run_fanout(self.ctx, job_id)
            await jobs.finish(self.ctx, FanoutJob, job_id, state="done")
        return len(ids)

    async def _delivery_pass(self) -> int:
        ids = await jobs.claim_due(self.ctx, Delivery, limit=BATCH * 4, lease=LEASE)
        if not ids:
            return 0
        async with self.ctx.sessions() as session:
            hosts = {delivery_id: (await session.get(Delivery, delivery_id)) for delivery_id in ids}
        await asyncio.gather(
            *(
                self._deliver(delivery_id, row.host if row else "")
                for delivery_id, row in hosts.items()
            )
        )
        return len(ids)

    async def _deliver(self, delivery_id: int, host: str) -> None:
        async with self._in_flight, self._per_host[host]:
            try:
                await deliver(self.ctx, delivery_id, self.retry_policy)
            except Exception:  # the worker's boundary: one bad delivery must not stop the rest
                logger.exception("delivery crashed id=%d", delivery_id)
                if self.ctx.settings.worker_mode == "manual":
                    raise  # a test drives this worker: let the bug fail it loudly
                await jobs.finish(
                    self.ctx, Delivery, delivery_id, state="gave_up", last_error="internal error"
                )
