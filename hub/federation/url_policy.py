"""Refuse to fetch from private, loopback and other special addresses (SSRF guard)."""

import ipaddress
import socket
from urllib.parse import urlsplit

from hub.context import HubContext
from hub.federation.errors import UnsafeUrl

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
CGNAT = ipaddress.ip_network("100.64.0.0/10")


def literal_address(host: str) -> IPAddress | None:
    """Return the address a host literal denotes, in any form a resolver accepts.

    `2130706433`, `0x7f.1` and `017700000001` all mean 127.0.0.1 to `inet_aton`, which is
    what the system resolver would make of them.
    """
    name = host.strip("[]")
    try:
        return ipaddress.ip_address(name)
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(name))
    except OSError:
        return None


def is_forbidden_address(address: IPAddress) -> bool:
    """Return whether an address is anything but a public unicast one."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return is_forbidden_address(address.ipv4_mapped)
    if isinstance(address, ipaddress.IPv4Address) and address in CGNAT:
        return True
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_unspecified
        or address.is_reserved
        or not address.is_global
    )


async def check_url(ctx: HubContext, url: str) -> None:
    """Raise UnsafeUrl unless `url` is http(s), has no credentials, and reaches public hosts.

    The host is resolved, and every address it resolves to must be public, unless the Hub
    allows private addresses (development, tests, or a Hub on a private network).
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise UnsafeUrl(url, "only http and https URLs are fetched")
    if parts.username is not None or parts.password is not None:
        raise UnsafeUrl(url, "URLs with credentials are not fetched")
    host = parts.hostname
    if not host:
        raise UnsafeUrl(url, "the URL has no host")
    if ctx.settings.allow_private_addresses:
        return
    if host == "localhost" or host.endswith(".localhost"):
        raise UnsafeUrl(url, "localhost is not fetched")
    literal = literal_address(host)
    if literal is not None:
        addresses = [literal]
    else:
        try:
            resolved = await ctx.resolve_host(host)
        except OSError:
            raise UnsafeUrl(url, f"{host} does not resolve") from None
        addresses = [address for raw in resolved if (address := literal_address(raw)) is not None]
        if not addresses:
            raise UnsafeUrl(url, f"{host} does not resolve")
    for address in addresses:
        if is_forbidden_address(address):
            raise UnsafeUrl(url, f"{host} resolves to a non-public address")
