"""Remote actors: fetch, validate and cache them; resolve handles through WebFinger."""

import logging
from datetime import datetime, timedelta
from urllib.parse import quote, urlsplit

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from hub.activitypub.actors import RemoteActorDocument, parse_actor
from hub.activitypub.errors import InvalidActivity
from hub.activitypub.webfinger import AcctResource, InvalidResource, parse_handle, self_link
from hub.context import HubContext
from hub.federation.errors import InvalidRemoteDocument, RemoteRejected
from hub.federation.fetcher import JRD_ACCEPT, FetchBudget, fetch_json
from hub.federation.local_actors import actor_by_ap_id
from hub.federation.sanitising import sanitise_html
from hub.federation.url_policy import is_forbidden_address, literal_address
from hub.models import Actor, ActorKey

logger = logging.getLogger(__name__)

REFRESH_AGE = timedelta(days=1)


async def get_remote_actor(
    ctx: HubContext, ap_id: str, *, refresh: bool = False, budget: FetchBudget | None = None
) -> Actor:
    """Return an actor from the cache, fetching it when unknown, stale or `refresh` is asked.

    Local actors are returned as they are, never fetched.

    Raises:
        RemoteError: the fetch failed or the document is not an acceptable actor.
    """
    async with ctx.sessions() as session:
        cached = await actor_by_ap_id(session, ap_id)
    if cached is not None and cached.is_local:
        return cached
    is_fresh = (
        cached is not None
        and cached.fetched_at is not None
        and ctx.clock() - cached.fetched_at < REFRESH_AGE
    )
    if cached is not None and is_fresh and not refresh:
        return cached
    document = await fetch_json(ctx, ap_id, budget=budget)
    try:
        parsed = parse_actor(document, fetched_url=ap_id)
    except InvalidActivity as error:
        raise InvalidRemoteDocument(ap_id, str(error)) from None
    return await store_remote_actor(ctx, parsed)


async def store_remote_actor(ctx: HubContext, parsed: RemoteActorDocument) -> Actor:
    """Insert or update a remote actor and its keys in one short transaction.

    Two requests from an actor seen for the first time can store it at the same moment;
    the one whose insert clashes writes again, as an update of the row the other stored.
    """
    now = ctx.clock()
    try:
        actor, touched_keys = await _write_actor(ctx, parsed, now)
    except IntegrityError:
        actor, touched_keys = await _write_actor(ctx, parsed, now)
    for key_id in touched_keys:
        ctx.public_keys.discard(key_id)
    logger.info("remote actor cached actor=%s", parsed.ap_id)
    return actor


async def _write_actor(
    ctx: HubContext, parsed: RemoteActorDocument, now: datetime
) -> tuple[Actor, set[str]]:
    """Write the actor and its keys; return it and the key ids whose cache entries are stale."""
    existing: dict[str, ActorKey] = {}
    async with ctx.sessions() as session, session.begin():
        actor = await actor_by_ap_id(session, parsed.ap_id)
        if actor is not None and actor.is_local:
            return actor, set()
        if actor is None:
            actor = Actor(
                ap_id=parsed.ap_id,
                username=parsed.username,
                domain=parsed.domain,
                actor_type=parsed.actor_type,
                inbox_url=parsed.inbox_url,
                published_at=parsed.published_at or now,
            )
        actor.username = parsed.username
        actor.domain = parsed.domain
        actor.actor_type = parsed.actor_type
        actor.display_name = parsed.display_name
        actor.summary_html = sanitise_html(parsed.summary_html)
        actor.html_url = parsed.html_url
        actor.inbox_url = parsed.inbox_url
        actor.shared_inbox_url = parsed.shared_inbox_url
        actor.outbox_url = parsed.outbox_url
        actor.followers_url = parsed.followers_url
        actor.following_url = parsed.following_url
        actor.featured_url = parsed.featured_url
        actor.icon_url = parsed.icon_url
        actor.icon_media_type = parsed.icon_media_type
        actor.profile_links = [list(link) for link in parsed.profile_links]
        actor.manually_approves_followers = parsed.manually_approves_followers
        actor.discoverable = parsed.discoverable
        actor.indexable = parsed.indexable
        actor.fetched_at = now
        actor.deleted_at = None
        session.add(actor)
        await session.flush()
        assert actor.id is not None  # noqa: S101 - set by the flush
        existing = {
            key.key_id: key
            for key in (
                await session.exec(select(ActorKey).where(ActorKey.actor_id == actor.id))
            ).all()
        }
        published = {key.key_id for key in parsed.public_keys}
        for key_id, stale in existing.items():
            if key_id not in published:
                await session.delete(stale)
        for key in parsed.public_keys:
            row = existing.get(key.key_id)
            if row is None:
                session.add(
                    ActorKey(
                        actor_id=actor.id,
                        key_id=key.key_id,
                        public_key_pem=key.pem,
                        created_at=now,
                    )
                )
            elif row.public_key_pem != key.pem:
                row.public_key_pem = key.pem
                session.add(row)
    return actor, {*existing, *(key.key_id for key in parsed.public_keys)}


def _webfinger_scheme(ctx: HubContext, host: str) -> str:
    """Use http only where a development Hub talks to hosts on private addresses."""
    hostname = urlsplit(f"//{host}").hostname or ""
    address = literal_address(hostname)
    is_private = hostname == "localhost" or (address is not None and is_forbidden_address(address))
    if ctx.settings.scheme == "http" and (is_private or ctx.settings.allow_private_addresses):
        return "http"
    return "https"


async def resolve_handle(ctx: HubContext, handle: str) -> Actor:
    """Resolve `user@host` through WebFinger to a cached actor, checking it loops back.

    Raises:
        RemoteError: WebFinger or the actor fetch failed, or the handle does not loop back.
    """
    try:
        resource = parse_handle(handle)
    except InvalidResource as error:
        raise RemoteRejected(handle, str(error)) from None
    actor_id = await _webfinger(ctx, resource)
    actor = await get_remote_actor(ctx, actor_id)
    if actor.domain != resource.host:
        # The handle names another domain than the actor's: it must confirm the actor.
        confirmed = await _webfinger(ctx, AcctResource(actor.username.lower(), actor.domain))
        if confirmed != actor.ap_id:
            raise RemoteRejected(handle, "WebFinger does not loop back to the actor")
    return actor


async def _webfinger(ctx: HubContext, resource: AcctResource) -> str:
    scheme = _webfinger_scheme(ctx, resource.host)
    query = quote(f"acct:{resource.username}@{resource.host}", safe=":@")
    url = f"{scheme}://{resource.host}/.well-known/webfinger?resource={query}"
    jrd = await fetch_json(ctx, url, accept=JRD_ACCEPT, signed=False)
    actor_id = self_link(jrd)
    if actor_id is None:
        raise InvalidRemoteDocument(url, "no ActivityPub self link")
    return actor_id


async def resolve_actor_reference(ctx: HubContext, handle_or_url: str) -> Actor:
    """Return the actor a person named by `@user@host`, `user@host` or an actor URL."""
    reference = handle_or_url.strip()
    if reference.lower().startswith(("http://", "https://")):
        async with ctx.sessions() as session:
            local = (
                await session.exec(
                    select(Actor).where(
                        col(Actor.is_local),
                        (col(Actor.ap_id) == reference) | (col(Actor.html_url) == reference),
                    )
                )
            ).first()
        if local is not None:
            return local
        return await get_remote_actor(ctx, reference)
    return await resolve_handle(ctx, reference)
