"""Malformed requests to every route get a short 4xx reason, never a 500."""

import httpx
import pytest

from hub.context import HubContext
from hub.services.actors import create_actor

AP = "application/activity+json"

MALFORMED_REQUESTS = [
    ("GET", "/.well-known/webfinger", None, 400),
    ("GET", "/.well-known/webfinger?resource=" + "a" * 5000, None, 400),
    ("GET", "/.well-known/webfinger?resource=acct:%00@hub.test", None, 400),
    ("GET", "/.well-known/webfinger?resource=acct:org@hub.test@evil.test", None, 400),
    ("GET", "/.well-known/webfinger?resource=http://", None, 400),
    ("GET", "/.well-known/webfinger?resource=acct:ghost@hub.test", None, 404),
    ("POST", "/.well-known/webfinger?resource=acct:org@hub.test", None, 405),
    ("DELETE", "/.well-known/host-meta", None, 405),
    ("PUT", "/.well-known/nodeinfo", None, 405),
    ("GET", "/nodeinfo/9.9", None, 404),
    ("GET", "/nodeinfo/", None, 404),
    ("GET", "/users/ghost", AP, 404),
    ("GET", "/users/ghost", "text/html", 404),
    ("GET", "/users/GHOST%00", AP, 404),
    ("GET", "/users/" + "x" * 3000, AP, 404),
    ("GET", "/@ghost", None, 404),
    ("GET", "/users/org", "image/png", 406),
    ("GET", "/users/org", ";;;,,,", 406),
    ("GET", "/users/org", "application/activity+json;q=0", 406),
    ("GET", "/users/org", "x" * 5000, 406),
    ("GET", "/@org", "application/pdf", 406),
    ("GET", "/actor", "image/png", 406),
    ("POST", "/users/org", AP, 405),
    ("DELETE", "/users/org", AP, 405),
    ("PATCH", "/actor", AP, 405),
    ("GET", "/users/org/nonsense", AP, 404),
    ("GET", "/users/ghost/followers", AP, 404),
    ("GET", "/users/org/followers?before=abc", AP, 400),
    ("GET", "/users/org/followers?before=-1", AP, 400),
    ("GET", "/users/org/outbox?before=99999999999999999999999", AP, 400),
    ("GET", "/users/org/outbox", "image/png", 406),
    ("POST", "/users/org/followers", AP, 405),
    ("GET", "/no/such/page", None, 404),
    ("GET", "/static/../pyproject.toml", None, 404),
    ("GET", "/static/missing.css", None, 404),
    ("POST", "/", None, 405),
]


@pytest.mark.parametrize(
    ("method", "path", "accept", "status"),
    MALFORMED_REQUESTS,
    ids=[
        f"{method}-{path[:40]}-{accept or 'none'}"[:80]
        for method, path, accept, _ in MALFORMED_REQUESTS
    ],
)
async def test_malformed_request_gets_a_short_4xx(
    client: httpx.AsyncClient,
    ctx: HubContext,
    method: str,
    path: str,
    accept: str | None,
    status: int,
) -> None:
    await create_actor(ctx, "org")
    headers = {"Accept": accept} if accept is not None else {}
    response = await client.request(method, path, headers=headers)
    assert response.status_code == status
    assert len(response.content) < 4096
    if response.headers.get("content-type", "").startswith("application/json"):
        assert response.json()["error"]
