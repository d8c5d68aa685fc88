"""Every outgoing GET is signed, capped, and follows at most three checked redirects."""

from datetime import timedelta

import httpx
import pytest
from sqlmodel import select

from hub.activitypub.signatures import Verified, parse_signature_header, verify_signature
from hub.federation.errors import (
    InvalidRemoteDocument,
    RemoteBusy,
    RemoteGone,
    RemoteNotFound,
    RemoteRefused,
    RemoteRejected,
    RemoteUnavailable,
    ResponseTooLarge,
)
from hub.federation.fetcher import fetch_json
from hub.models import ActorKey
from tests.federation.conftest import OneHub

URL = "https://remote.test/users/alice"
DOCUMENT = {"@context": "https://www.w3.org/ns/activitystreams", "id": URL, "type": "Person"}


async def test_fetch_is_signed_by_the_instance_actor(one_hub: OneHub) -> None:
    # checklist 45, 46
    one_hub.remote.routes[("GET", URL)] = httpx.Response(200, json=DOCUMENT)
    assert await fetch_json(one_hub.ctx, URL) == DOCUMENT
    request = one_hub.remote.requests[0]
    assert request.headers["accept"].startswith("application/activity+json")
    assert request.headers["user-agent"].startswith("Hub/")
    params = parse_signature_header(request.headers["signature"])
    assert params.key_id == "https://hub.test/actor#main-key"
    assert params.headers == ("(request-target)", "host", "date")
    async with one_hub.ctx.sessions() as session:
        pem = (
            await session.exec(
                select(ActorKey.public_key_pem).where(ActorKey.key_id == params.key_id)
            )
        ).one()
    verdict = verify_signature(
        params,
        method="GET",
        path="/users/alice",
        query="",
        headers={name: value for name, value in request.headers.items()},
        body=None,
        public_key_pem=pem,
        now=one_hub.clock(),
    )
    assert verdict == Verified(key_id=params.key_id)


async def test_three_redirects_are_followed_and_rechecked(one_hub: OneHub) -> None:
    for hop in range(3):
        one_hub.remote.routes[("GET", f"https://remote.test/{hop}")] = httpx.Response(
            301, headers={"Location": f"https://remote.test/{hop + 1}"}
        )
    one_hub.remote.routes[("GET", "https://remote.test/3")] = httpx.Response(200, json=DOCUMENT)
    assert await fetch_json(one_hub.ctx, "https://remote.test/0") == DOCUMENT
    assert all("signature" in request.headers for request in one_hub.remote.requests)


async def test_a_fourth_redirect_is_refused(one_hub: OneHub) -> None:
    for hop in range(4):
        one_hub.remote.routes[("GET", f"https://remote.test/{hop}")] = httpx.Response(
            302, headers={"Location": f"https://remote.test/{hop + 1}"}
        )
    with pytest.raises(RemoteRejected, match="redirects"):
        await fetch_json(one_hub.ctx, "https://remote.test/0")
    assert len(one_hub.remote.requests) == 4


@pytest.mark.parametrize(
    ("response", "error"),
    [
        (httpx.Response(410), RemoteGone),
        (httpx.Response(404), RemoteNotFound),
        (httpx.Response(401), RemoteRefused),
        (httpx.Response(403), RemoteRefused),
        (httpx.Response(400), RemoteRejected),
        (httpx.Response(500), RemoteUnavailable),
        (httpx.Response(200, content=b"<html>"), InvalidRemoteDocument),
        (httpx.Response(200, json=[1, 2]), InvalidRemoteDocument),
        (httpx.Response(200, content=b"[" * 5000 + b"]" * 5000), InvalidRemoteDocument),
        (httpx.Response(200, content=b"{" + b" " * (1024 * 1024 + 1) + b"}"), ResponseTooLarge),
    ],
    ids=["410", "404", "401", "403", "400", "500", "html", "array", "deep", "over-1-mib"],
)
async def test_bad_answers_become_typed_errors(
    one_hub: OneHub, response: httpx.Response, error: type[Exception]
) -> None:
    one_hub.remote.routes[("GET", URL)] = response
    with pytest.raises(error):
        await fetch_json(one_hub.ctx, URL)


async def test_busy_server_says_when_to_come_back(one_hub: OneHub) -> None:
    one_hub.remote.routes[("GET", URL)] = httpx.Response(429, headers={"Retry-After": "120"})
    with pytest.raises(RemoteBusy) as raised:
        await fetch_json(one_hub.ctx, URL)
    assert raised.value.retry_after_seconds == timedelta(seconds=120).total_seconds()


async def test_connection_failure_is_retryable(one_hub: OneHub) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    one_hub.remote.routes[("GET", URL)] = refuse
    with pytest.raises(RemoteUnavailable) as raised:
        await fetch_json(one_hub.ctx, URL)
    assert raised.value.retryable
