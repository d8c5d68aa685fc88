"""Fixtures: every database test runs on SQLite and on a throwaway PostgreSQL cluster."""

import asyncio
import itertools
import os
import shutil
import socket
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from hub.context import HubContext
from hub.db import create_engine, migrate
from hub.web.app import create_app
from tests.support.keys import KeyPool
from tests.support.postgres import PostgresCluster, postgres_available, running_cluster
from tests.support.settings import make_settings

BACKENDS = ("sqlite", "postgresql")
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1", "ip6-localhost"})
_database_numbers = itertools.count(1)


# --- No test may reach beyond loopback -------------------------------------------------------

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo


def _is_loopback_address(address: Any) -> bool:
    if not isinstance(address, tuple):
        return True  # Unix sockets
    host = str(address[0])
    return host in LOOPBACK_NAMES or host.startswith("127.")


def _guarded_connect(self: socket.socket, address: Any) -> None:
    if not _is_loopback_address(address):
        raise ConnectionRefusedError(f"tests may not connect to {address!r}")
    _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> int:
    if not _is_loopback_address(address):
        raise ConnectionRefusedError(f"tests may not connect to {address!r}")
    return _real_connect_ex(self, address)


def _guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    name = host.decode() if isinstance(host, bytes) else host
    if name is not None and name not in LOOPBACK_NAMES and not str(name).startswith("127."):
        raise socket.gaierror(socket.EAI_NONAME, f"tests may not resolve {name!r}")
    return _real_getaddrinfo(host, *args, **kwargs)


@pytest.fixture(autouse=True, scope="session")
def loopback_only() -> Iterator[None]:
    """Make any connection or name lookup beyond loopback fail the test that tried it."""
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign,assignment]  # the guard itself
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign,assignment]  # the guard
    socket.getaddrinfo = _guarded_getaddrinfo
    yield
    socket.socket.connect = _real_connect  # type: ignore[method-assign]  # restore
    socket.socket.connect_ex = _real_connect_ex  # type: ignore[method-assign]  # restore
    socket.getaddrinfo = _real_getaddrinfo


# --- Databases -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def key_pool() -> KeyPool:
    """Real RSA keys, generated once per session."""
    return KeyPool()


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """Start one PostgreSQL cluster for the session, or skip (never in CI) without binaries."""
    if not postgres_available():
        message = "PostgreSQL server binaries (initdb, pg_ctl, postgres) are not on PATH"
        if os.environ.get("CI"):
            pytest.fail(message + "; CI must run the PostgreSQL leg")
        pytest.skip(message)
    with running_cluster() as cluster:
        yield cluster


async def _migrate_url(url: str) -> None:
    engine = create_engine(url)
    try:
        await migrate(engine)
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies."""
    path = tmp_path_factory.mktemp("template") / "hub.db"
    asyncio.run(_migrate_url(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def postgres_template(postgres_cluster: PostgresCluster) -> PostgresCluster:
    """A migrated `hub_template` database that each test clones."""
    postgres_cluster.execute("CREATE DATABASE hub_template")
    asyncio.run(_migrate_url(postgres_cluster.url("hub_template")))
    return postgres_cluster


def new_database_url(request: pytest.FixtureRequest, backend: str, folder: Path) -> str:
    """Return the URL of a fresh, migrated database of the given backend."""
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = folder / f"hub-{next(_database_numbers)}.db"
        shutil.copyfile(template, path)
        return f"sqlite+aiosqlite:///{path}"
    cluster: PostgresCluster = request.getfixturevalue("postgres_template")
    name = f"test_{os.getpid()}_{next(_database_numbers)}"
    cluster.execute(f"CREATE DATABASE {name} TEMPLATE hub_template")
    return cluster.url(name)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database backend this test runs on."""
    name: str = request.param
    return name


def drop_database(request: pytest.FixtureRequest, url: str) -> None:
    """Drop a PostgreSQL test database, so the throwaway cluster stays small (SQLite: no-op)."""
    if not url.startswith("postgresql"):
        return
    cluster: PostgresCluster = request.getfixturevalue("postgres_template")
    name = url.rsplit("/", 1)[1]
    cluster.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def database_url(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> Iterator[str]:
    """A fresh migrated database on this test's backend, dropped afterwards."""
    url = new_database_url(request, backend, tmp_path)
    yield url
    drop_database(request, url)


@pytest.fixture
async def app(database_url: str, tmp_path: Path, key_pool: KeyPool) -> AsyncIterator[Starlette]:
    """One Hub at https://hub.test, its lifespan entered."""
    settings = make_settings(database_url, tmp_path / "data")
    hub_app = create_app(settings, generate_keys=key_pool)
    async with hub_app.router.lifespan_context(hub_app):
        yield hub_app


@pytest.fixture
def ctx(app: Starlette) -> HubContext:
    """The HubContext of the `app` fixture."""
    context: HubContext = app.state.hub
    return context


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the `app` fixture in process."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://hub.test") as http:
        yield http


# --- Reporting: how many tests ran on each database ------------------------------------------


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Keep tests that start processes (servers, browsers, the Fedify peer) on one xdist worker.

    They share module-scoped servers and are the ones a busy machine slows past their
    timeouts; the other worker meanwhile runs the in-process tests.
    """
    for item in items:
        if item.get_closest_marker("e2e") is not None:
            item.add_marker(pytest.mark.xdist_group("processes"))


def _backend_of(nodeid: str) -> str | None:
    """Return the database backend a test id names in its parameters, if any."""
    if not nodeid.endswith("]") or "[" not in nodeid:
        return None
    parameters = nodeid[nodeid.index("[") + 1 : -1].split("-")
    return next((name for name in BACKENDS if name in parameters), None)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print how many database tests passed, failed or skipped on each backend."""
    counts: Counter[tuple[str, str]] = Counter()
    for outcome in ("passed", "failed", "skipped", "error"):
        for report in terminalreporter.stats.get(outcome, []):
            backend_name = _backend_of(getattr(report, "nodeid", ""))
            if backend_name is not None and getattr(report, "when", "call") in ("call", "setup"):
                if outcome == "passed" and report.when != "call":
                    continue
                counts[(backend_name, outcome)] += 1
    if not counts:
        return
    terminalreporter.section("database backends")
    for backend_name in BACKENDS:
        line = ", ".join(
            f"{counts[(backend_name, outcome)]} {outcome}"
            for outcome in ("passed", "failed", "skipped", "error")
            if counts[(backend_name, outcome)]
        )
        terminalreporter.write_line(f"{backend_name}: {line or 'none ran'}")
