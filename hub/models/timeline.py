"""The reader's timeline: posts and boosts by the actors we follow, newest first."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from hub.models.types import utc_column


class TimelineEntry(SQLModel, table=True):
    """One item of the reader: a post by an actor we follow, or a boost of a post by one.

    `source_actor_id` is who put the post in our timeline: its author, or the booster when
    `is_boost`. Pages are walked by `id` (newest first), so the order is arrival order and
    every list is a keyset scan of an index: all entries by the primary key, one source
    actor's by `ix_timeline_entries_source`, one tag's by `timeline_tags`' primary key.
    """

    __tablename__ = "timeline_entries"
    __table_args__ = (
        sa.UniqueConstraint("post_id", "source_actor_id", name="uq_timeline_entries_post_source"),
        sa.Index("ix_timeline_entries_source", "source_actor_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="posts.id", ondelete="CASCADE")
    source_actor_id: int = Field(foreign_key="actors.id", ondelete="CASCADE")
    is_boost: bool = False
    announce_ap_id: str | None = Field(default=None, max_length=2048, index=True)
    created_at: datetime = Field(sa_column=utc_column())


class TimelineTag(SQLModel, table=True):
    """One tag of a timeline entry's post (lowercase), so a tag's entries page by index."""

    __tablename__ = "timeline_tags"
    __table_args__ = (sa.Index("ix_timeline_tags_entry", "entry_id"),)

    tag: str = Field(max_length=100, primary_key=True)
    entry_id: int = Field(foreign_key="timeline_entries.id", primary_key=True, ondelete="CASCADE")
