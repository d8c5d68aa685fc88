"""Login accounts: argon2 passwords, password changes, invitations and publishing grants."""

import asyncio
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import col, delete, select

from hub.context import HubContext
from hub.models import Account, Actor, PublishGrant
from hub.services.actors import find_local_actor
from hub.services.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from hub.services.permissions import require_publish_right

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+$")
MAX_EMAIL_LENGTH = 320


_password_hasher = PasswordHasher()


@dataclass(frozen=True)
class AccountSummary:
    """An account as the admin page lists it (never its password hash)."""

    id: int
    email: str
    is_admin: bool
    must_change_password: bool
    granted_actors: tuple[str, ...]


@dataclass(frozen=True)
class NewAccount:
    """An account just made, with its one-time password (shown once, stored only hashed)."""

    account: Account
    one_time_password: str


def hash_password(password: str) -> str:
    """Return an argon2id hash of a password."""
    return _password_hasher.hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    """Return whether the password matches the stored hash."""
    try:
        return _password_hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_needs_rehash(password_hash: str) -> bool:
    """Return whether a stored hash was made with weaker parameters than today's."""
    return _password_hasher.check_needs_rehash(password_hash)


def generate_password() -> str:
    """Return a random one-time password that is easy to copy."""
    return secrets.token_urlsafe(15)


def validate_password(password: str, *, field: str = "password") -> None:
    """Raise InvalidInput unless the password is long enough and not absurdly long."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(field, f"must be at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(field, f"must be at most {MAX_PASSWORD_LENGTH} characters")


def normalise_email(email: str) -> str:
    """Return the email address as accounts store it: trimmed and lowercase."""
    return email.strip().lower()


def session_stamp(ctx: HubContext, account: Account) -> str:
    """Return a value that changes whenever the account's password changes.

    A session carries it; a session whose stamp no longer matches (the password was changed
    since) counts as signed out.
    """
    key = ctx.settings.secret_key.encode()
    return hmac.new(key, account.password_hash.encode(), hashlib.sha256).hexdigest()[:32]


async def create_account(
    ctx: HubContext,
    email: str,
    password: str,
    *,
    is_admin: bool = False,
    must_change_password: bool = False,
    grant_actor_ids: tuple[int, ...] = (),
) -> Account:
    """Create a login account, optionally allowed to publish as some local actors.

    Raises:
        InvalidInput: the email or password is not acceptable.
        Conflict: an account with that email exists.
    """
    address = normalise_email(email)
    if not EMAIL_PATTERN.match(address) or len(address) > MAX_EMAIL_LENGTH:
        raise InvalidInput("email", "must be an email address such as name@example.org")
    validate_password(password)
    password_hash = await asyncio.to_thread(hash_password, password)
    async with ctx.sessions() as session, session.begin():
        existing = (await session.exec(select(Account).where(Account.email == address))).first()
        if existing is not None:
            raise Conflict(f"an account for {address} already exists")
        account = Account(
            email=address,
            password_hash=password_hash,
            is_admin=is_admin,
            must_change_password=must_change_password,
            created_at=ctx.clock(),
        )
        session.add(account)
        await session.flush()
        assert account.id is not None  # noqa: S101 - set by the flush
        for actor_id in grant_actor_ids:
            session.add(PublishGrant(account_id=account.id, actor_id=actor_id))
    return account


async def get_account(ctx: HubContext, account_id: int) -> Account | None:
    """Return the account with this id, if it exists."""
    async with ctx.sessions() as session:
        return await session.get(Account, account_id)


# --- Passwords -------------------------------------------------------------------------------


async def change_password(
    ctx: HubContext, account_id: int, current_password: str, new_password: str
) -> Account:
    """Set a new password after checking the current one; this clears `must_change_password`.

    Raises:
        NotFound: no such account.
        InvalidInput: ("current_password") wrong current password; ("new_password") too
            short, too long, or the same as the current one.
    """
    account = await get_account(ctx, account_id)
    if account is None:
        raise NotFound("no such account")
    current = current_password[:MAX_PASSWORD_LENGTH]
    if not await asyncio.to_thread(password_matches, account.password_hash, current):
        raise InvalidInput("current_password", "is not your current password")
    validate_password(new_password, field="new_password")
    if new_password == current_password:
        raise InvalidInput("new_password", "must differ from the current password")
    new_hash = await asyncio.to_thread(hash_password, new_password)
    async with ctx.sessions() as session, session.begin():
        stored = await session.get(Account, account_id)
        if stored is None:
            raise NotFound("no such account")
        stored.password_hash = new_hash
        stored.must_change_password = False
    return stored


# --- Administration and grants ---------------------------------------------------------------


async def require_admin(ctx: HubContext, account_id: int | None) -> None:
    """Raise PermissionDenied unless the account is an admin (None is the command line).

    Raises:
        PermissionDenied: the account is not an admin, or does not exist.
    """
    if account_id is None:
        return
    account = await get_account(ctx, account_id)
    if account is None or not account.is_admin:
        raise PermissionDenied("only an admin may manage accounts")


async def list_accounts(ctx: HubContext, *, by_account_id: int | None) -> list[AccountSummary]:
    """Return every account with the actors it may publish as, by email.

    Raises:
        PermissionDenied: `by_account_id` is not an admin.
    """
    await require_admin(ctx, by_account_id)
    async with ctx.sessions() as session:
        accounts = (await session.exec(select(Account).order_by(col(Account.email)))).all()
        grant_rows = (
            await session.exec(
                select(PublishGrant.account_id, Actor.username)
                .join(Actor, col(Actor.id) == col(PublishGrant.actor_id))
                .order_by(col(Actor.username))
            )
        ).all()
    granted: dict[int, list[str]] = {}
    for account_id, username in grant_rows:
        granted.setdefault(account_id, []).append(username or "")
    return [
        AccountSummary(
            id=account.id or 0,
            email=account.email,
            is_admin=account.is_admin,
            must_change_password=account.must_change_password,
            granted_actors=tuple(granted.get(account.id or 0, ())),
        )
        for account in accounts
    ]


async def invite_account(
    ctx: HubContext,
    email: str,
    *,
    is_admin: bool,
    actor_names: tuple[str, ...],
    by_account_id: int | None,
) -> NewAccount:
    """Create an account with a one-time password that must be changed at first login.

    Raises:
        PermissionDenied: `by_account_id` is not an admin.
        InvalidInput: a bad email, or ("actors") an actor that does not exist here.
        Conflict: an account with that email exists.
    """
    await require_admin(ctx, by_account_id)
    actor_ids = tuple([(await _publishing_actor(ctx, name)).id or 0 for name in actor_names])
    password = generate_password()
    account = await create_account(
        ctx,
        email,
        password,
        is_admin=is_admin,
        must_change_password=True,
        grant_actor_ids=actor_ids,
    )
    return NewAccount(account=account, one_time_password=password)


async def grant_publishing(
    ctx: HubContext, account_id: int, actor_name: str, *, by_account_id: int | None
) -> None:
    """Let an account publish as a local actor; granting twice changes nothing.

    Raises:
        PermissionDenied: `by_account_id` is not an admin.
        NotFound: no such account.
        InvalidInput: ("actor") no such local actor.
    """
    await require_admin(ctx, by_account_id)
    actor = await _publishing_actor(ctx, actor_name)
    async with ctx.sessions() as session, session.begin():
        if await session.get(Account, account_id) is None:
            raise NotFound("no such account")
        existing = (
            await session.exec(
                select(PublishGrant).where(
                    PublishGrant.account_id == account_id, PublishGrant.actor_id == actor.id
                )
            )
        ).first()
        if existing is None:
            assert actor.id is not None  # noqa: S101 - a stored actor
            session.add(PublishGrant(account_id=account_id, actor_id=actor.id))


async def revoke_publishing(
    ctx: HubContext, account_id: int, actor_name: str, *, by_account_id: int | None
) -> None:
    """Take away an account's right to publish as a local actor.

    Raises:
        PermissionDenied: `by_account_id` is not an admin.
        InvalidInput: ("actor") no such local actor.
    """
    await require_admin(ctx, by_account_id)
    actor = await _publishing_actor(ctx, actor_name)
    async with ctx.sessions() as session, session.begin():
        await session.exec(
            delete(PublishGrant).where(
                col(PublishGrant.account_id) == account_id, col(PublishGrant.actor_id) == actor.id
            )
        )


async def publishable_actors(ctx: HubContext, account_id: int | None) -> list[Actor]:
    """Return the local actors this account may publish as (all of them for an admin)."""
    statement = (
        select(Actor)
        .where(col(Actor.is_local), col(Actor.is_instance_actor).is_(False))
        .where(col(Actor.deleted_at).is_(None))
        .order_by(col(Actor.username))
    )
    async with ctx.sessions() as session:
        account = None if account_id is None else await session.get(Account, account_id)
        if account_id is not None and account is None:
            return []
        if account is not None and not account.is_admin:
            granted = select(PublishGrant.actor_id).where(PublishGrant.account_id == account_id)
            statement = statement.where(col(Actor.id).in_(granted))
        return list((await session.exec(statement)).all())


async def may_publish_as(ctx: HubContext, account_id: int | None, actor: Actor) -> bool:
    """Return whether the account may publish as the actor (None is the command line)."""
    try:
        await require_publish_right(ctx, account_id, actor)
    except PermissionDenied:
        return False
    return True


async def _publishing_actor(ctx: HubContext, name: str) -> Actor:
    actor = await find_local_actor(ctx, name)
    if actor is None or actor.is_instance_actor or actor.deleted_at is not None:
        raise InvalidInput("actors", f"there is no actor called '{name}' here")
    return actor
