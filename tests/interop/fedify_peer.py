"""Start and drive the Fedify peer (tests/interop/fedify/peer.mjs) from pytest."""

import json
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.e2e.servers import free_port

PEER_DIR = Path(__file__).parent / "fedify"
STARTUP_SECONDS = 60.0
WAIT_SECONDS = 90.0
COMMAND_SECONDS = 60.0

Delivery = dict[str, Any]


def fedify_version() -> str:
    """Return the installed @fedify/fedify version (the one package.json pins)."""
    package = PEER_DIR / "node_modules" / "@fedify" / "fedify" / "package.json"
    return str(json.loads(package.read_text())["version"])


@dataclass
class FedifyPeer:
    """One peer process on a loopback port, with its log file."""

    log_path: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    # One client for the whole run: a new one per request would load the CA bundle each time.
    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=COMMAND_SECONDS))

    @property
    def origin(self) -> str:
        """Return the peer's origin (plain http: Fedify's handle lookups assume https)."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start `node peer.mjs` and wait until its control API answers."""
        node = shutil.which("node")
        if node is None:
            raise AssertionError("Node.js is needed for the Fedify interop tests")
        if not (PEER_DIR / "node_modules" / "@fedify" / "fedify").is_dir():
            raise AssertionError(
                f"the Fedify peer is not installed: run `make test` or `npm ci` in {PEER_DIR}"
            )
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [node, "peer.mjs", "--port", str(self.port)],
                cwd=PEER_DIR,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the Fedify peer exited early:\n{self.log_tail()}")
            try:
                health = self.http.get(f"{self.origin}/_control/health", timeout=1.0)
                if health.status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise AssertionError(f"the Fedify peer did not answer within {STARTUP_SECONDS} s")

    def stop(self) -> None:
        """Stop the peer (SIGTERM, then kill) and close the client."""
        self.http.close()
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def log_tail(self) -> str:
        """Return the end of the peer's output, for failure messages."""
        if not self.log_path.exists():
            return ""
        return self.log_path.read_text(errors="replace")[-4000:]

    def command(self, command: str, **arguments: str) -> dict[str, Any]:
        """Run one control command (follow, post, like, lookup…) and return its result."""
        response = self.http.post(f"{self.origin}/_control/{command}", json=arguments)
        if response.status_code != 200:
            raise AssertionError(f"peer command {command} failed: {response.text[:4000]}")
        result: dict[str, Any] = response.json()
        return result

    def new_actor(self, name: str) -> str:
        """Create a peer actor and return its id."""
        return str(self.command("actors", name=name)["id"])

    def received(self) -> list[Delivery]:
        """Return every delivery the peer recorded, oldest first."""
        deliveries: list[Delivery] = self.command("received")["deliveries"]
        return deliveries

    def wait_for_delivery(self, matches: Callable[[Delivery], bool], what: str) -> Delivery:
        """Wait (bounded) for a delivery the predicate accepts; deliveries cross processes."""
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            found = [delivery for delivery in self.received() if matches(delivery)]
            if found:
                return found[-1]
            time.sleep(0.25)
        raise AssertionError(f"timed out waiting for {what}; peer log:\n{self.log_tail()}")


def wait_until(check: Callable[[], bool], what: str) -> None:
    """Wait (bounded) until `check()` holds."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")
