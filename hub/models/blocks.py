"""Blocks between actors: a remote actor that told us it blocks one of ours."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from hub.models.types import utc_column


class ActorBlock(SQLModel, table=True):
    """`blocker` blocks `blocked`; while it lasts, nothing more is delivered to the blocker.

    `ap_id` is the id of the Block activity, so an `Undo` that names only that id lifts it.
    """

    __tablename__ = "actor_blocks"
    __table_args__ = (sa.UniqueConstraint("blocker_id", "blocked_id"),)

    id: int | None = Field(default=None, primary_key=True)
    ap_id: str = Field(max_length=2048, index=True)
    blocker_id: int = Field(foreign_key="actors.id", index=True, ondelete="CASCADE")
    blocked_id: int = Field(foreign_key="actors.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(sa_column=utc_column())
