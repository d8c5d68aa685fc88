"""Start and stop real `hub` processes on loopback ports for end-to-end tests."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.conftest import drop_database, new_database_url

HUB = str(Path(sys.executable).parent / "hub")
STARTUP_SECONDS = 60.0


def free_port() -> int:
    """Return a loopback TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class HubProcess:
    """One Hub: its folder, config, port and (while running) its `hub serve` process."""

    folder: Path
    database_url: str
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        """Return the Hub's public URL (its loopback address and port)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def host(self) -> str:
        """Return host:port, the domain part of this Hub's handles."""
        return f"127.0.0.1:{self.port}"

    @property
    def config(self) -> Path:
        """Return the path of this Hub's hub.toml."""
        return self.folder / "hub.toml"

    def environment(self) -> dict[str, str]:
        """Return the environment its commands run with."""
        return {**os.environ, "HUB_CONFIG": str(self.config)}

    def hub(self, *arguments: str, stdin: str | None = None, configured: bool = True) -> str:
        """Run one `hub` command against this Hub and return its standard output."""
        environment = self.environment() if configured else dict(os.environ)
        result = subprocess.run(
            [HUB, *arguments],
            env=environment,
            input=stdin.encode() if stdin is not None else None,
            capture_output=True,
            check=False,
            timeout=120,
        )
        if result.returncode != 0:
            raise AssertionError(
                f"hub {' '.join(arguments)} exited {result.returncode}: {result.stderr.decode()}"
            )
        return result.stdout.decode()

    def init(self, actor: str = "org") -> str:
        """Run `hub init` for this Hub and return what it printed."""
        return self.hub(
            "init",
            "--data-dir", str(self.folder),
            "--base-url", self.base_url,
            "--database-url", self.database_url,
            "--actor", actor,
            configured=False,
        )  # fmt: skip

    def start(
        self, extra_environment: Mapping[str, str] | None = None, arguments: tuple[str, ...] = ()
    ) -> None:
        """Start `hub serve` (with extra `arguments`) and wait until it answers."""
        with (self.folder / "serve.log").open("ab") as log:
            # The child keeps its own copy of the descriptor; ours can close at once.
            self.process = subprocess.Popen(
                [HUB, "serve", "--port", str(self.port), *arguments],
                env={**self.environment(), **(extra_environment or {})},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.wait_until_ready()

    def wait_until_ready(self) -> None:
        """Wait (bounded) for the server to answer its NodeInfo discovery document."""
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(f"hub serve exited early:\n{self.log_tail()}")
            try:
                response = httpx.get(f"{self.base_url}/.well-known/nodeinfo", timeout=1.0)
            except httpx.TransportError:
                time.sleep(0.1)
                continue
            if response.status_code == 200:
                return
        raise AssertionError(f"hub serve did not answer within {STARTUP_SECONDS} s")

    def stop(self) -> None:
        """Stop the server gracefully (SIGINT), or kill it if it will not stop."""
        if self.process is None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def log_tail(self) -> str:
        """Return the end of the server's log, for failure messages."""
        path = self.folder / "serve.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""


@contextlib.contextmanager
def running_hubs(
    request: pytest.FixtureRequest, backend: str, folder: Path, names: tuple[str, ...]
) -> Iterator[list[HubProcess]]:
    """Initialise and serve one Hub (actor `org`) per name, each on its own fresh database."""
    started: list[HubProcess] = []
    try:
        for name in names:
            hub = HubProcess(
                folder=folder / name, database_url=new_database_url(request, backend, folder)
            )
            hub.init(actor="org")
            hub.start()
            started.append(hub)
        yield started
    finally:
        for hub in started:
            hub.stop()
            drop_database(request, hub.database_url)
