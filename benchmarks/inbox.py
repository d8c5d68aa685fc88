"""Inbox scenarios: signed Create(Note) from known actors, and Follows from never-seen ones."""

import itertools
import time

from benchmarks import http1
from benchmarks.bench import Bench, load_average
from benchmarks.peers import RemoteActor, loopback_hosts
from benchmarks.report import median, ms, per_second, percentile
from benchmarks.seed import add_remote_actors, local_actor_id
from hub.models import Delivery, InboxItem

SECTION = "Inbox"
KNOWN_NETWORK = 20
FIRST_CONTACT_NETWORK = 21
FIRST_CONTACT_ACTORS_PER_HOST = 10


def known_actors(bench: Bench) -> list[RemoteActor]:
    """Return the played actors the Hub already knows (one per server)."""
    hosts = loopback_hosts(KNOWN_NETWORK, bench.scale.inbox_actors)
    return [
        bench.keys.actor(bench.fediverse.authority(host), f"known{index}", index)
        for index, host in enumerate(hosts)
    ]


async def prepare_known_actors(bench: Bench) -> list[RemoteActor]:
    """Serve and store the known actors; our organisation follows them all."""
    actors = known_actors(bench)
    for actor in actors:
        bench.fediverse.add(actor)
    await bench.fediverse.listen(loopback_hosts(KNOWN_NETWORK, bench.scale.inbox_actors))
    org_id = await local_actor_id(bench.engine, "org")
    await add_remote_actors(bench.engine, actors, followed_by=org_id)
    return actors


def signed_creates(bench: Bench, actors: list[RemoteActor], count: int) -> list[bytes]:
    """Return `count` signed POSTs of new notes to the shared inbox, actors taking turns."""
    followers = f"http://{bench.hub.authority}/users/org/followers"
    return [
        actors[index % len(actors)].signed_post(
            bench.hub.authority, "/inbox", actors[index % len(actors)].create_note(followers)
        )
        for index in range(count)
    ]


async def timed_inbox_run(bench: Bench, requests: list[bytes]) -> tuple[http1.LoadResult, float]:
    """Send the requests at the configured concurrency; return the load and time to processed."""
    started = time.time()
    result = await http1.run_load(
        "127.0.0.1", bench.hub.port, iter(requests), concurrency=bench.scale.inbox_concurrency
    )
    processed_at = await bench.wait_until_idle(InboxItem)
    return result, processed_at - started


def record_load(bench: Bench, label: str, runs: list[tuple[http1.LoadResult, float]]) -> None:
    """Record accepted/s, p50, p99 and time to processed (medians over runs)."""
    rates = [result.count(202) / result.wall_seconds for result, _ in runs]
    p50 = median([percentile(result.latencies, 0.50) for result, _ in runs])
    p99 = median([percentile(result.latencies, 0.99) for result, _ in runs])
    processed = median([seconds for _, seconds in runs])
    refused = sum(len(result.latencies) - result.count(202) + result.errors for result, _ in runs)
    rate = median(rates)
    bench.add(
        SECTION, f"{label}: accepted/s", per_second(rate), target=">= 1,500/s", met=rate >= 1500
    )
    bench.add(SECTION, f"{label}: p50", ms(p50))
    bench.add(SECTION, f"{label}: p99", ms(p99), target="< 50 ms", met=p99 < 0.050)
    bench.add(SECTION, f"{label}: time until all processed", f"{processed:.1f} s")
    bench.add(
        SECTION, f"{label}: not accepted (all runs)", str(refused), target="0", met=refused == 0
    )
    bench.add(SECTION, f"{label}: RSS of hub serve after", f"{bench.hub.rss_mib():.0f} MiB",
              target="<= 250 MiB", met=bench.hub.rss_mib() <= 250)  # fmt: skip


async def known_actor_notes(bench: Bench) -> None:
    """5,000 signed Create(Note) from 100 known actors at 16 in flight, repeated."""
    actors = await prepare_known_actors(bench)
    runs = []
    for repeat in range(bench.scale.inbox_repeats):
        requests = signed_creates(bench, actors, bench.scale.inbox_notes)
        load = load_average()
        run = await timed_inbox_run(bench, requests)
        runs.append(run)
        print(
            f"  [{bench.backend}] inbox run {repeat + 1}: {run[0].count(202)} accepted in "
            f"{run[0].wall_seconds:.2f} s, processed after {run[1]:.2f} s (load {load})"
        )
    label = f"{bench.scale.inbox_notes:,} Create(Note), {bench.scale.inbox_actors} known actors"
    record_load(bench, label, runs)


async def first_contact(bench: Bench) -> None:
    """Follows from never-seen actors: each one's key is fetched on the request path."""
    count = bench.scale.first_contacts
    hosts_per_run = max(1, count // FIRST_CONTACT_ACTORS_PER_HOST)
    all_hosts = loopback_hosts(FIRST_CONTACT_NETWORK, hosts_per_run * bench.scale.inbox_repeats)
    await bench.fediverse.listen(all_hosts)
    org = f"http://{bench.hub.authority}/users/org"
    numbers = itertools.count()
    runs = []
    for repeat in range(bench.scale.inbox_repeats):
        hosts = all_hosts[repeat * hosts_per_run : (repeat + 1) * hosts_per_run]
        actors = []
        for index in range(count):
            number = next(numbers)
            host = bench.fediverse.authority(hosts[index % len(hosts)])
            actors.append(bench.keys.actor(host, f"new{number}", number))
        for actor in actors:
            bench.fediverse.add(actor)
        requests = [
            actor.signed_post(bench.hub.authority, "/users/org/inbox", actor.follow(org))
            for actor in actors
        ]
        load = load_average()
        run = await timed_inbox_run(bench, requests)
        runs.append(run)
        print(
            f"  [{bench.backend}] first contact run {repeat + 1}: {run[0].count(202)} accepted "
            f"in {run[0].wall_seconds:.2f} s, processed after {run[1]:.2f} s (load {load})"
        )
    # The Accepts those Follows queued go out before the next scenario counts deliveries.
    await bench.wait_until_idle(Delivery)
    rates = [result.count(202) / result.wall_seconds for result, _ in runs]
    label = f"first contact, {count:,} Follows"
    bench.add(SECTION, f"{label}: accepted/s", per_second(median(rates)))
    bench.add(SECTION, f"{label}: p50", ms(median([percentile(r.latencies, 0.5) for r, _ in runs])))
    bench.add(
        SECTION, f"{label}: p99", ms(median([percentile(r.latencies, 0.99) for r, _ in runs]))
    )
    bench.add(
        SECTION, f"{label}: time until all processed", f"{median([s for _, s in runs]):.1f} s"
    )
    refused = sum(len(r.latencies) - r.count(202) + r.errors for r, _ in runs)
    bench.add(
        SECTION, f"{label}: not accepted (all runs)", str(refused), target="0", met=refused == 0
    )
