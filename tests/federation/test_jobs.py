"""Job claiming: due rows only, leases, crash recovery, and no row claimed twice."""

import asyncio
import itertools
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import select

from hub.context import HubContext
from hub.federation import jobs
from hub.federation.dispatch import apply_inbox_item
from hub.federation.fanout import run_fanout
from hub.federation.worker import Worker
from hub.models import FanoutJob, InboxItem
from tests.federation.outbound import (
    NO_JITTER,
    Outbound,
    add_followers,
    deliveries,
    outbound_hub,
    remote_actor,
    send,
)
from tests.support.keys import KeyPool

LEASE = timedelta(minutes=10)


@pytest.fixture
async def hub(database_url: str, tmp_path: Path, key_pool: KeyPool) -> AsyncIterator[Outbound]:
    """A Hub on this test's database, with a manual clock."""
    async with outbound_hub(database_url, tmp_path, key_pool) as outbound:
        yield outbound


async def add_items(ctx: HubContext, count: int, *, due_in: timedelta = timedelta(0)) -> list[int]:
    """Queue `count` inbox items due `due_in` from now; return their ids."""
    now = ctx.clock()
    async with ctx.sessions() as session, session.begin():
        items = [
            InboxItem(
                activity_id=f"https://remote.test/activities/{now.timestamp()}-{due_in}-{n}",
                activity_type="Like",
                actor_ap_id="https://remote.test/users/a",
                signer_key_id="https://remote.test/users/a#main-key",
                body={},
                received_at=now,
                next_attempt_at=now + due_in,
            )
            for n in range(count)
        ]
        session.add_all(items)
        await session.flush()
        return [item.id or 0 for item in items]


async def item(ctx: HubContext, item_id: int) -> InboxItem:
    """Return an inbox item row."""
    async with ctx.sessions() as session:
        row = await session.get(InboxItem, item_id)
    assert row is not None
    return row


async def test_claims_due_rows_oldest_first_up_to_the_limit(hub: Outbound) -> None:
    later = await add_items(hub.ctx, 2, due_in=timedelta(minutes=5))
    due = await add_items(hub.ctx, 3)
    claimed = await jobs.claim_due(hub.ctx, InboxItem, limit=2, lease=LEASE)
    assert claimed == due[:2]
    assert await jobs.claim_due(hub.ctx, InboxItem, limit=10, lease=LEASE) == due[2:]
    row = await item(hub.ctx, due[0])
    assert (row.state, row.locked_until) == ("running", hub.clock() + LEASE)
    # Leased rows and rows not yet due are not claimed.
    assert await jobs.claim_due(hub.ctx, InboxItem, limit=10, lease=LEASE) == []
    hub.clock.advance(timedelta(minutes=5))
    assert await jobs.claim_due(hub.ctx, InboxItem, limit=10, lease=LEASE) == later


async def test_expired_lease_is_claimed_again(hub: Outbound) -> None:
    (item_id,) = await add_items(hub.ctx, 1)
    assert await jobs.claim_due(hub.ctx, InboxItem, limit=1, lease=LEASE) == [item_id]
    # The worker that claimed it dies; until the lease runs out nobody else takes it.
    hub.clock.advance(LEASE)
    assert await jobs.claim_due(hub.ctx, InboxItem, limit=1, lease=LEASE) == []
    hub.clock.advance(timedelta(seconds=1))
    assert await jobs.claim_due(hub.ctx, InboxItem, limit=1, lease=LEASE) == [item_id]
    assert (await item(hub.ctx, item_id)).locked_until == hub.clock() + LEASE


async def test_finishing_helpers_release_the_lease(hub: Outbound) -> None:
    done, retried, failed = await add_items(hub.ctx, 3)
    await jobs.claim_due(hub.ctx, InboxItem, limit=3, lease=LEASE)
    retry_at = hub.clock() + timedelta(minutes=1)
    async with hub.ctx.sessions() as session, session.begin():
        assert await jobs.complete(session, InboxItem, done, count_attempt=True)
        assert await jobs.retry_later(
            session, InboxItem, retried, next_attempt_at=retry_at, error="x" * 900, status=503
        )
        assert await jobs.give_up(session, InboxItem, failed, error="nope", state="failed")
        # Only a claimed (running) job can be finished.
        assert not await jobs.complete(session, InboxItem, done)
    rows = [await item(hub.ctx, item_id) for item_id in (done, retried, failed)]
    assert [(row.state, row.locked_until, row.attempts) for row in rows] == [
        ("done", None, 1), ("queued", None, 0), ("failed", None, 0),
    ]  # fmt: skip
    assert rows[1].next_attempt_at == retry_at
    assert rows[1].last_error == "x" * jobs.MAX_ERROR_CHARS
    assert rows[2].last_error == "nope"
    hub.clock.advance(timedelta(minutes=1))
    assert await jobs.claim_due(hub.ctx, InboxItem, limit=10, lease=LEASE) == [retried]


@pytest.mark.parametrize("backend", ["postgresql"])
async def test_concurrent_claimers_never_share_a_row(hub: Outbound) -> None:
    ids = await add_items(hub.ctx, 60)
    claims = await asyncio.gather(
        *(jobs.claim_due(hub.ctx, InboxItem, limit=7, lease=LEASE) for _ in range(12))
    )
    claimed = list(itertools.chain.from_iterable(claims))
    assert len(claimed) == len(set(claimed)) == 60
    assert sorted(claimed) == ids


@pytest.mark.parametrize("backend", ["postgresql"])
async def test_rows_locked_by_another_claimer_are_skipped_not_waited_for(hub: Outbound) -> None:
    ids = await add_items(hub.ctx, 4)
    async with hub.ctx.engine.connect() as other, other.begin():
        # Another worker is in the middle of claiming the two oldest rows.
        await other.execute(
            sa.text("SELECT id FROM inbox_items WHERE id IN (:a, :b) FOR UPDATE"),
            {"a": ids[0], "b": ids[1]},
        )
        claimed = await asyncio.wait_for(
            jobs.claim_due(hub.ctx, InboxItem, limit=10, lease=LEASE), timeout=10
        )
    assert claimed == ids[2:]


async def test_two_workers_on_one_database_send_each_delivery_once(
    hub: Outbound, database_url: str, tmp_path: Path, key_pool: KeyPool
) -> None:
    followers = [remote_actor(hub.ctx, f"host{n}.test", "a") for n in range(30)]
    await add_followers(hub.ctx, hub.org, followers)
    for number in range(3):
        await send(hub.ctx, hub.org, number=number)
    async with hub.ctx.sessions() as session:
        for job_id in (await session.exec(select(FanoutJob.id))).all():
            await run_fanout(hub.ctx, job_id or 0)
    # A second Hub process (its own engine, client and worker) on the same database.
    async with outbound_hub(database_url, tmp_path / "second", key_pool, username="other") as two:
        two.clock.now = hub.clock()
        # Small claims, so the two workers' passes interleave over the 90 deliveries.
        workers = [
            Worker(ctx, apply_inbox_item=apply_inbox_item, retry_policy=NO_JITTER, max_in_flight=2)
            for ctx in (hub.ctx, two.ctx)
        ]
        await asyncio.gather(*(worker.drain() for worker in workers))
    rows = await deliveries(hub.ctx)
    assert len(rows) == 90
    assert {(row.state, row.attempts) for row in rows} == {("done", 1)}
    sent = [(str(r.url), r.content) for r in hub.inboxes.requests + two.inboxes.requests]
    assert len(sent) == len(set(sent)) == 90
    # Both took part (each claim yields to the other worker's claim).
    assert hub.inboxes.requests
    assert two.inboxes.requests
