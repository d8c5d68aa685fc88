"""Received activities, stored once by id and applied by a worker."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from hub.models.types import utc_column


class InboxItem(SQLModel, table=True):
    """An activity that passed the inbox checks, waiting for (or done with) processing."""

    __tablename__ = "inbox_items"
    __table_args__ = (sa.Index("ix_inbox_items_due", "state", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    activity_id: str = Field(max_length=2048, unique=True)
    activity_type: str = Field(max_length=64)
    actor_ap_id: str = Field(max_length=2048)
    signer_key_id: str = Field(max_length=2048)
    recipient: str | None = Field(default=None, max_length=255)
    body: dict[str, Any] = Field(sa_type=sa.JSON)
    state: str = Field(default="queued", max_length=16)
    attempts: int = 0
    received_at: datetime = Field(sa_column=utc_column())
    next_attempt_at: datetime = Field(sa_column=utc_column())
    locked_until: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    last_error: str | None = Field(default=None, sa_type=sa.Text)
    processed_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
