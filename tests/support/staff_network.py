"""Staff pages of one Hub of a fake-internet network, through a cookie-keeping client."""

import contextlib
from collections.abc import AsyncIterator

import httpx

from hub.context import HubContext
from tests.support.network import Network
from tests.support.staff import log_in, make_account


@contextlib.asynccontextmanager
async def staff_client(
    network: Network, host: str, *, actors: tuple[str, ...] = ("org",), is_admin: bool = False
) -> AsyncIterator[httpx.AsyncClient]:
    """Yield a client of the Hub at `host`, logged in as staff who may act as `actors`."""
    ctx: HubContext = network.hub(host)
    await make_account(ctx, actors=actors, is_admin=is_admin)
    transport = httpx.ASGITransport(app=network.apps[host])
    async with httpx.AsyncClient(
        transport=transport, base_url=f"https://{host}", headers={"Accept": "text/html"}
    ) as client:
        response = await log_in(client)
        assert response.status_code == 303, response.text
        yield client
