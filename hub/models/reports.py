"""Moderation reports (Flag activities) received from other servers."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from hub.models.types import utc_column


class Report(SQLModel, table=True):
    """A Flag: someone on another server reports an actor and, optionally, some posts."""

    __tablename__ = "reports"

    id: int | None = Field(default=None, primary_key=True)
    ap_id: str = Field(max_length=2048, unique=True, index=True)
    reporter_actor_id: int = Field(foreign_key="actors.id", index=True, ondelete="CASCADE")
    target_ap_ids: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    comment: str = Field(default="", sa_type=sa.Text)
    created_at: datetime = Field(sa_column=utc_column())
    resolved_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
