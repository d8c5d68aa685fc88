"""Outgoing activities, their fan-out and delivery jobs, host health and domain blocks."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from hub.models.types import utc_column


class OutgoingActivity(SQLModel, table=True):
    """An activity one of our actors sent; public ones make up the actor's outbox."""

    __tablename__ = "outgoing_activities"
    __table_args__ = (sa.Index("ix_outgoing_activities_outbox", "actor_id", "is_public", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    ap_id: str = Field(max_length=2048, unique=True, index=True)
    actor_id: int = Field(foreign_key="actors.id", index=True, ondelete="CASCADE")
    activity_type: str = Field(max_length=64)
    object_ap_id: str | None = Field(default=None, max_length=2048, index=True)
    is_public: bool = False
    body: dict[str, Any] = Field(sa_type=sa.JSON)
    created_at: datetime = Field(sa_column=utc_column())


class FanoutJob(SQLModel, table=True):
    """Expand an outgoing activity into one delivery per distinct inbox."""

    __tablename__ = "fanout_jobs"
    __table_args__ = (sa.Index("ix_fanout_jobs_due", "state", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    activity_id: int = Field(foreign_key="outgoing_activities.id", ondelete="CASCADE")
    to_followers: bool = False
    extra_inboxes: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    state: str = Field(default="queued", max_length=16)
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_column=utc_column())
    locked_until: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    last_error: str | None = Field(default=None, sa_type=sa.Text)


class Delivery(SQLModel, table=True):
    """One signed POST of one activity to one inbox, retried with back-off until it lands."""

    __tablename__ = "deliveries"
    __table_args__ = (
        sa.UniqueConstraint("activity_id", "inbox_url"),
        sa.Index("ix_deliveries_due", "state", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    activity_id: int = Field(foreign_key="outgoing_activities.id", ondelete="CASCADE")
    inbox_url: str = Field(max_length=2048)
    host: str = Field(max_length=255, index=True)
    state: str = Field(default="queued", max_length=16)
    attempts: int = 0
    created_at: datetime = Field(sa_column=utc_column())
    next_attempt_at: datetime = Field(sa_column=utc_column())
    locked_until: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    last_status: int | None = None
    last_error: str | None = Field(default=None, sa_type=sa.Text)
    delivered_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class HostHealth(SQLModel, table=True):
    """Failure days of a remote host; seven distinct days make it unavailable."""

    __tablename__ = "host_health"

    host: str = Field(primary_key=True, max_length=255)
    failure_days: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    unavailable_since: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    last_success_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class BlockedDomain(SQLModel, table=True):
    """A remote domain whose activities we refuse and to which we deliver nothing."""

    __tablename__ = "blocked_domains"

    domain: str = Field(primary_key=True, max_length=255)
    created_at: datetime = Field(sa_column=utc_column())
