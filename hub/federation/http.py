"""The one shared HTTP client of an app: timeouts, connection limits, User-Agent."""

import asyncio
import socket

import httpx

from hub import __version__
from hub.config import Settings

REQUEST_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
CONNECTION_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)


def user_agent(settings: Settings) -> str:
    """Return our User-Agent: software, version and a URL, as Mastodon's names itself."""
    return f"Hub/{__version__} (+{settings.base_url}/)"


def create_http_client(
    settings: Settings, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """Build the app's client; redirects are followed by hand so each hop is re-checked."""
    return httpx.AsyncClient(
        timeout=REQUEST_TIMEOUT,
        limits=CONNECTION_LIMITS,
        follow_redirects=False,
        headers={"User-Agent": user_agent(settings)},
        transport=transport,
    )


async def system_resolver(host: str) -> list[str]:
    """Resolve a host name to its IP addresses with the system resolver."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})
