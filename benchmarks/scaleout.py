"""Scale-out on PostgreSQL: several web processes and two `hub worker` processes share the queues.

A 10,000-delivery fan-out runs while one worker is killed with SIGKILL part-way: every inbox
must get the post, and only deliveries the dead worker held (sent, or in flight, but not yet
recorded) may arrive twice, once their lease has expired. Then inbox throughput is measured
with one and with two web processes.
"""

import asyncio
import signal
import time
from pathlib import Path

from benchmarks import inbox
from benchmarks.bench import Bench, KeyPool, Scale, load_average
from benchmarks.fanout import DISTINCT_NETWORK, prepare_followers, publish_once
from benchmarks.hubproc import HubServer
from benchmarks.peers import Fediverse, loopback_hosts
from benchmarks.report import Results, median, per_second, percentile
from hub.models import Delivery

SECTION = "Scale-out (PostgreSQL)"
BACKEND = "PostgreSQL"
# The shortest lease Hub accepts, so the killed worker's deliveries go out again within the run.
DELIVERY_LEASE_SECONDS = 60
KILL_AFTER_FRACTION = 0.3


async def run(
    database_url: str,
    folder: Path,
    *,
    scale: Scale,
    results: Results,
    keys: KeyPool,
    peer_port: int,
    hub_port: int,
) -> None:
    """Run the crash fan-out and the inbox throughput per web process count."""
    hub = HubServer(
        folder, database_url, cores=None, port=hub_port,
        extra_environment={"HUB_DELIVERY_LEASE_SECONDS": str(DELIVERY_LEASE_SECONDS)},
    )  # fmt: skip
    hub.init()
    fediverse = Fediverse(peer_port, ("127.0.0.1", hub.port))
    bench = Bench(BACKEND, hub, fediverse, scale, results, keys, None, None)
    try:
        await hub.start("--workers", "2", "--no-worker")
        hub.start_worker()
        hub.start_worker()
        await _crash_fanout(bench)
        await _inbox_by_processes(bench)
    finally:
        hub.stop()
        await fediverse.close()
        await bench.close()


async def _crash_fanout(bench: Bench) -> None:
    count = bench.scale.scaleout_deliveries
    await bench.fediverse.listen(loopback_hosts(DISTINCT_NETWORK, count))
    name = f"fan{count}x{count}"
    await prepare_followers(bench, name, count, count)
    bench.fediverse.expect(count)
    started = time.time()
    await publish_once(bench, name)
    await bench.fediverse.wait_for_deliveries(int(count * KILL_AFTER_FRACTION))
    victim = bench.hub.workers[0]
    victim.send_signal(signal.SIGKILL)
    killed_after = bench.fediverse.received.by_delivery.total()
    print(f"  [scale-out] killed a worker after {killed_after} deliveries (load {load_average()})")
    await asyncio.wait_for(bench.fediverse.all_arrived.wait(), DELIVERY_LEASE_SECONDS * 4)
    arrived_at = bench.fediverse.received.last_at or time.time()
    # The killed worker's unrecorded claims are sent again once their lease runs out:
    # wait for every row to be done, so those second copies are counted too.
    await bench.wait_until_idle(Delivery, limit_seconds=DELIVERY_LEASE_SECONDS * 4)
    received = bench.fediverse.received
    inboxes = len(received.by_delivery)
    duplicates = sum(n - 1 for n in received.by_delivery.values())
    state = await bench.scalar("SELECT count(*) FROM deliveries WHERE state = 'done'")
    add = bench.results.add
    add(SECTION, "hub serve --workers 2 --no-worker, plus hub worker processes", BACKEND, "2 + 2")
    add(SECTION, f"fan-out of {count:,}: inboxes reached", BACKEND, f"{inboxes:,}",
        target=f"{count:,} (none lost)", met=inboxes == count)  # fmt: skip
    add(SECTION, f"fan-out of {count:,}: one worker killed (SIGKILL) after", BACKEND,
        f"{killed_after:,} deliveries")  # fmt: skip
    add(SECTION, f"fan-out of {count:,}: delivered twice", BACKEND, str(duplicates),
        target="only the killed worker's unrecorded claims")  # fmt: skip
    add(SECTION, f"fan-out of {count:,}: rows done", BACKEND, f"{state}")
    add(SECTION, f"fan-out of {count:,}: time to last delivery (incl. {DELIVERY_LEASE_SECONDS} s "
        "lease of the killed worker)", BACKEND, f"{arrived_at - started:.1f} s")  # fmt: skip
    print(f"  [scale-out] {inboxes} inboxes, {duplicates} duplicates, {state} rows done")


async def _inbox_by_processes(bench: Bench) -> None:
    bench.hub.start_worker()  # in place of the one killed
    actors = await inbox.prepare_known_actors(bench)
    for processes in (1, 2):
        bench.hub.stop_serving()
        await bench.hub.start("--workers", str(processes), "--no-worker")
        rates, p99s = [], []
        for _ in range(bench.scale.scaleout_repeats):
            requests = inbox.signed_creates(bench, actors, bench.scale.scaleout_inbox_notes)
            result, _ = await inbox.timed_inbox_run(bench, requests)
            rates.append(result.count(202) / result.wall_seconds)
            p99s.append(percentile(result.latencies, 0.99))
        rate = median(rates)
        print(f"  [scale-out] inbox with {processes} web processes: {rate:,.0f}/s")
        bench.results.add(
            SECTION, f"inbox accepted/s with {processes} web process(es), 2 hub workers",
            BACKEND, f"{per_second(rate)} (p99 {median(p99s) * 1000:.0f} ms)",
        )  # fmt: skip
