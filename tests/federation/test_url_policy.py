"""The fetcher refuses private, loopback and special addresses unless told otherwise (SSRF)."""

import httpx
import pytest

from hub.federation.errors import UnsafeUrl
from hub.federation.fetcher import fetch_json
from hub.federation.url_policy import check_url
from tests.federation.conftest import OneHub

HOSTILE_URLS = [
    "http://127.0.0.1/",
    "http://127.1.2.3:8080/actor",
    "http://localhost/",
    "http://[::1]/",
    "http://10.0.0.1/",
    "http://172.16.5.4/",
    "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fe80::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:10.0.0.1]/",
    "http://0.0.0.0/",
    "http://[::]/",
    "http://2130706433/",
    "http://0x7f000001/",
    "http://017700000001/",
    "http://0x7f.1/",
    "http://100.64.0.1/",
    "http://224.0.0.1/",
    "http://[fc00::1]/",
    "ftp://remote.test/",
    "file:///etc/passwd",
    "gopher://remote.test/",
    "http://user:secret@remote.test/",
    "http:///no-host",
]

NAMES_RESOLVING_TO = {
    "loopback.test": ["127.0.0.1"],
    "private.test": ["10.1.2.3"],
    "metadata.test": ["169.254.169.254"],
    "v6-loopback.test": ["::1"],
    "mixed.test": ["93.184.216.34", "192.168.0.7"],
    "unresolvable.test": [],
}


@pytest.mark.parametrize("url", HOSTILE_URLS)
async def test_hostile_urls_are_refused(one_hub: OneHub, url: str) -> None:
    with pytest.raises(UnsafeUrl):
        await check_url(one_hub.ctx, url)


@pytest.mark.parametrize("host", sorted(NAMES_RESOLVING_TO))
async def test_names_resolving_to_private_addresses_are_refused(one_hub: OneHub, host: str) -> None:
    one_hub.remote.addresses.update(NAMES_RESOLVING_TO)
    with pytest.raises(UnsafeUrl):
        await check_url(one_hub.ctx, f"https://{host}/users/alice")


async def test_public_name_is_allowed(one_hub: OneHub) -> None:
    await check_url(one_hub.ctx, "https://remote.test/users/alice")


async def test_redirect_to_a_private_address_is_refused(one_hub: OneHub) -> None:
    one_hub.remote.routes[("GET", "https://remote.test/users/alice")] = httpx.Response(
        302, headers={"Location": "http://169.254.169.254/latest/meta-data/"}
    )
    with pytest.raises(UnsafeUrl):
        await fetch_json(one_hub.ctx, "https://remote.test/users/alice")
    assert [str(request.url) for request in one_hub.remote.requests] == [
        "https://remote.test/users/alice"
    ]


async def test_private_addresses_are_allowed_when_configured(one_hub: OneHub) -> None:
    settings = one_hub.ctx.settings
    one_hub.ctx.settings = type(settings)(**{**settings.__dict__, "allow_private_addresses": True})
    await check_url(one_hub.ctx, "http://127.0.0.1:8000/users/org")
    await check_url(one_hub.ctx, "http://[::1]/")
