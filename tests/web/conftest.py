"""Fixtures for staff pages: a Hub with a manual clock and an organisation actor."""

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from hub.clock import ManualClock
from hub.context import HubContext
from hub.services.actors import create_actor
from hub.web.app import create_app
from tests.interop.conftest import world  # noqa: F401 - a Hub and a fake Mastodon, shared
from tests.support.keys import KeyPool
from tests.support.settings import make_settings


@pytest.fixture
def clock() -> ManualClock:
    """The staff Hub's clock; tests move it to expire sessions and rate-limit windows."""
    return ManualClock()


@pytest.fixture
async def staff_app(
    database_url: str, tmp_path: Path, key_pool: KeyPool, clock: ManualClock
) -> AsyncIterator[Starlette]:
    """A Hub at https://hub.test with the actor `org`, its lifespan entered."""
    settings = make_settings(database_url, tmp_path / "data")
    hub_app = create_app(settings, generate_keys=key_pool, clock=clock)
    async with hub_app.router.lifespan_context(hub_app):
        await create_actor(hub_app.state.hub, "org", display_name="The Organisation")
        yield hub_app


@pytest.fixture
def staff_ctx(staff_app: Starlette) -> HubContext:
    """The HubContext of `staff_app`."""
    context: HubContext = staff_app.state.hub
    return context


@pytest.fixture
async def browser_like(staff_app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """A client that keeps cookies and asks for HTML, as a browser does."""
    transport = httpx.ASGITransport(app=staff_app)
    async with httpx.AsyncClient(
        transport=transport, base_url="https://hub.test", headers={"Accept": "text/html"}
    ) as http:
        yield http
