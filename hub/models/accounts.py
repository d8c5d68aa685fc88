"""Login accounts (people) and the grants that let an account publish as a local actor."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from hub.models.types import utc_column


class Account(SQLModel, table=True):
    """A person who logs in; not an actor. Publishes through PublishGrants."""

    __tablename__ = "accounts"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True, index=True)
    password_hash: str = Field(sa_type=sa.Text)
    is_admin: bool = False
    must_change_password: bool = False
    created_at: datetime = Field(sa_column=utc_column())


class PublishGrant(SQLModel, table=True):
    """The right of an account to publish as one local actor."""

    __tablename__ = "publish_grants"
    __table_args__ = (sa.UniqueConstraint("account_id", "actor_id"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="accounts.id", index=True, ondelete="CASCADE")
    actor_id: int = Field(foreign_key="actors.id", index=True, ondelete="CASCADE")


class LoginFailure(SQLModel, table=True):
    """A failed login, kept for the rate-limit window so every process sees the same count."""

    __tablename__ = "login_failures"
    __table_args__ = (
        sa.Index("ix_login_failures_email_at", "email", "attempted_at"),
        sa.Index("ix_login_failures_client_at", "client_address", "attempted_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320)
    client_address: str = Field(max_length=64)
    attempted_at: datetime = Field(sa_column=utc_column(index=True))
