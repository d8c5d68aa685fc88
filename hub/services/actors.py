"""Create and look up our own actors, and render their ActivityPub documents."""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hub.activitypub.build import JsonObject, build_actor
from hub.activitypub.keys import main_key_id
from hub.activitypub.vocab import ActorProfile, ActorUrls
from hub.activitypub.webfinger import is_valid_username
from hub.config import Settings
from hub.context import HubContext
from hub.models import ACTOR_TYPES, Actor, ActorKey
from hub.services.errors import Conflict, InvalidInput, NotFound
from hub.services.permissions import require_publish_right

MAX_USERNAME_LENGTH = 64
# Names that would shadow our own routes or confuse people reading a handle.
RESERVED_USERNAMES = frozenset(
    {"actor", "admin", "inbox", "outbox", "users", "static", "media", "api", "well-known",
     "nodeinfo", "login", "logout", "tags", "series", "search", "about", "settings", "root"}
)  # fmt: skip
PUBLISHING_ACTOR_TYPES = tuple(t for t in ACTOR_TYPES if t != "Application")


@dataclass(frozen=True)
class ActorSummary:
    """A local actor as lists and pages show it."""

    username: str
    handle: str
    actor_type: str
    display_name: str
    ap_id: str
    html_url: str


def _actor_urls(settings: Settings, ap_id: str, html_url: str) -> ActorUrls:
    return ActorUrls(
        ap_id=ap_id,
        html_url=html_url,
        inbox_url=f"{ap_id}/inbox",
        outbox_url=f"{ap_id}/outbox",
        followers_url=f"{ap_id}/followers",
        following_url=f"{ap_id}/following",
        featured_url=f"{ap_id}/featured",
        shared_inbox_url=settings.url("/inbox"),
    )


def local_actor_urls(settings: Settings, username: str) -> ActorUrls:
    """Return the URLs of the local actor called `username`."""
    return _actor_urls(settings, settings.url(f"/users/{username}"), settings.url(f"/@{username}"))


def instance_actor_urls(settings: Settings) -> ActorUrls:
    """Return the URLs of the instance actor, which lives at `/actor` as Mastodon's does."""
    return _actor_urls(settings, settings.url("/actor"), settings.url("/"))


def instance_actor_username(settings: Settings) -> str:
    """Return the instance actor's preferredUsername: the host name, as Mastodon uses."""
    return settings.hostname


def validate_username(username: str) -> str:
    """Return the normalised (lowercase) username, or raise InvalidInput."""
    name = username.strip().lower()
    if not name:
        raise InvalidInput("name", "is required")
    if len(name) > MAX_USERNAME_LENGTH:
        raise InvalidInput("name", f"must be at most {MAX_USERNAME_LENGTH} characters")
    if not is_valid_username(name):
        raise InvalidInput(
            "name",
            "may contain only letters, digits and underscores, with single dots or dashes "
            "between them",
        )
    if name in RESERVED_USERNAMES:
        raise InvalidInput("name", f"'{name}' is reserved")
    return name


async def create_actor(
    ctx: HubContext,
    username: str,
    *,
    actor_type: str = "Organization",
    display_name: str = "",
    summary_html: str = "",
    manually_approves_followers: bool = False,
) -> Actor:
    """Create a local publishing actor with its own RSA-2048 key pair.

    Raises:
        InvalidInput: the name or type is not acceptable.
        Conflict: an actor of that name exists.
    """
    name = validate_username(username)
    if actor_type not in PUBLISHING_ACTOR_TYPES:
        raise InvalidInput("type", f"must be one of {', '.join(PUBLISHING_ACTOR_TYPES)}")
    if name == instance_actor_username(ctx.settings):
        raise InvalidInput("name", f"'{name}' is the instance actor's name")
    urls = local_actor_urls(ctx.settings, name)
    key_pair = ctx.generate_keys()
    async with ctx.sessions() as session, session.begin():
        if await _local_actor_by_name(session, name) is not None:
            raise Conflict(f"an actor called '{name}' already exists")
        actor = _new_local_actor(
            ctx,
            urls,
            username=name,
            actor_type=actor_type,
            display_name=display_name.strip(),
            summary_html=summary_html,
            manually_approves_followers=manually_approves_followers,
        )
        session.add(actor)
        await session.flush()
        session.add(_new_key(ctx, actor, key_pair.public_pem, key_pair.private_pem))
    return actor


async def ensure_instance_actor(ctx: HubContext) -> Actor:
    """Return the instance actor, creating it (and its key) on first use."""
    urls = instance_actor_urls(ctx.settings)
    async with ctx.sessions() as session:
        existing = await _actor_by_ap_id(session, urls.ap_id)
    if existing is not None:
        return existing
    key_pair = ctx.generate_keys()
    async with ctx.sessions() as session, session.begin():
        actor = _new_local_actor(
            ctx,
            urls,
            username=instance_actor_username(ctx.settings),
            actor_type="Application",
            display_name=ctx.settings.instance_name,
            summary_html="",
            manually_approves_followers=True,
        )
        actor.is_instance_actor = True
        actor.discoverable = False
        actor.indexable = False
        session.add(actor)
        await session.flush()
        session.add(_new_key(ctx, actor, key_pair.public_pem, key_pair.private_pem))
    return actor


def _new_local_actor(
    ctx: HubContext,
    urls: ActorUrls,
    *,
    username: str,
    actor_type: str,
    display_name: str,
    summary_html: str,
    manually_approves_followers: bool,
) -> Actor:
    return Actor(
        ap_id=urls.ap_id,
        is_local=True,
        username=username,
        domain=ctx.settings.host,
        actor_type=actor_type,
        display_name=display_name,
        summary_html=summary_html,
        html_url=urls.html_url,
        inbox_url=urls.inbox_url,
        shared_inbox_url=urls.shared_inbox_url,
        outbox_url=urls.outbox_url,
        followers_url=urls.followers_url,
        following_url=urls.following_url,
        featured_url=urls.featured_url,
        manually_approves_followers=manually_approves_followers,
        published_at=ctx.clock(),
    )


def _new_key(ctx: HubContext, actor: Actor, public_pem: str, private_pem: str) -> ActorKey:
    assert actor.id is not None  # noqa: S101 - flushed by the caller
    return ActorKey(
        actor_id=actor.id,
        key_id=main_key_id(actor.ap_id),
        public_key_pem=public_pem,
        private_key_pem=private_pem,
        created_at=ctx.clock(),
    )


async def _local_actor_by_name(session: AsyncSession, username: str) -> Actor | None:
    statement = select(Actor).where(
        col(Actor.is_local),
        col(Actor.username) == username.lower(),
        col(Actor.is_instance_actor).is_(False),
    )
    return (await session.exec(statement)).first()


async def _actor_by_ap_id(session: AsyncSession, ap_id: str) -> Actor | None:
    return (await session.exec(select(Actor).where(Actor.ap_id == ap_id))).first()


async def get_local_actor(ctx: HubContext, username: str) -> Actor:
    """Return the local publishing actor called `username` (case-insensitive).

    Raises:
        NotFound: there is none, or it was deleted.
    """
    async with ctx.sessions() as session:
        actor = await _local_actor_by_name(session, username)
    if actor is None or actor.deleted_at is not None:
        raise NotFound(f"no actor called '{username}'")
    return actor


async def find_local_actor(ctx: HubContext, username: str) -> Actor | None:
    """Return the local publishing or instance actor with this preferredUsername, if any."""
    name = username.lower()
    if not is_valid_username(name):
        return None
    if name == instance_actor_username(ctx.settings):
        return await ensure_instance_actor(ctx)
    async with ctx.sessions() as session:
        return await _local_actor_by_name(session, name)


async def find_local_actor_by_url(ctx: HubContext, url: str) -> Actor | None:
    """Return the local actor whose id or profile page is `url`, if any."""
    async with ctx.sessions() as session:
        statement = select(Actor).where(
            col(Actor.is_local),
            sa.or_(col(Actor.ap_id) == url, col(Actor.html_url) == url),
        )
        return (await session.exec(statement)).first()


async def list_local_actors(ctx: HubContext) -> list[ActorSummary]:
    """Return our publishing actors in the order they were made."""
    async with ctx.sessions() as session:
        statement = (
            select(Actor)
            .where(col(Actor.is_local), col(Actor.is_instance_actor).is_(False))
            .where(col(Actor.deleted_at).is_(None))
            .order_by(col(Actor.id))
        )
        actors = (await session.exec(statement)).all()
    return [summarise(actor) for actor in actors]


def summarise(actor: Actor) -> ActorSummary:
    """Return the view of an actor that lists and pages use."""
    return ActorSummary(
        username=actor.username,
        handle=actor.handle,
        actor_type=actor.actor_type,
        display_name=actor.display_name or actor.username,
        ap_id=actor.ap_id,
        html_url=actor.html_url or actor.ap_id,
    )


async def actor_document(ctx: HubContext, actor: Actor) -> JsonObject:
    """Return the ActivityPub document of a local actor."""
    async with ctx.sessions() as session:
        statement = select(ActorKey.public_key_pem).where(
            ActorKey.actor_id == actor.id, ActorKey.key_id == main_key_id(actor.ap_id)
        )
        public_pem = (await session.exec(statement)).one()
    urls = ActorUrls(
        ap_id=actor.ap_id,
        html_url=actor.html_url or actor.ap_id,
        inbox_url=actor.inbox_url,
        outbox_url=actor.outbox_url or "",
        followers_url=actor.followers_url or "",
        following_url=actor.following_url or "",
        featured_url=actor.featured_url or "",
        shared_inbox_url=actor.shared_inbox_url or ctx.settings.url("/inbox"),
    )
    profile = ActorProfile(
        urls=urls,
        actor_type=actor.actor_type,
        username=actor.username,
        display_name=actor.display_name,
        summary_html=actor.summary_html,
        public_key_pem=public_pem,
        published_at=actor.published_at,
        manually_approves_followers=actor.manually_approves_followers,
        discoverable=actor.discoverable,
        indexable=actor.indexable,
        attribution_domain=ctx.settings.hostname,
        icon_url=actor.icon_url,
        icon_media_type=actor.icon_media_type,
        links=profile_links_of(actor),
    )
    return build_actor(profile)


def profile_links_of(actor: Actor) -> tuple[tuple[str, str], ...]:
    """Return an actor's stored profile links as (label, value) pairs, skipping malformed ones."""
    return tuple(
        (pair[0], pair[1])
        for pair in actor.profile_links or []
        if isinstance(pair, list | tuple)
        and len(pair) == 2
        and all(isinstance(part, str) for part in pair)
    )


async def primary_actor(ctx: HubContext) -> Actor | None:
    """Return the first Organization actor made (the Hub's own), else the first actor."""
    async with ctx.sessions() as session:
        statement = (
            select(Actor)
            .where(col(Actor.is_local), col(Actor.is_instance_actor).is_(False))
            .where(col(Actor.deleted_at).is_(None))
            .order_by(sa.case((col(Actor.actor_type) == "Organization", 0), else_=1), col(Actor.id))
            .limit(1)
        )
        return (await session.exec(statement)).first()


async def set_note_mode(
    ctx: HubContext, username: str, *, as_note: bool, account_id: int | None = None
) -> Actor:
    """Choose whether an actor's new posts federate as Notes (text inline) or Articles.

    Raises:
        NotFound: no local actor of that name.
        PermissionDenied: the account may not act as this actor.
    """
    actor = await get_local_actor(ctx, username)
    await require_publish_right(ctx, account_id, actor)
    async with ctx.sessions() as session, session.begin():
        stored = await session.get(Actor, actor.id)
        if stored is None:
            raise NotFound(f"no actor called '{username}'")
        stored.publishes_as_note = as_note
        session.add(stored)
    actor.publishes_as_note = as_note
    return actor
