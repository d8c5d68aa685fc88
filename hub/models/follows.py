"""Follow relationships in both directions, with their state."""

from datetime import datetime
from typing import Literal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from hub.models.types import utc_column

FollowState = Literal["pending", "accepted"]


class Follow(SQLModel, table=True):
    """One actor follows another; `ap_id` is the id of the Follow activity that asked."""

    __tablename__ = "follows"
    __table_args__ = (sa.UniqueConstraint("follower_id", "followed_id"),)

    id: int | None = Field(default=None, primary_key=True)
    follower_id: int = Field(foreign_key="actors.id", index=True, ondelete="CASCADE")
    followed_id: int = Field(foreign_key="actors.id", index=True, ondelete="CASCADE")
    ap_id: str = Field(max_length=2048, index=True)
    state: str = Field(default="pending", max_length=16)
    created_at: datetime = Field(sa_column=utc_column())
    accepted_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
