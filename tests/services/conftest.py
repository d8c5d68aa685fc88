"""Service tests run one Hub whose clock moves only when a test moves it."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from starlette.applications import Starlette

from hub.clock import ManualClock
from hub.web.app import create_app
from tests.support.keys import KeyPool
from tests.support.settings import make_settings


@pytest.fixture
def clock() -> ManualClock:
    """The Hub's clock."""
    return ManualClock()


@pytest.fixture
async def app(
    database_url: str, tmp_path: Path, key_pool: KeyPool, clock: ManualClock
) -> AsyncIterator[Starlette]:
    """One Hub at https://hub.test on a manual clock, its lifespan entered."""
    settings = make_settings(database_url, tmp_path / "data")
    hub_app = create_app(settings, generate_keys=key_pool, clock=clock)
    async with hub_app.router.lifespan_context(hub_app):
        yield hub_app
