"""Run the benchmarks on SQLite and PostgreSQL and write the results table.

    python -m benchmarks [--quick | --full] [--backend sqlite|postgresql|both] [--only SCENARIO ...]

Without --quick or --full the run is `make bench`'s standard scale (see `Scale.standard`).

The Hub runs as a real `hub serve` process pinned to one core; this process (the load
generator and the played remote servers) is pinned to the other.
"""

import argparse
import asyncio
import contextlib
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Collection, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import fanout, inbox, pages, scaleout
from benchmarks.bench import Bench, KeyPool, Scale, load_average
from benchmarks.hubproc import HubServer, free_port, pin
from benchmarks.peers import Fediverse
from benchmarks.report import Results
from tests.support.postgres import PostgresCluster, postgres_available, running_cluster

Scenario = Callable[[Bench], Awaitable[None]]
SCENARIOS: dict[str, Scenario] = {
    "read": pages.read_path,
    "inbox": inbox.known_actor_notes,
    "first-contact": inbox.first_contact,
    "fanout": fanout.all_fanouts,
    "growth": pages.growth,
}
DEFAULT_OUTPUT = Path(__file__).parent / "results" / "latest.md"


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    scale = parser.add_mutually_exclusive_group()
    scale.add_argument("--quick", action="store_true", help="small counts, for development")
    scale.add_argument("--full", action="store_true", help="every count as the targets state them")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument(
        "--only", nargs="+", choices=[*SCENARIOS, "scaleout"], help="run only these scenarios"
    )
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--no-pin", action="store_true", help="do not pin processes to cores")
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="FOLDER",
        help="record each scenario's hub serve with py-spy (raw stacks) into FOLDER",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the Hubs' folders (logs, SQLite files)"
    )
    return parser.parse_args(argv)


def cores() -> tuple[set[int] | None, set[int] | None]:
    """Return (server cores, load cores): one each when there are at least two."""
    available = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    if len(available) < 2:
        return None, None
    return {available[-1]}, set(available[:-1])


def machine_description() -> str:
    """Return CPU model, core count and memory, from lscpu and /proc/meminfo."""
    model = platform.processor() or platform.machine()
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        for line in subprocess.run(
            ["lscpu"], capture_output=True, text=True, check=False, timeout=10
        ).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    memory = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f", {int(line.split()[1]) / 1024 / 1024:.0f} GiB memory"
    return f"{model}, {os.cpu_count()} cores{memory}"


@contextlib.contextmanager
def postgres(
    server_cores: Collection[int] | None, load_cores: Collection[int] | None
) -> Iterator[PostgresCluster]:
    """Start a throwaway cluster whose processes run on the server's cores."""
    pin(server_cores)
    try:
        cluster_context = running_cluster()
        cluster = cluster_context.__enter__()
    finally:
        pin(load_cores)
    try:
        yield cluster
    finally:
        cluster_context.__exit__(None, None, None)


@contextlib.contextmanager
def profiled(hub: HubServer, folder: Path | None, name: str) -> Iterator[None]:
    """Sample `hub serve` with py-spy for the duration of the block, when asked to."""
    if folder is None or hub.serve is None:
        yield
        return
    folder.mkdir(parents=True, exist_ok=True)
    output = folder / f"{name}.txt"
    spy = subprocess.Popen(
        [str(Path(sys.executable).parent / "py-spy"), "record", "--pid", str(hub.serve.pid),
         "--format", "raw", "--output", str(output), "--rate", "200"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        yield
    finally:
        spy.send_signal(signal.SIGINT)
        spy.wait(timeout=60)
        print(f"  profile written to {output}")


def unpin_cluster(cluster: PostgresCluster) -> None:
    """Let the cluster's server (and the backends it starts from now on) use every core."""
    if not hasattr(os, "sched_setaffinity"):
        return
    with contextlib.suppress(OSError, ValueError):
        postmaster = int((cluster.data / "postmaster.pid").read_text().split()[0])
        every_core = set(range(os.cpu_count() or 1))
        for pid in [postmaster, *descendants(postmaster)]:
            with contextlib.suppress(OSError):
                os.sched_setaffinity(pid, every_core)


def descendants(pid: int) -> list[int]:
    """Return the ids of a process's children and their children."""
    found = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                found += [int(child), *descendants(int(child))]
    return found


async def run_backend(
    backend: str,
    database_url: str,
    folder: Path,
    *,
    scale: Scale,
    results: Results,
    keys: KeyPool,
    scenarios: Sequence[str],
    server_cores: Collection[int] | None,
    load_cores: Collection[int] | None,
    hub_port: int,
    peer_port: int,
    profile_folder: Path | None,
) -> None:
    """Run the chosen scenarios against one Hub on one database."""
    hub = HubServer(folder, database_url, cores=server_cores, port=hub_port)
    hub.init()
    fediverse = Fediverse(peer_port, ("127.0.0.1", hub.port))
    await hub.start()
    bench = Bench(backend, hub, fediverse, scale, results, keys, load_cores, server_cores)
    try:
        await asyncio.sleep(2)
        results.add("Memory", "RSS of hub serve, idle", backend, f"{hub.rss_mib():.0f} MiB",
                    target="<= 120 MiB", met=hub.rss_mib() <= 120)  # fmt: skip
        for name in scenarios:
            started = time.perf_counter()
            print(f"[{backend}] {name} (load {load_average()})")
            with profiled(hub, profile_folder, f"{backend.lower()}-{name}"):
                await SCENARIOS[name](bench)
            print(f"[{backend}] {name} took {time.perf_counter() - started:.0f} s")
        rss = hub.rss_mib()
        end = "RSS of hub serve, end of the run"
        results.add("Memory", end, backend, f"{rss:.0f} MiB", target="<= 250 MiB", met=rss <= 250)
    finally:
        hub.stop()
        await fediverse.close()
        await bench.close()


async def run(arguments: argparse.Namespace) -> Results:
    """Run everything asked for and return the results."""
    server_cores, load_cores = (None, None) if arguments.no_pin else cores()
    pin(load_cores)
    scale = Scale.quick() if arguments.quick else Scale() if arguments.full else Scale.standard()
    results = Results()
    keys = KeyPool()
    scenarios = [name for name in SCENARIOS if not arguments.only or name in arguments.only]
    backends = ["sqlite", "postgresql"] if arguments.backend == "both" else [arguments.backend]
    if "postgresql" in backends and not postgres_available():
        results.notes.append("PostgreSQL was not measured: initdb/pg_ctl are not on PATH.")
        backends.remove("postgresql")
    hub_port, peer_port = free_port(), free_port()
    with contextlib.ExitStack() as cleanup:
        folder = Path(tempfile.mkdtemp(prefix="hub-bench-"))
        if arguments.keep:
            print(f"keeping {folder}")
        else:
            cleanup.callback(shutil.rmtree, folder, True)
        common = {
            "scale": scale, "results": results, "keys": keys, "scenarios": scenarios,
            "server_cores": server_cores, "load_cores": load_cores, "hub_port": hub_port,
            "peer_port": peer_port, "profile_folder": arguments.profile,
        }  # fmt: skip
        if "sqlite" in backends and scenarios:
            url = f"sqlite+aiosqlite:///{folder / 'sqlite' / 'hub.db'}"
            await run_backend("SQLite", url, folder / "sqlite", **common)
        if "postgresql" in backends:
            with postgres(server_cores, load_cores) as cluster:
                if scenarios:
                    await asyncio.to_thread(cluster.execute, "CREATE DATABASE bench")
                    await run_backend(
                        "PostgreSQL",
                        cluster.url("bench"),
                        folder / "postgresql",
                        **common,
                    )
                if not arguments.only or "scaleout" in arguments.only:
                    # Scale-out spreads over every core, the database's processes too.
                    unpin_cluster(cluster)
                    await asyncio.to_thread(cluster.execute, "CREATE DATABASE scaleout")
                    await scaleout.run(
                        cluster.url("scaleout"), folder / "scaleout", scale=scale,
                        results=results, keys=keys, peer_port=free_port(), hub_port=hub_port,
                    )  # fmt: skip
    return results


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmarks, print the table and write it to the output file."""
    arguments = parse_arguments(argv)
    started = time.perf_counter()
    started_at = datetime.now(UTC)
    load_before = load_average()
    results = asyncio.run(run(arguments))
    scale = "quick" if arguments.quick else "full" if arguments.full else "standard"
    command = "make bench" + ("" if scale == "standard" else f" BENCH_ARGS=--{scale}")
    header = [
        f"## Benchmark results ({scale} scale)",
        "",
        f"- date: {started_at:%Y-%m-%d %H:%M} UTC; took {time.perf_counter() - started:.0f} s",
        f"- machine: {machine_description()}",
        f"- command: `{command}` (`{' '.join(sys.argv)}`)",
        f"- load average (1 min) before: {load_before}, after: {load_average()}",
        "- medians over repeated runs; ✓/✗: target met or missed on this machine",
    ]
    text = results.markdown(header)
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    arguments.output.write_text(text, encoding="utf-8")
    print(text)
    print(f"written to {arguments.output}")
    return 0
