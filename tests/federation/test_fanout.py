"""Fan-out makes one delivery per distinct inbox, skips blocked hosts, and is idempotent."""

from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from hub.federation.fanout import run_fanout, select_targets
from hub.models import ActorBlock, BlockedDomain, Delivery, FanoutJob, HostHealth
from hub.services.actors import create_actor
from tests.federation.outbound import (
    Outbound,
    add_followers,
    deliveries,
    outbound_hub,
    remote_actor,
    send,
)
from tests.support.keys import KeyPool


@pytest.fixture
async def hub(database_url: str, tmp_path: Path, key_pool: KeyPool) -> AsyncIterator[Outbound]:
    """A Hub with actor `org` whose deliveries go to fake inboxes."""
    async with outbound_hub(database_url, tmp_path, key_pool) as outbound:
        yield outbound


async def fan_out(hub: Outbound) -> int:
    """Run every due fan-out job through the worker's claim; return deliveries created."""
    async with hub.ctx.sessions() as session:
        ids = (await session.exec(select(FanoutJob.id).where(FanoutJob.state == "queued"))).all()
    created = 0
    for job_id in ids:
        assert job_id is not None
        created += await run_fanout(hub.ctx, job_id)
    return created


async def test_one_delivery_per_distinct_inbox(hub: Outbound) -> None:
    # checklist 43
    ctx = hub.ctx
    await add_followers(ctx, hub.org, [
        remote_actor(ctx, "one.test", "a"),
        remote_actor(ctx, "one.test", "b"),  # shares https://one.test/inbox with a
        remote_actor(ctx, "two.test", "c"),
        remote_actor(ctx, "three.test", "d", shared_inbox=False),
    ])  # fmt: skip
    await send(ctx, hub.org)
    assert await fan_out(hub) == 3
    assert sorted(row.inbox_url for row in await deliveries(ctx)) == [
        "https://one.test/inbox",
        "https://three.test/users/d/inbox",
        "https://two.test/inbox",
    ]
    assert {row.host for row in await deliveries(ctx)} == {"one.test", "two.test", "three.test"}
    assert {row.state for row in await deliveries(ctx)} == {"queued"}


async def test_pending_local_and_blocked_followers_get_nothing(hub: Outbound) -> None:
    ctx = hub.ctx
    other_local = await create_actor(ctx, "news")
    await add_followers(ctx, hub.org, [remote_actor(ctx, "one.test", "a")])
    await add_followers(ctx, hub.org, [remote_actor(ctx, "late.test", "p")], state="pending")
    await add_followers(ctx, hub.org, [
        remote_actor(ctx, "spam.example", "s"),
        remote_actor(ctx, "eu.spam.example", "t"),
    ])  # fmt: skip
    async with ctx.sessions() as session, session.begin():
        session.add(BlockedDomain(domain="spam.example", created_at=ctx.clock()))
    await add_followers(ctx, other_local, [remote_actor(ctx, "else.test", "x")])
    await send(ctx, hub.org)
    await fan_out(hub)
    assert [row.inbox_url for row in await deliveries(ctx)] == ["https://one.test/inbox"]


async def test_extra_inboxes_merge_without_duplicates_or_our_own_host(hub: Outbound) -> None:
    ctx = hub.ctx
    await add_followers(ctx, hub.org, [remote_actor(ctx, "one.test", "a")])
    await send(ctx, hub.org, extra_inboxes=[
        "https://one.test/inbox",
        "https://two.test/users/b/inbox",
        "https://two.test/users/b/inbox",
        "https://hub.test/inbox",
        "not a url",
    ])  # fmt: skip
    await fan_out(hub)
    assert sorted(row.inbox_url for row in await deliveries(ctx)) == [
        "https://one.test/inbox",
        "https://two.test/users/b/inbox",
    ]


async def test_one_to_one_activity_goes_to_the_personal_inbox_only(hub: Outbound) -> None:
    ctx = hub.ctx
    await add_followers(ctx, hub.org, [remote_actor(ctx, "one.test", "a")])
    await send(ctx, hub.org, kind="Accept", to_followers=False,
               extra_inboxes=["https://one.test/users/a/inbox"])  # fmt: skip
    await fan_out(hub)
    assert [row.inbox_url for row in await deliveries(ctx)] == ["https://one.test/users/a/inbox"]


async def test_rerun_after_a_crash_creates_nothing_new(hub: Outbound) -> None:
    ctx = hub.ctx
    await add_followers(ctx, hub.org, [remote_actor(ctx, f"h{n}.test", "a") for n in range(5)])
    activity = await send(ctx, hub.org)
    async with ctx.sessions() as session:
        job = (await session.exec(select(FanoutJob))).one()
    assert job.id is not None
    # The first run's rows exist, but the worker died before it could mark the job done.
    assert await run_fanout(ctx, job.id) == 5
    assert await run_fanout(ctx, job.id) == 0
    rows = await deliveries(ctx)
    assert len(rows) == 5
    assert {row.activity_id for row in rows} == {activity.id}


async def test_worker_runs_a_fan_out_once(hub: Outbound) -> None:
    ctx = hub.ctx
    await add_followers(ctx, hub.org, [remote_actor(ctx, "one.test", "a")])
    await send(ctx, hub.org)
    await hub.worker.drain()
    async with ctx.sessions() as session:
        job = (await session.exec(select(FanoutJob))).one()
    assert (job.state, job.locked_until) == ("done", None)
    assert [row.state for row in await deliveries(ctx)] == ["done"]
    assert len(hub.inboxes.requests) == 1


async def test_unavailable_host_gets_a_skipped_row_but_follow_goes_through(hub: Outbound) -> None:
    ctx = hub.ctx
    await add_followers(ctx, hub.org, [remote_actor(ctx, "down.test", "a")])
    async with ctx.sessions() as session, session.begin():
        session.add(HostHealth(host="down.test", unavailable_since=ctx.clock() - timedelta(days=1)))
    await send(ctx, hub.org)
    await send(ctx, hub.org, kind="Follow", to_followers=False,
               extra_inboxes=["https://down.test/users/a/inbox"])  # fmt: skip
    await fan_out(hub)
    states = {row.inbox_url: row.state for row in await deliveries(ctx)}
    assert states == {
        "https://down.test/inbox": "skipped",
        "https://down.test/users/a/inbox": "queued",
    }


def test_target_selection_is_pure_and_keeps_first_seen_order() -> None:
    targets = select_targets(
        ["https://b.test/inbox", "https://a.test/inbox", "https://b.test/inbox",
         "https://x.blocked.test/inbox", "https://HUB.test/inbox", "ftp://c.test/inbox"],
        own_host="hub.test", blocked={"blocked.test"}, unavailable={"a.test"},
    )  # fmt: skip
    assert [(t.inbox_url, t.is_skipped) for t in targets] == [
        ("https://b.test/inbox", False),
        ("https://a.test/inbox", True),
    ]


@pytest.fixture
def statements(hub: Outbound) -> Iterator[list[str]]:
    """Record every SQL statement the Hub's engine runs from now on."""
    recorded: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        recorded.append(statement)

    engine = hub.ctx.engine.sync_engine
    sa.event.listen(engine, "before_cursor_execute", record)
    yield recorded
    sa.event.remove(engine, "before_cursor_execute", record)


async def test_thousand_followers_fan_out_in_a_fixed_number_of_queries(
    hub: Outbound, statements: list[str]
) -> None:
    ctx = hub.ctx
    # 1,000 followers on 400 hosts: 200 servers with shared inboxes, 200 without (400 users).
    followers = [
        remote_actor(ctx, f"host{n % 400}.test", f"user{n}", shared_inbox=n % 400 < 200)
        for n in range(1000)
    ]
    await add_followers(ctx, hub.org, followers)
    await send(ctx, hub.org)
    statements.clear()
    assert await fan_out(hub) == 200 + 400
    # Reads (job, activity, followers, blocks, hosts) and 2 insert batches, not one per row.
    assert len(statements) <= 12
    async with ctx.sessions() as session:
        count = (await session.exec(select(sa.func.count()).select_from(Delivery))).one()
        distinct = (
            await session.exec(select(sa.func.count(sa.distinct(col(Delivery.inbox_url)))))
        ).one()
    assert count == distinct == 600


async def test_personal_inbox_of_an_actor_that_blocks_the_sender_gets_nothing(
    hub: Outbound,
) -> None:
    # checklist 71: a blocker's inbox is left out; its server's shared inbox still serves others
    ctx = hub.ctx
    blocker = remote_actor(ctx, "one.test", "blocker")
    other = remote_actor(ctx, "one.test", "other")
    await add_followers(ctx, hub.org, [other])
    async with ctx.sessions() as session, session.begin():
        session.add(blocker)
        await session.flush()
        assert blocker.id is not None
        assert hub.org.id is not None
        session.add(
            ActorBlock(
                ap_id="https://one.test/blocks/1",
                blocker_id=blocker.id,
                blocked_id=hub.org.id,
                created_at=ctx.clock(),
            )
        )
    await send(ctx, hub.org, extra_inboxes=[blocker.inbox_url, "https://two.test/users/x/inbox"])
    await fan_out(hub)
    assert sorted(row.inbox_url for row in await deliveries(ctx)) == [
        "https://one.test/inbox",
        "https://two.test/users/x/inbox",
    ]
