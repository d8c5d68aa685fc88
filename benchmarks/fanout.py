"""Fan-out scenarios: one post to many distinct inboxes, or to many followers on few servers."""

import asyncio
import time
from dataclasses import dataclass

import sqlalchemy as sa

from benchmarks.bench import Bench, load_average
from benchmarks.peers import loopback_hosts
from benchmarks.report import median
from benchmarks.seed import add_remote_actors, local_actor_id
from hub.models import Delivery, OutgoingActivity
from hub.services.actors import create_actor
from hub.services.publishing import publish

SECTION = "Fan-out"
DISTINCT_NETWORK = 10
SHARED_NETWORK = 12
ARRIVAL_TIMEOUT_SECONDS = 240.0


@dataclass(frozen=True)
class FanoutRun:
    """One post's fan-out as the played inboxes saw it."""

    deliveries: int
    requests: int
    duplicates: int
    pickup_seconds: float
    fanout_seconds: float
    floor_seconds: float


async def _expanded_at(bench: Bench, activity_ap_id: str) -> float:
    deliveries = sa.inspect(Delivery).local_table
    activities = sa.inspect(OutgoingActivity).local_table
    assert isinstance(deliveries, sa.Table)
    assert isinstance(activities, sa.Table)
    statement = (
        sa.select(sa.func.min(deliveries.c.created_at))
        .join(activities, activities.c.id == deliveries.c.activity_id)
        .where(activities.c.ap_id == activity_ap_id)
    )
    async with bench.engine.connect() as connection:
        value = (await connection.execute(statement)).scalar_one()
    return float(value.timestamp())


async def publish_once(bench: Bench, actor_name: str) -> str:
    """Publish one post as `actor_name`; return its id."""
    post = await publish(
        bench.ctx, actor_name, title="Observatory Sighting", summary="What we learnt.",
        body_markdown="Swifts are back over the allotments this morning.",
    )  # fmt: skip
    return post.ap_id


async def publish_and_wait(bench: Bench, actor_name: str, expected: int) -> FanoutRun:
    """Publish one post as `actor_name` and wait until every inbox has it."""
    await bench.wait_until_idle(Delivery)  # nothing else arrives while this one is counted
    bench.fediverse.expect(expected)
    published_at = time.time()
    post_id = await publish_once(bench, actor_name)
    try:
        await asyncio.wait_for(bench.fediverse.all_arrived.wait(), ARRIVAL_TIMEOUT_SECONDS)
    except TimeoutError:
        arrived = bench.fediverse.received.by_delivery.total()
        raise RuntimeError(f"only {arrived} of {expected} deliveries arrived") from None
    await bench.wait_until_idle(Delivery)
    received = bench.fediverse.received
    expanded_at = await _expanded_at(bench, f"{post_id}/activity")
    assert received.last_at is not None
    counts = received.by_delivery.values()
    return FanoutRun(
        deliveries=len(received.by_delivery),
        requests=sum(counts) + received.rejected,
        duplicates=sum(count - 1 for count in counts),
        pickup_seconds=expanded_at - published_at,
        fanout_seconds=received.last_at - expanded_at,
        floor_seconds=bench.signing_floor(expected),
    )


async def prepare_followers(bench: Bench, name: str, followers: int, servers: int) -> None:
    await create_actor(bench.ctx, name, display_name=name)
    actor_id = await local_actor_id(bench.engine, name)
    shared = followers != servers
    network = SHARED_NETWORK if shared else DISTINCT_NETWORK
    hosts = loopback_hosts(network, servers)
    remote = [
        bench.keys.actor(
            bench.fediverse.authority(hosts[index % servers]), f"{name}f{index}", index,
            shared=shared,
        )
        for index in range(followers)
    ]  # fmt: skip
    await add_remote_actors(bench.engine, remote, following=actor_id)


async def fan_out(bench: Bench, label: str, followers: int, servers: int, repeats: int) -> None:
    """Publish to `followers` followers on `servers` inboxes, `repeats` times."""
    name = f"fan{followers}x{servers}"
    await prepare_followers(bench, name, followers, servers)
    runs = []
    for repeat in range(repeats):
        load = load_average()
        run = await publish_and_wait(bench, name, servers)
        runs.append(run)
        print(
            f"  [{bench.backend}] {label} run {repeat + 1}: {run.deliveries} inboxes in "
            f"{run.fanout_seconds:.2f} s (+{run.pickup_seconds:.2f} s pickup), floor "
            f"{run.floor_seconds:.2f} s, {run.duplicates} duplicates (load {load})"
        )
    fanout = median([run.fanout_seconds for run in runs])
    floor = median([run.floor_seconds for run in runs])
    small = servers <= 1000 and followers == servers
    bench.add(
        SECTION, f"{label}: time to last delivery", f"{fanout:.2f} s",
        target="<= 1.0 s" if small else "", met=fanout <= 1.0 if small else None,
    )  # fmt: skip
    bench.add(SECTION, f"{label}: signing floor ({servers:,} signatures)", f"{floor:.2f} s")
    ratio = fanout / floor
    bench.add(
        SECTION, f"{label}: over signing floor", f"{ratio:.2f}x",
        target="<= 1.5x" if small else "", met=ratio <= 1.5 if small else None,
    )  # fmt: skip
    bench.add(SECTION, f"{label}: requests sent", f"{median([r.requests for r in runs]):,.0f}")
    duplicates = sum(run.duplicates for run in runs)
    bench.add(SECTION, f"{label}: duplicates (all runs)", str(duplicates), target="0",
              met=duplicates == 0)  # fmt: skip
    bench.add(SECTION, f"{label}: wait before expansion (worker poll)",
              f"{median([r.pickup_seconds for r in runs]):.2f} s")  # fmt: skip
    bench.add(SECTION, f"{label}: RSS of hub serve after", f"{bench.hub.rss_mib():.0f} MiB",
              target="<= 250 MiB", met=bench.hub.rss_mib() <= 250)  # fmt: skip


async def all_fanouts(bench: Bench) -> None:
    """The three fan-outs of the targets."""
    scale = bench.scale
    await bench.fediverse.listen(loopback_hosts(DISTINCT_NETWORK, scale.fanout_large))
    await bench.fediverse.listen(loopback_hosts(SHARED_NETWORK, scale.shared_inboxes))
    await fan_out(bench, f"{scale.fanout_small:,} followers on {scale.fanout_small:,} inboxes",
                  scale.fanout_small, scale.fanout_small, scale.repeats)  # fmt: skip
    await fan_out(bench, f"{scale.fanout_large:,} followers on {scale.fanout_large:,} inboxes",
                  scale.fanout_large, scale.fanout_large, scale.large_repeats)  # fmt: skip
    await fan_out(
        bench, f"{scale.shared_followers:,} followers behind {scale.shared_inboxes} shared inboxes",
        scale.shared_followers, scale.shared_inboxes, scale.repeats,
    )  # fmt: skip
