"""Read path and growth: GETs of documents and pages, and their latency as tables grow."""

import time

import httpx

from benchmarks import http1
from benchmarks.bench import Bench, load_average
from benchmarks.report import median, ms, per_second, percentile
from benchmarks.seed import (
    add_history,
    add_reader_history,
    add_remote_actors,
    local_actor_id,
    settle,
)
from hub.services.accounts import create_account
from hub.services.actors import create_actor
from hub.services.publishing import publish
from tests.support.staff import log_in

READ_SECTION = "Read path"
GROWTH_SECTION = "Growth"
JSON = {"Accept": "application/activity+json"}
HTML = {"Accept": "text/html"}
# A cookie (of no session) passes by the rendered copy a Hub keeps for visitors, so growth
# measures the queries and the template, which are what could slow down as tables grow.
RENDER = {"Cookie": "bench=render"}
# Targets, by endpoint (requests per second).
READ_TARGETS = {"actor JSON": 2000, "post page": 800}
# Requests before each growth measurement: connections and the database's caches warm up.
GROWTH_WARM_UP = 10
GROWTH_ROUNDS = 3


def read_endpoints(bench: Bench, post_path: str) -> dict[str, tuple[str, dict[str, str]]]:
    """Return the read-path endpoints: label -> (path, headers)."""
    resource = f"acct:org@{bench.hub.authority}"
    return {
        "actor JSON": ("/users/org", JSON),
        "WebFinger": (f"/.well-known/webfinger?resource={resource}", {}),
        "outbox page": ("/users/org/outbox?page=true", JSON),
        "profile page": ("/@org", HTML),
        "post page": (post_path, HTML),
    }


async def _load(
    bench: Bench, path: str, headers: dict[str, str], count: int, concurrency: int
) -> http1.LoadResult:
    request = http1.build_request("GET", path, bench.hub.authority, headers)
    return await http1.run_load(
        "127.0.0.1", bench.hub.port, iter([request] * count), concurrency=concurrency
    )


async def read_path(bench: Bench) -> None:
    """Requests per second and p99 for each read endpoint, at 16 in flight."""
    post = await publish(
        bench.ctx, "org", title="Observatory Sighting #7", summary="Taking stock.",
        body_markdown="In the seventh edition we begin to take stock.\n\n" * 5,
    )  # fmt: skip
    post_path = post.html_url.split(bench.hub.authority, 1)[1]
    for label, (path, headers) in read_endpoints(bench, post_path).items():
        await _load(bench, path, headers, 100, 4)  # warm caches and connections
        runs = []
        for _ in range(bench.scale.repeats):
            runs.append(await _load(bench, path, headers, bench.scale.read_requests, 16))
        bad = sum(len(run.latencies) - run.count(200) + run.errors for run in runs)
        if bad:
            bench.results.notes.append(f"{bench.backend}: {label} answered {bad} non-200s")
        rate = median([run.count(200) / run.wall_seconds for run in runs])
        p99 = median([percentile(run.latencies, 0.99) for run in runs])
        target = READ_TARGETS.get(label)
        bench.add(
            READ_SECTION, f"{label}: req/s", per_second(rate),
            target=f">= {target:,}/s" if target else "", met=rate >= target if target else None,
        )  # fmt: skip
        bench.add(READ_SECTION, f"{label}: p99", ms(p99))
        print(
            f"  [{bench.backend}] {label}: {rate:,.0f} req/s, p99 {ms(p99)} (load {load_average()})"
        )
    bench.add(READ_SECTION, "RSS of hub serve after", f"{bench.hub.rss_mib():.0f} MiB",
              target="<= 250 MiB", met=bench.hub.rss_mib() <= 250)  # fmt: skip


async def _latency(bench: Bench, path: str, headers: dict[str, str], samples: int) -> float:
    run = await _load(bench, path, headers, samples, 1)
    if run.count(200) != len(run.latencies):
        raise RuntimeError(f"{path} answered {run.statuses}")
    return percentile(run.latencies, 0.5)


async def growth(bench: Bench) -> None:
    """Median latency of outbox, post and reader pages as the tables grow (best of 3 rounds)."""
    await create_actor(bench.ctx, "grow", display_name="Growth")
    actor_id = await local_actor_id(bench.engine, "grow")
    ap_id = f"http://{bench.hub.authority}/users/grow"
    followed = bench.keys.actor(bench.fediverse.authority("127.0.30.1"), "allotment", 0)
    await add_remote_actors(bench.engine, [followed], followed_by=actor_id)
    followed_id = int(str(await bench.scalar(
        "SELECT id FROM actors WHERE ap_id = :ap_id", ap_id=followed.ap_id
    )))  # fmt: skip
    staff = {"Accept": "text/html", "Cookie": await _staff_cookie(bench, actor_id)}
    latencies: dict[str, list[float]] = {}
    seeded = 0
    for size in bench.scale.growth_sizes:
        started = time.perf_counter()
        await add_history(bench.engine, ap_id, actor_id, seeded, size)
        await add_reader_history(bench.engine, followed.ap_id, followed_id, seeded, size)
        await settle(bench.engine)
        print(f"  [{bench.backend}] seeded {size:,} rows in {time.perf_counter() - started:.1f} s")
        seeded = size
        middle = await _middle_activity_id(bench, actor_id)
        middle_entry = await bench.scalar("SELECT (min(id) + max(id)) / 2 FROM timeline_entries")
        pages = {
            "outbox page (newest)": ("/users/grow/outbox?page=true", {**JSON, **RENDER}),
            "outbox page (middle)": (
                f"/users/grow/outbox?page=true&before={middle}",
                {**JSON, **RENDER},
            ),
            "post page": (f"/@grow/{actor_id}xg{size // 2:07d}", {**HTML, **RENDER}),
            "post JSON": (f"/users/grow/posts/{actor_id}xg{size // 2:07d}", {**JSON, **RENDER}),
            "reader page (newest)": ("/admin/reader", staff),
            "reader page (middle)": (f"/admin/reader?before={middle_entry}", staff),
        }
        for path, headers in pages.values():
            await _latency(bench, path, headers, GROWTH_WARM_UP)
        # Rounds go round the pages, so a slow spell of the machine (another process, a
        # checkpoint) lands in one round of each page; the quickest round's median counts.
        rounds: dict[str, list[float]] = {label: [] for label in pages}
        for _ in range(GROWTH_ROUNDS):
            for label, (path, headers) in pages.items():
                samples = max(1, bench.scale.growth_samples // 2)
                rounds[label].append(await _latency(bench, path, headers, samples))
        for label, medians in rounds.items():
            latencies.setdefault(label, []).append(min(medians))
            bench.add(GROWTH_SECTION, f"{label}, {size:,} rows: p50", ms(min(medians)))
    largest, smallest = bench.scale.growth_sizes[-1], bench.scale.growth_sizes[0]
    for label, values in latencies.items():
        ratio = values[-1] / values[0]
        measure = f"{label}: {largest:,} / {smallest:,} rows"
        bench.add(GROWTH_SECTION, measure, f"{ratio:.2f}", target="<= 1.3", met=ratio <= 1.3)


async def _staff_cookie(bench: Bench, actor_id: int) -> str:
    """Log a staff account in through the form; return the session cookie to send."""
    email, password = "bench@hub.example", "a long benchmark password"
    await create_account(bench.ctx, email, password, grant_actor_ids=(actor_id,))
    async with httpx.AsyncClient(base_url=f"http://{bench.hub.authority}") as client:
        response = await log_in(client, email, password)
        if response.status_code != 303:
            raise RuntimeError(f"logging in answered {response.status_code}")
        return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


async def _middle_activity_id(bench: Bench, actor_id: int) -> int:
    value = await bench.scalar(
        "SELECT (min(id) + max(id)) / 2 FROM outgoing_activities WHERE actor_id = :actor",
        actor=actor_id,
    )
    return int(str(value))
