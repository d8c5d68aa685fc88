"""Login accounts: creation with argon2 password hashes, and publishing grants."""

import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import select

from hub.context import HubContext
from hub.models import Account, PublishGrant
from hub.services.errors import Conflict, InvalidInput

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+$")

_password_hasher = PasswordHasher()


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


def validate_password(password: str) -> None:
    """Raise InvalidInput unless the password is long enough and not absurdly long."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput("password", f"must be at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput("password", f"must be at most {MAX_PASSWORD_LENGTH} characters")


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
    address = email.strip().lower()
    if not EMAIL_PATTERN.match(address) or len(address) > 320:
        raise InvalidInput("email", "must be an email address such as name@example.org")
    validate_password(password)
    password_hash = hash_password(password)
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
