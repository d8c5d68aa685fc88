"""The `network` fixture: three Hubs (alpha, beta, gamma) on one fake internet."""

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.conftest import drop_database, new_database_url
from tests.support.keys import KeyPool
from tests.support.network import Network, hub_network

HOSTS = ["alpha.test", "beta.test", "gamma.test"]


@pytest.fixture
def hub_database_urls(
    request: pytest.FixtureRequest, backend: str, tmp_path: Path
) -> Iterator[list[str]]:
    """One fresh database per Hub, on this test's backend (made outside the event loop)."""
    urls = [new_database_url(request, backend, tmp_path) for _ in HOSTS]
    yield urls
    for url in urls:
        drop_database(request, url)


@pytest.fixture
async def network(
    hub_database_urls: list[str], tmp_path: Path, key_pool: KeyPool
) -> AsyncIterator[Network]:
    """Three Hubs, each with its own database on this test's backend."""
    async with hub_network(HOSTS, hub_database_urls, tmp_path, key_pool) as joined:
        yield joined
