"""The worker retries remote trouble, records refusals, survives its own bugs, and wakes."""

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from hub.context import HubContext
from hub.errors import HubError
from hub.federation.errors import RemoteBusy, RemoteGone
from hub.federation.host_slots import HostSlots
from hub.federation.worker import Worker
from hub.models import InboxItem
from tests.federation.outbound import (
    Outbound,
    add_followers,
    deliveries,
    outbound_hub,
    remote_actor,
    send,
)
from tests.support.keys import KeyPool

FAST = "https://fast.test/users/a/inbox"


@pytest.fixture
async def hub(database_url: str, tmp_path: Path, key_pool: KeyPool) -> AsyncIterator[Outbound]:
    """A Hub on this test's database, with a manual clock."""
    async with outbound_hub(database_url, tmp_path, key_pool) as outbound:
        yield outbound


async def add_item(ctx: HubContext, name: str) -> int:
    """Queue one inbox item whose activity id ends in `name`; return its id."""
    async with ctx.sessions() as session, session.begin():
        item = InboxItem(
            activity_id=f"https://remote.test/activities/{name}",
            activity_type="Like",
            actor_ap_id="https://remote.test/users/a",
            signer_key_id="https://remote.test/users/a#main-key",
            body={"name": name},
            received_at=ctx.clock(),
            next_attempt_at=ctx.clock(),
        )
        session.add(item)
        await session.flush()
        return item.id or 0


async def item(ctx: HubContext, item_id: int) -> InboxItem:
    """Return an inbox item row."""
    async with ctx.sessions() as session:
        row = await session.get(InboxItem, item_id)
    assert row is not None
    return row


async def apply_by_name(ctx: HubContext, item_id: int) -> None:
    """An inbox processor whose behaviour the item's name picks."""
    name = (await item(ctx, item_id)).body["name"]
    if name == "busy":
        raise RemoteBusy("https://remote.test/x", "busy", status=503, retry_after_seconds=120)
    if name == "gone":
        raise RemoteGone("https://remote.test/x", "gone", status=410)
    if name == "refused":
        raise HubError("not addressed to anyone here")
    if name == "bug":
        raise ValueError("our own mistake")


def worker_for(hub: Outbound) -> Worker:
    """Return a worker of `hub` that applies items with `apply_by_name`."""
    return Worker(hub.ctx, apply_inbox_item=apply_by_name)


async def test_remote_trouble_is_retried_and_refusals_are_recorded(hub: Outbound) -> None:
    ok, busy, gone, refused = [
        await add_item(hub.ctx, name) for name in ("ok", "busy", "gone", "refused")
    ]
    assert await worker_for(hub).drain() == 4
    rows = {item_id: await item(hub.ctx, item_id) for item_id in (ok, busy, gone, refused)}
    assert (rows[ok].state, rows[ok].attempts, rows[ok].processed_at) == ("done", 1, hub.clock())
    assert (rows[busy].state, rows[busy].attempts) == ("queued", 1)
    assert rows[busy].next_attempt_at == hub.clock() + timedelta(seconds=120)
    assert rows[gone].state == "failed"
    assert rows[gone].last_error == "https://remote.test/x: gone"
    assert (rows[refused].state, rows[refused].last_error) == (
        "failed", "not addressed to anyone here",
    )  # fmt: skip


async def test_a_bug_fails_its_item_and_surfaces_in_drain(
    hub: Outbound, caplog: pytest.LogCaptureFixture
) -> None:
    bug = await add_item(hub.ctx, "bug")
    with caplog.at_level(logging.ERROR), pytest.raises(ValueError, match="our own mistake"):
        await worker_for(hub).drain()
    row = await item(hub.ctx, bug)
    assert row.state == "failed"
    assert row.last_error == "internal error: ValueError('our own mistake')"
    assert [record.levelname for record in caplog.records] == ["ERROR"]
    assert caplog.records[0].exc_info is not None


async def test_items_applied_before_a_bug_in_the_same_pass_are_recorded_done(
    hub: Outbound,
) -> None:
    ok = await add_item(hub.ctx, "ok")
    bug = await add_item(hub.ctx, "bug")
    with pytest.raises(ValueError, match="our own mistake"):
        await worker_for(hub).run_once()
    row = await item(hub.ctx, ok)
    assert (row.state, row.attempts, row.processed_at) == ("done", 1, hub.clock())
    assert (await item(hub.ctx, bug)).state == "failed"


async def test_serving_worker_survives_a_bug_and_wakes_when_told(hub: Outbound) -> None:
    processed: dict[str, asyncio.Event] = {"ok": asyncio.Event(), "later": asyncio.Event()}

    async def apply(ctx: HubContext, item_id: int) -> None:
        name = (await item(ctx, item_id)).body["name"]
        if name == "bug":
            raise ValueError("our own mistake")
        processed[name].set()

    # An idle wait of an hour: only wake() can make the worker see the second item in time.
    worker = Worker(hub.ctx, apply_inbox_item=apply, idle_seconds=3600)
    bug = await add_item(hub.ctx, "bug")
    await add_item(hub.ctx, "ok")
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run_forever(stop))
    await asyncio.wait_for(processed["ok"].wait(), timeout=10)
    await add_item(hub.ctx, "later")
    worker.wake()
    await asyncio.wait_for(processed["later"].wait(), timeout=10)
    stop.set()
    await asyncio.wait_for(task, timeout=10)
    assert (await item(hub.ctx, bug)).state == "failed"


async def test_host_slots_cap_concurrency_per_host() -> None:
    slots = HostSlots(2)
    gate, full = asyncio.Event(), asyncio.Event()
    inside: list[str] = []
    most: dict[str, int] = {}

    async def use(host: str) -> None:
        async with slots.slot(host):
            inside.append(host)
            most[host] = max(most.get(host, 0), inside.count(host))
            if len(inside) == 3:  # two on a.test (its cap) and one on b.test
                full.set()
            await gate.wait()
            inside.remove(host)

    tasks = [asyncio.create_task(use(host)) for host in ["a.test"] * 5 + ["b.test"]]
    await asyncio.wait_for(full.wait(), timeout=10)
    gate.set()
    await asyncio.gather(*tasks)
    assert most == {"a.test": 2, "b.test": 1}
    assert slots._semaphores == {}  # idle hosts leave nothing behind


async def test_lease_must_outlast_the_wait_for_a_host_slot(hub: Outbound) -> None:
    with pytest.raises(ValueError, match="lease"):
        Worker(hub.ctx, apply_inbox_item=apply_by_name, lease=timedelta(minutes=1))


async def test_a_slow_host_cannot_take_every_delivery_slot(
    database_url: str, tmp_path: Path, key_pool: KeyPool
) -> None:
    async with outbound_hub(database_url, tmp_path, key_pool) as hub:
        slow = [remote_actor(hub.ctx, "slow.test", f"u{n}", shared_inbox=False) for n in range(8)]
        await add_followers(hub.ctx, hub.org, slow)
        # Eight deliveries to slow.test come first in the queue, then one to fast.test.
        await send(hub.ctx, hub.org)
        await send(hub.ctx, hub.org, number=2, to_followers=False, extra_inboxes=[FAST])
        gate = hub.inboxes.hold("slow.test")
        worker = Worker(
            hub.ctx, apply_inbox_item=apply_by_name, max_in_flight=4, max_per_host=2,
            idle_seconds=3600,
        )  # fmt: skip
        stop = asyncio.Event()
        task = asyncio.create_task(worker.run_forever(stop))
        # While slow.test hangs on two requests, fast.test still gets its delivery.
        await hub.inboxes.wait_until(
            lambda: bool(hub.inboxes.posts_to(FAST)) and hub.inboxes.in_flight["slow.test"] == 2
        )
        gate.set()
        await hub.inboxes.wait_until(lambda: len(hub.inboxes.requests) == 9)
        stop.set()
        await asyncio.wait_for(task, timeout=10)
        assert hub.inboxes.most_in_flight["slow.test"] == 2
        assert [row.state for row in await deliveries(hub.ctx)] == ["done"] * 9


async def test_delivery_lease_must_outlast_a_delivery(hub: Outbound) -> None:
    with pytest.raises(ValueError, match="delivery lease"):
        Worker(hub.ctx, apply_inbox_item=apply_by_name, delivery_lease=timedelta(seconds=59))
