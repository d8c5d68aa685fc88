"""Likes and boosts (Announces), ours of remote posts and remote actors' of ours."""

from datetime import datetime
from typing import Literal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from hub.models.types import utc_column

InteractionKind = Literal["like", "announce"]


class Interaction(SQLModel, table=True):
    """One Like or Announce by an actor (local or remote) of an object, by its activity id.

    `post_id` is set when the object is a post we store; the counts on a post page and in its
    `likes`/`shares` collections are counts of these rows.
    """

    __tablename__ = "interactions"
    __table_args__ = (
        sa.UniqueConstraint("kind", "actor_id", "object_ap_id"),
        sa.Index("ix_interactions_post_kind", "post_id", "kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    ap_id: str = Field(max_length=2048, unique=True, index=True)
    kind: str = Field(max_length=16)
    actor_id: int = Field(foreign_key="actors.id", index=True, ondelete="CASCADE")
    object_ap_id: str = Field(max_length=2048, index=True)
    post_id: int | None = Field(default=None, foreign_key="posts.id", ondelete="CASCADE")
    created_at: datetime = Field(sa_column=utc_column())
