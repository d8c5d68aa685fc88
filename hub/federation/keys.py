"""Find the public key behind a signature's keyId: from the cache, or fetched once."""

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import col, select

from hub.activitypub.actors import parse_actor, parse_public_key
from hub.activitypub.errors import InvalidActivity
from hub.activitypub.jsonld import id_of
from hub.activitypub.keys import load_public_key
from hub.context import HubContext
from hub.federation.errors import InvalidRemoteDocument, RemoteNotFound
from hub.federation.fetcher import FetchBudget, fetch_json
from hub.federation.remote_actors import get_remote_actor, store_remote_actor
from hub.models import Actor, ActorKey


@dataclass(frozen=True)
class ResolvedKey:
    """A public key and the actor that owns it."""

    key_id: str
    public_key_pem: str
    owner_ap_id: str
    actor_id: int
    # The parsed key, so a cached key is verified with no PEM parsing.
    public_key: Any = field(default=None, compare=False)


async def _cached_key(ctx: HubContext, key_id: str) -> ResolvedKey | None:
    cached = ctx.public_keys.get(key_id)
    if isinstance(cached, ResolvedKey):
        return cached
    stored = await _stored_key(ctx, key_id)
    if stored is not None:
        ctx.public_keys.put(key_id, stored)
    return stored


async def _stored_key(ctx: HubContext, key_id: str) -> ResolvedKey | None:
    async with ctx.sessions() as session:
        statement = (
            select(ActorKey.key_id, ActorKey.public_key_pem, Actor.ap_id, Actor.id)
            .join(Actor, col(Actor.id) == col(ActorKey.actor_id))
            .where(ActorKey.key_id == key_id, col(Actor.deleted_at).is_(None))
        )
        row = (await session.exec(statement)).first()
        if row is None and "#" not in key_id:
            # GoToSocial-style key ids without a fragment: the actor's own key.
            statement = (
                select(ActorKey.key_id, ActorKey.public_key_pem, Actor.ap_id, Actor.id)
                .join(Actor, col(Actor.id) == col(ActorKey.actor_id))
                .where(Actor.ap_id == key_id.removesuffix("/main-key"))
            )
            row = (await session.exec(statement)).first()
    if row is None:
        return None
    found_key_id, pem, owner, actor_id = row
    assert actor_id is not None  # noqa: S101 - a stored row
    try:
        parsed = load_public_key(pem)
    except ValueError:
        parsed = None  # verification reports the unusable key
    return ResolvedKey(found_key_id, pem, owner, actor_id, parsed)


async def resolve_public_key(
    ctx: HubContext,
    key_id: str,
    *,
    refresh: bool = False,
    cached_only: bool = False,
    budget: FetchBudget | None = None,
) -> ResolvedKey | None:
    """Return the key for `key_id`; fetch it when unknown, or anew when `refresh` is set.

    Returns None only with `cached_only` and an unknown key.

    Raises:
        RemoteError: the key had to be fetched and could not be, or was not published.
    """
    if not refresh:
        cached = await _cached_key(ctx, key_id)
        if cached is not None or cached_only:
            return cached
    document_url = key_id.split("#", 1)[0]
    document = await fetch_json(ctx, document_url, budget=budget)
    if "publicKeyPem" in document:
        # A bare key document: its owner actor must list the key too.
        try:
            owner_id = parse_public_key(document).owner
        except InvalidActivity as error:
            raise InvalidRemoteDocument(key_id, str(error)) from None
        await get_remote_actor(ctx, owner_id, refresh=True, budget=budget)
    elif id_of(document) != document_url:
        raise InvalidRemoteDocument(key_id, "the key document is not at its own id")
    else:
        # The key id names the actor itself (Mastodon's `…#main-key`): what was fetched is
        # the actor, so it is stored as it is rather than fetched a second time.
        try:
            parsed = parse_actor(document, fetched_url=document_url)
        except InvalidActivity as error:
            raise InvalidRemoteDocument(key_id, str(error)) from None
        await store_remote_actor(ctx, parsed)
    ctx.public_keys.discard(key_id)
    resolved = await _cached_key(ctx, key_id)
    if resolved is None:
        raise RemoteNotFound(key_id, "the actor does not publish this key")
    return resolved
