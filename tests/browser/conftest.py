"""Fixtures for browser tests: Debian's Chromium driven by Playwright, and a served Hub."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, sync_playwright

from tests.e2e.servers import HubProcess

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Screenshots are kept for people to look at after a run (git ignores this folder).
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@dataclass
class ServedHub:
    """A Hub served by a real `hub serve` process, with its first admin's credentials."""

    process: HubProcess
    admin_email: str
    one_time_password: str

    @property
    def base_url(self) -> str:
        """Return the Hub's base URL."""
        return self.process.base_url


@pytest.fixture
def served_hub(tmp_path: Path, database_url: str) -> Iterator[ServedHub]:
    """`hub init` then `hub serve` on a loopback port, on this test's database."""
    process = HubProcess(folder=tmp_path / "hub", database_url=database_url)
    printed = process.init(actor="org")
    email = re.search(r"admin account: (\S+)", printed)
    password = re.search(r"one-time password[^:]*: (\S+)", printed)
    assert email is not None, printed
    assert password is not None, printed
    process.start()
    try:
        yield ServedHub(process, email.group(1), password.group(1))
    finally:
        process.stop()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[BrowserContext]:
    """A fresh Chromium profile; never a downloaded browser."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs it (apt-get install chromium)")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(30_000)
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def artifacts() -> Path:
    """The folder screenshots go to."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
