"""Run `hub` commands and processes for the benchmarks: init, serve, worker; pinned to cores."""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import http1

HUB = str(Path(sys.executable).parent / "hub")
STARTUP_SECONDS = 60.0


def free_port() -> int:
    """Return a loopback TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def pin(cores: Collection[int] | None) -> None:
    """Pin the calling process to `cores` (no-op when None or not supported)."""
    if cores and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, set(cores))


def rss_kib(pid: int) -> int:
    """Return the resident size of a process and all its descendants, in KiB."""
    total = 0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
        for task in Path(f"/proc/{pid}/task").iterdir():
            children = (task / "children").read_text().split()
            total += sum(rss_kib(int(child)) for child in children)
    except (FileNotFoundError, ProcessLookupError):
        pass
    return total


@dataclass
class HubServer:
    """One Hub under test: its folder, database, port and processes."""

    folder: Path
    database_url: str
    cores: Collection[int] | None
    port: int = field(default_factory=free_port)
    extra_environment: dict[str, str] = field(default_factory=dict)
    serve: subprocess.Popen[bytes] | None = None
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def authority(self) -> str:
        """Return host:port of the Hub."""
        return f"127.0.0.1:{self.port}"

    @property
    def config(self) -> Path:
        """Return the Hub's hub.toml."""
        return self.folder / "hub.toml"

    def environment(self) -> dict[str, str]:
        """Return the environment of the Hub's commands (quiet logs: logging costs time)."""
        return {
            **os.environ,
            "HUB_CONFIG": str(self.config),
            "HUB_LOG_LEVEL": "WARNING",
            **self.extra_environment,
        }

    def run(self, *arguments: str) -> str:
        """Run one `hub` command and return its output."""
        result = subprocess.run(
            [HUB, *arguments], env=self.environment(), capture_output=True, check=False,
            timeout=300,
        )  # fmt: skip
        if result.returncode != 0:
            raise RuntimeError(f"hub {' '.join(arguments)} failed: {result.stderr.decode()}")
        return result.stdout.decode()

    def init(self) -> None:
        """Create the Hub: config, database, organisation actor `org`."""
        self.folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                HUB, "init", "--data-dir", str(self.folder), "--base-url",
                f"http://{self.authority}", "--database-url", self.database_url,
            ],
            env={key: value for key, value in os.environ.items() if not key.startswith("HUB_")},
            capture_output=True, check=True, timeout=300,
        )  # fmt: skip

    def _spawn(self, arguments: list[str], log_name: str) -> subprocess.Popen[bytes]:
        cores = self.cores
        with (self.folder / log_name).open("ab") as log:
            return subprocess.Popen(
                [HUB, *arguments], env=self.environment(), stdout=log, stderr=subprocess.STDOUT,
                preexec_fn=(lambda: pin(cores)) if cores else None,
            )  # fmt: skip

    async def start(self, *serve_arguments: str) -> None:
        """Start `hub serve` and wait until it answers."""
        self.serve = self._spawn(["serve", "--port", str(self.port), *serve_arguments], "serve.log")
        deadline = time.monotonic() + STARTUP_SECONDS
        request = http1.build_request("GET", "/.well-known/nodeinfo", self.authority, {})
        while time.monotonic() < deadline:
            if self.serve.poll() is not None:
                raise RuntimeError(f"hub serve exited: {self.log_tail()}")
            try:
                status, _ = await http1.fetch("127.0.0.1", self.port, request)
            except OSError:
                await asyncio.sleep(0.1)
                continue
            if status == 200:
                return
        raise RuntimeError("hub serve did not answer in time")

    def start_worker(self) -> subprocess.Popen[bytes]:
        """Start one `hub worker` process."""
        process = self._spawn(["worker"], f"worker{len(self.workers)}.log")
        self.workers.append(process)
        return process

    def rss_mib(self) -> float:
        """Return the resident size of `hub serve` (all its processes) in MiB."""
        return 0.0 if self.serve is None else rss_kib(self.serve.pid) / 1024

    def stop_serving(self) -> None:
        """Stop `hub serve` only."""
        if self.serve is not None and self.serve.poll() is None:
            self.serve.send_signal(signal.SIGINT)
            try:
                self.serve.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.serve.kill()
                self.serve.wait()
        self.serve = None

    def stop(self) -> None:
        """Stop every process of this Hub."""
        for process in [*self.workers, *([self.serve] if self.serve else [])]:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in [*self.workers, *([self.serve] if self.serve else [])]:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.workers.clear()
        self.serve = None

    def log_tail(self) -> str:
        """Return the end of the serve log."""
        path = self.folder / "serve.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""
