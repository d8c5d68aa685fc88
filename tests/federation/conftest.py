"""One Hub whose HTTP client talks to a scripted fake remote server."""

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from hub.clock import ManualClock
from hub.context import HubContext
from hub.federation.worker import Worker
from hub.services.actors import ensure_instance_actor
from hub.web.app import create_app
from tests.interop.conftest import world  # noqa: F401 - a Hub and a fake Mastodon, shared
from tests.support.keys import KeyPool
from tests.support.network import PUBLIC_TEST_ADDRESS
from tests.support.settings import make_settings

Responder = Callable[[httpx.Request], httpx.Response]


@dataclass
class FakeRemote:
    """Answers requests from a script of routes; records every request it gets."""

    routes: dict[tuple[str, str], Responder | httpx.Response] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)
    addresses: dict[str, list[str]] = field(default_factory=dict)

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one request from the routes, or 404."""
        self.requests.append(request)
        answer = self.routes.get((request.method, str(request.url)))
        if answer is None:
            return httpx.Response(404, json={"error": "not found"})
        return answer if isinstance(answer, httpx.Response) else answer(request)

    async def resolve(self, host: str) -> list[str]:
        """Resolve test hosts: public unless the test says otherwise."""
        return self.addresses.get(host, [PUBLIC_TEST_ADDRESS])


@dataclass
class OneHub:
    """A Hub at https://hub.test, its fake remote, clock and manually driven worker."""

    ctx: HubContext
    remote: FakeRemote
    clock: ManualClock
    worker: Worker


@pytest.fixture
async def one_hub(database_url: str, tmp_path: Path, key_pool: KeyPool) -> AsyncIterator[OneHub]:
    """A Hub that refuses private addresses and reaches only the fake remote."""
    remote = FakeRemote()
    clock = ManualClock()
    settings = make_settings(database_url, tmp_path / "data", allow_private_addresses="false")
    app = create_app(
        settings,
        transport=httpx.MockTransport(remote.handle),
        clock=clock,
        generate_keys=key_pool,
        resolve_host=remote.resolve,
    )
    async with app.router.lifespan_context(app):
        await ensure_instance_actor(app.state.hub)
        yield OneHub(ctx=app.state.hub, remote=remote, clock=clock, worker=app.state.worker)
