"""Sign outgoing requests as a local actor, with its private key loaded once per process."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import rsa
from sqlmodel import col, select

from hub.activitypub.keys import load_private_key, main_key_id
from hub.activitypub.signatures import sign_request
from hub.context import HubContext
from hub.models import Actor, ActorKey


@dataclass(frozen=True)
class Signer:
    """A key id and the private key that signs for it."""

    key_id: str
    private_key: rsa.RSAPrivateKey


async def local_signer(ctx: HubContext, actor_id: int) -> Signer:
    """Return the signer of a local actor; the PEM is parsed on first use only."""
    cached = ctx.private_keys.get(actor_id)
    if isinstance(cached, Signer):
        return cached
    async with ctx.sessions() as session:
        statement = (
            select(Actor.ap_id, ActorKey.private_key_pem)
            .join(ActorKey, col(ActorKey.actor_id) == col(Actor.id))
            .where(col(Actor.id) == actor_id, col(ActorKey.private_key_pem).is_not(None))
        )
        ap_id, pem = (await session.exec(statement)).one()
    assert pem is not None  # noqa: S101 - filtered by the query
    # Deliveries starting together all missed the cache; the first back parses the key
    # (several milliseconds of RSA checks) and the others take it.
    cached = ctx.private_keys.get(actor_id)
    if isinstance(cached, Signer):
        return cached
    signer = Signer(key_id=main_key_id(ap_id), private_key=load_private_key(pem))
    ctx.private_keys[actor_id] = signer
    return signer


async def instance_signer(ctx: HubContext) -> Signer:
    """Return the signer of the instance actor, which signs every fetch."""
    async with ctx.sessions() as session:
        statement = select(Actor.id).where(col(Actor.is_instance_actor), col(Actor.is_local))
        actor_id = (await session.exec(statement)).first()
    if actor_id is None:
        raise LookupError("the instance actor does not exist yet; run hub migrate")
    return await local_signer(ctx, actor_id)


def signed_headers(
    signer: Signer,
    method: str,
    url: str,
    body: bytes | None,
    extra_headers: Mapping[str, str],
    now: datetime,
) -> dict[str, str]:
    """Return `extra_headers` plus Host, Date, Digest and Signature for this request."""
    parts = urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target += f"?{parts.query}"
    headers = {name.lower(): value for name, value in extra_headers.items()}
    headers.update(
        sign_request(
            method=method,
            url_path_with_query=target,
            host=parts.netloc,
            headers=headers,
            body=body,
            private_key=signer.private_key,
            key_id=signer.key_id,
            now=now,
        )
    )
    return headers
