"""Login accounts: argon2 passwords, logging in with a rate limit, and publishing grants."""

import asyncio
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hub.context import HubContext
from hub.models import Account, Actor, LoginFailure, PublishGrant
from hub.services.actors import find_local_actor
from hub.services.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    TooManyAttempts,
)
from hub.services.permissions import require_publish_right

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+$")
MAX_EMAIL_LENGTH = 320
MAX_CLIENT_ADDRESS_LENGTH = 64

# Failed logins are counted over a sliding window, per email and per client address, in the
# database, so that every process of a Hub enforces the same limit.
LOGIN_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_EMAIL = 5
MAX_FAILURES_PER_CLIENT = 20
WRONG_CREDENTIALS = "The email address or the password is not right."
TOO_MANY_FAILURES = "Too many failed logins. Wait a few minutes, then try again."

# An argon2id hash of a throw-away password, made with the hasher's default parameters:
# checking a password against it when no account has the email takes as long as a real
# check, so the time taken does not tell whether an account exists.
_TIMING_DECOY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$SL+88Dat7RQSWWU2S6MFWQ"
    "$2mlDfieAVasBadey3XrT61M5EM0IheN67gFqf5K2d+g"
)

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


# --- Logging in and passwords ----------------------------------------------------------------


async def log_in(ctx: HubContext, email: str, password: str, *, client_address: str) -> Account:
    """Return the account whose email and password these are.

    Every failure is recorded. Past `MAX_FAILURES_PER_EMAIL` for the email, or
    `MAX_FAILURES_PER_CLIENT` for the client address, within `LOGIN_WINDOW`, attempts are
    refused without checking the password. A success clears the email's failures.

    Raises:
        TooManyAttempts: too many recent failures for this email or client address.
        InvalidInput: ("password") the email or the password is wrong; which one is not said.
    """
    address = normalise_email(email)[:MAX_EMAIL_LENGTH]
    client = client_address[:MAX_CLIENT_ADDRESS_LENGTH]
    now = ctx.clock()
    # The attempt is recorded as a failure before the password is checked, so that
    # simultaneous attempts in several processes count each other; a success clears it and a
    # refused attempt takes it back (refusals do not prolong the wait).
    async with ctx.sessions() as session, session.begin():
        attempt = LoginFailure(email=address, client_address=client, attempted_at=now)
        session.add(attempt)
        await session.flush()
        retry_after = await _seconds_until_allowed(session, address, client, now)
        if retry_after is not None:
            await session.delete(attempt)
    if retry_after is not None:
        raise TooManyAttempts(TOO_MANY_FAILURES, retry_after)
    async with ctx.sessions() as session:
        account = (await session.exec(select(Account).where(Account.email == address))).first()
    stored_hash = account.password_hash if account is not None else _TIMING_DECOY_HASH
    candidate = password[:MAX_PASSWORD_LENGTH]
    matches = await asyncio.to_thread(password_matches, stored_hash, candidate)
    if account is None or not matches:
        await _forget_failures_before(ctx, now - LOGIN_WINDOW)
        raise InvalidInput("password", WRONG_CREDENTIALS)
    fresh_hash = None
    if _password_hasher.check_needs_rehash(account.password_hash):
        fresh_hash = await asyncio.to_thread(hash_password, candidate)
    async with ctx.sessions() as session, session.begin():
        await session.exec(delete(LoginFailure).where(col(LoginFailure.email) == address))
        stored = await session.get(Account, account.id)
        if stored is None:
            raise InvalidInput("password", WRONG_CREDENTIALS)
        if fresh_hash is not None:
            stored.password_hash = fresh_hash
    return stored


async def _seconds_until_allowed(
    session: AsyncSession, email: str, client: str, now: datetime
) -> int | None:
    """Return how long to wait when the email or client is over its limit, else None."""
    since = now - LOGIN_WINDOW
    limits = (
        (col(LoginFailure.email) == email, MAX_FAILURES_PER_EMAIL),
        (col(LoginFailure.client_address) == client, MAX_FAILURES_PER_CLIENT),
    )
    for condition, limit in limits:
        statement = (
            select(col(LoginFailure.attempted_at))
            .where(condition, col(LoginFailure.attempted_at) > since)
            .order_by(col(LoginFailure.attempted_at).desc())
            .offset(limit)
            .limit(1)
        )
        # The attempt being made is among the rows: a row at offset `limit` means there were
        # already `limit` failures before it. The wait ends when that row leaves the window.
        boundary = (await session.exec(statement)).first()
        if boundary is not None:
            return max(1, int((boundary + LOGIN_WINDOW - now).total_seconds()) + 1)
    return None


async def _forget_failures_before(ctx: HubContext, cutoff: datetime) -> None:
    async with ctx.sessions() as session, session.begin():
        await session.exec(delete(LoginFailure).where(col(LoginFailure.attempted_at) < cutoff))


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
