"""Resolve `@user@host` mentions in a post body to actors, through the cache or WebFinger."""

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel import col, select

from hub.context import HubContext
from hub.errors import HubError
from hub.federation.remote_actors import REFRESH_AGE, resolve_handle
from hub.models import Actor

logger = logging.getLogger(__name__)

# Each unknown mention costs a WebFinger and an actor fetch while the author waits.
MAX_MENTIONS = 20


async def _cached_actor(ctx: HubContext, username: str, host: str) -> Actor | None:
    async with ctx.sessions() as session:
        statement = select(Actor).where(
            col(Actor.domain) == host,
            sa.func.lower(col(Actor.username)) == username,
            col(Actor.deleted_at).is_(None),
            col(Actor.is_instance_actor).is_(False),
        )
        actor = (await session.exec(statement)).first()
    if actor is None:
        return None
    if actor.is_local:
        return actor
    is_fresh = actor.fetched_at is not None and ctx.clock() - actor.fetched_at < REFRESH_AGE
    return actor if is_fresh else None


async def resolve_mentions(ctx: HubContext, handles: Sequence[str]) -> dict[str, Actor]:
    """Return the actors of the `user@host` handles that resolve, by lower-case handle.

    Our own actors are found in the database, remote ones in the cache or else through
    WebFinger. A handle that does not resolve is left out (it stays plain text in the post)
    and logged; it never stops the post. At most MAX_MENTIONS handles are looked at.
    """
    resolved: dict[str, Actor] = {}
    for handle in list(dict.fromkeys(handle.lower() for handle in handles))[:MAX_MENTIONS]:
        username, _, host = handle.partition("@")
        actor = await _cached_actor(ctx, username, host)
        if actor is None and host != ctx.settings.host:
            try:
                actor = await resolve_handle(ctx, handle)
            except HubError as error:
                logger.info("mention not resolved handle=%s error=%s", handle, error)
                continue
        if actor is not None:
            resolved[handle] = actor
    return resolved
