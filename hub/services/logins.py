"""Logging in: checking a password, with a rate limit that every process of a Hub shares."""

import asyncio
from datetime import datetime, timedelta

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hub.context import HubContext
from hub.models import Account, LoginFailure
from hub.services.accounts import (
    MAX_EMAIL_LENGTH,
    MAX_PASSWORD_LENGTH,
    hash_password,
    normalise_email,
    password_matches,
    password_needs_rehash,
)
from hub.services.errors import InvalidInput, TooManyAttempts

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
    if password_needs_rehash(account.password_hash):
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
