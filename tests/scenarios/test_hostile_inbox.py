"""Hostile requests to an inbox each get their 4xx and leave no trace (design: Receiving)."""

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import select

from hub.activitypub.keys import load_private_key
from hub.activitypub.message_signatures import compute_content_digest, sign_message
from hub.activitypub.signatures import sign_request
from hub.context import HubContext
from hub.models import ActorKey, InboxItem
from hub.services.actors import create_actor
from hub.services.moderation import block_domain
from tests.support.network import Network

INBOX = "https://alpha.test/users/org/inbox"
ALICE = "https://beta.test/users/alice"
MALLORY = "https://beta.test/users/mallory"


async def private_key_pem(ctx: HubContext, actor_id: str) -> str:
    """Return the private key of a local actor (the sender side of these tests)."""
    async with ctx.sessions() as session:
        statement = select(ActorKey.private_key_pem).where(
            ActorKey.key_id == f"{actor_id}#main-key"
        )
        pem = (await session.exec(statement)).one()
    assert pem is not None
    return pem


def follow_of_org(actor: str = ALICE, number: int = 1) -> dict[str, Any]:
    """Return a Follow of alpha's org, shaped as Mastodon sends it."""
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{actor}#follows/{number}",
        "type": "Follow",
        "actor": actor,
        "object": "https://alpha.test/users/org",
    }


async def signed_post(
    network: Network,
    body: bytes,
    *,
    signer: str = ALICE,
    now_offset: timedelta = timedelta(0),
    tamper: Callable[[dict[str, str]], None] | None = None,
    url: str = INBOX,
) -> httpx.Response:
    """POST `body` to alpha signed as a beta actor, optionally spoiling the headers."""
    beta = network.hub("beta.test")
    key = load_private_key(await private_key_pem(beta, signer))
    parts = urlsplit(url)
    headers = {"content-type": "application/activity+json"}
    headers.update(
        sign_request(
            method="POST",
            url_path_with_query=parts.path,
            host=parts.netloc,
            headers=headers,
            body=body,
            private_key=key,
            key_id=f"{signer}#main-key",
            now=network.clock() + now_offset,
        )
    )
    if tamper is not None:
        tamper(headers)
    async with httpx.AsyncClient(transport=network.internet) as http:
        return await http.post(url, content=body, headers=headers)


async def inbox_rows(network: Network) -> int:
    """Count the activities alpha has stored."""
    async with network.hub("alpha.test").sessions() as session:
        return (await session.exec(select(sa.func.count()).select_from(InboxItem))).one()


@pytest.fixture
async def actors(network: Network) -> None:
    """alpha has `org`; beta has `alice` and `mallory`."""
    await create_actor(network.hub("alpha.test"), "org")
    await create_actor(network.hub("beta.test"), "alice", actor_type="Person")
    await create_actor(network.hub("beta.test"), "mallory", actor_type="Person")


def encoded(document: Any) -> bytes:
    """Return compact JSON bytes."""
    return json.dumps(document).encode()


async def test_signed_follow_is_accepted_and_stored_once(network: Network, actors: None) -> None:
    body = encoded(follow_of_org())
    first = await signed_post(network, body)
    assert first.status_code == 202
    replay = await signed_post(network, body)
    assert replay.status_code == 202
    assert await inbox_rows(network) == 1


def _drop(name: str) -> Callable[[dict[str, str]], None]:
    def drop(headers: dict[str, str]) -> None:
        del headers[name]

    return drop


def _set(name: str, value: str) -> Callable[[dict[str, str]], None]:
    return lambda headers: headers.__setitem__(name, value)


def _spoil_signature(headers: dict[str, str]) -> None:
    headers["signature"] = headers["signature"].replace('signature="', 'signature="AAAA')


@pytest.mark.parametrize(
    ("tamper", "now_offset", "signer", "status"),
    [
        (_drop("signature"), timedelta(0), ALICE, 401),
        (_spoil_signature, timedelta(0), ALICE, 401),
        (
            _set("digest", "SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="),
            timedelta(0),
            ALICE,
            401,
        ),
        (None, timedelta(hours=-2), ALICE, 401),
        (None, timedelta(hours=2), ALICE, 401),
        (None, timedelta(0), MALLORY, 401),
    ],
    ids=[
        "unsigned",
        "bad-signature",
        "digest-mismatch",
        "stale-date",
        "future-date",
        "other-actors-key",
    ],
)
async def test_signature_problems_are_refused_without_trace(
    network: Network,
    actors: None,
    tamper: Callable[[dict[str, str]], None] | None,
    now_offset: timedelta,
    signer: str,
    status: int,
) -> None:
    response = await signed_post(
        network, encoded(follow_of_org()), tamper=tamper, now_offset=now_offset, signer=signer
    )
    assert response.status_code == status
    assert response.json()["error"]
    assert await inbox_rows(network) == 0


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{" + b'"a":"' + b"x" * (1024 * 1024) + b'"}', 413),
        (b"{not json", 400),
        (b"\xff\xfe", 400),
        (b"[" * 10_000 + b"]" * 10_000, 400),
        (b"[]", 400),
        (encoded({**follow_of_org(), "type": 5}), 400),
        (encoded({**follow_of_org(), "actor": []}), 400),
        (encoded({**follow_of_org(), "id": "javascript:alert(1)"}), 400),
        (encoded({k: v for k, v in follow_of_org().items() if k != "@context"}), 400),
    ],
    ids=[
        "over-1-mib",
        "invalid-json",
        "not-utf8",
        "deeply-nested",
        "array",
        "type-number",
        "actor-list",
        "bad-id",
        "no-context",
    ],
)
async def test_malformed_bodies_are_refused_without_trace(
    network: Network, actors: None, body: bytes, status: int
) -> None:
    response = await signed_post(network, body)
    assert response.status_code == status
    assert await inbox_rows(network) == 0


async def test_blocked_domain_is_refused(network: Network, actors: None) -> None:
    await block_domain(network.hub("alpha.test"), "beta.test")
    response = await signed_post(network, encoded(follow_of_org()))
    assert response.status_code == 403
    assert await inbox_rows(network) == 0


async def test_delete_of_unknown_unreachable_actor_is_answered_202(
    network: Network, actors: None
) -> None:
    # checklist 32: Mastodon sends Deletes of actors whose keys are gone
    gone = "https://gamma.test/users/gone"
    network.internet.offline.add("gamma.test")
    body = encoded(
        {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": f"{gone}#delete",
            "type": "Delete",
            "actor": gone,
            "object": gone,
        }
    )
    headers = {
        "content-type": "application/activity+json",
        "signature": f'keyId="{gone}#main-key",algorithm="rsa-sha256",headers="date",'
        'signature="AAAA"',
    }
    async with httpx.AsyncClient(transport=network.internet) as http:
        response = await http.post(INBOX, content=body, headers=headers)
    assert response.status_code == 202
    assert await inbox_rows(network) == 0


async def test_inbox_of_unknown_actor_is_404(network: Network, actors: None) -> None:
    response = await signed_post(
        network, encoded(follow_of_org()), url="https://alpha.test/users/nobody/inbox"
    )
    assert response.status_code == 404


async def rfc9421_post(network: Network, body: bytes, *, spoil: bool = False) -> httpx.Response:
    """POST `body` to alpha signed with an RFC 9421 message signature as beta's alice."""
    key = load_private_key(await private_key_pem(network.hub("beta.test"), ALICE))
    headers = {"content-type": "application/activity+json"}
    headers.update(
        sign_message(
            method="POST",
            target_uri=INBOX,
            headers=headers,
            body=body,
            private_key=key,
            key_id=f"{ALICE}#main-key",
            now=network.clock(),
        )
    )
    if spoil:
        headers["content-digest"] = compute_content_digest(b"{}")
    async with httpx.AsyncClient(transport=network.internet) as http:
        return await http.post(INBOX, content=body, headers=headers)


async def test_rfc9421_signed_post_is_accepted(network: Network, actors: None) -> None:
    # checklist 35: what Mastodon 4.7 sends when it knocks a second time
    response = await rfc9421_post(network, encoded(follow_of_org()))
    assert response.status_code == 202
    assert await inbox_rows(network) == 1


async def test_rfc9421_post_with_wrong_content_digest_is_refused(
    network: Network, actors: None
) -> None:
    response = await rfc9421_post(network, encoded(follow_of_org()), spoil=True)
    assert response.status_code == 401
    assert await inbox_rows(network) == 0
