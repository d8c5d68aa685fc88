"""A fake internet: in-process Hub apps reachable by host name, with switchable outages."""

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from starlette.applications import Starlette
from starlette.types import ASGIApp

from hub.clock import ManualClock
from hub.context import HubContext
from hub.federation.worker import Worker
from hub.services.actors import ensure_instance_actor
from hub.web.app import create_app
from tests.support.keys import KeyPool
from tests.support.settings import make_settings

# A global unicast address (example.com's); tests only name it, nothing connects to it.
PUBLIC_TEST_ADDRESS = "93.184.216.34"


class FakeInternet(httpx.AsyncBaseTransport):
    """Route requests to in-process ASGI apps by host; unknown or offline hosts refuse."""

    def __init__(self) -> None:
        self._apps: dict[str, httpx.ASGITransport] = {}
        self.offline: set[str] = set()
        self.requests: list[httpx.Request] = []

    def attach(self, host: str, app: ASGIApp) -> None:
        """Make `app` answer for `host`."""
        self._apps[host] = httpx.ASGITransport(app=app, client=(PUBLIC_TEST_ADDRESS, 443))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        host = request.url.host
        if host in self.offline or host not in self._apps:
            raise httpx.ConnectError(f"no route to {host}", request=request)
        return await self._apps[host].handle_async_request(request)


async def resolve_to_public_address(_host: str) -> list[str]:
    """Resolve every test host to one public address, so SSRF rules treat them as remote."""
    return [PUBLIC_TEST_ADDRESS]


@dataclass
class Network:
    """Hubs on a fake internet, sharing one clock."""

    internet: FakeInternet
    clock: ManualClock
    apps: dict[str, Starlette] = field(default_factory=dict)

    def hub(self, host: str) -> HubContext:
        """Return the HubContext of the Hub at `host`."""
        ctx: HubContext = self.apps[host].state.hub
        return ctx

    def worker(self, host: str) -> Worker:
        """Return the manually driven worker of the Hub at `host`."""
        worker: Worker = self.apps[host].state.worker
        return worker

    async def settle(self, max_passes: int = 20) -> None:
        """Drain every Hub's queues until a whole pass over all of them does nothing."""
        for _ in range(max_passes):
            done = 0
            for host in self.apps:
                if host not in self.internet.offline:
                    done += await self.worker(host).drain()
            if done == 0:
                return
        raise AssertionError(f"the network did not settle in {max_passes} passes")


@contextlib.asynccontextmanager
async def hub_network(
    hosts: list[str], database_urls: list[str], folder: Path, key_pool: KeyPool
) -> AsyncIterator[Network]:
    """Start one Hub per host, each on its own database, all on one fake internet."""
    network = Network(internet=FakeInternet(), clock=ManualClock())
    async with contextlib.AsyncExitStack() as stack:
        for host, database_url in zip(hosts, database_urls, strict=True):
            settings = make_settings(
                database_url,
                folder / host,
                base_url=f"https://{host}",
                allow_private_addresses="false",
            )
            app = create_app(
                settings,
                transport=network.internet,
                clock=network.clock,
                generate_keys=key_pool,
                resolve_host=resolve_to_public_address,
            )
            await stack.enter_async_context(app.router.lifespan_context(app))
            await ensure_instance_actor(app.state.hub)
            network.internet.attach(host, app)
            network.apps[host] = app
        yield network
