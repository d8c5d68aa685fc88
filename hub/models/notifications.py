"""Notifications for staff: follows, follow requests, replies, mentions, boosts and likes."""

from datetime import datetime
from typing import Literal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from hub.models.types import utc_column

NotificationKind = Literal["follow", "follow_request", "reply", "mention", "boost", "like"]
NOTIFICATION_KINDS: tuple[NotificationKind, ...] = (
    "follow",
    "follow_request",
    "reply",
    "mention",
    "boost",
    "like",
)


class Notification(SQLModel, table=True):
    """Something a remote actor did to one of our actors, written with the event itself.

    `post_id` is the post concerned: ours for likes and boosts, theirs for replies and
    mentions; none for follows.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        sa.Index("ix_notifications_actor", "local_actor_id", "id"),
        sa.Index("ix_notifications_unread", "is_read", "local_actor_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)
    local_actor_id: int = Field(foreign_key="actors.id", ondelete="CASCADE")
    remote_actor_id: int = Field(foreign_key="actors.id", index=True, ondelete="CASCADE")
    post_id: int | None = Field(
        default=None, foreign_key="posts.id", index=True, ondelete="CASCADE"
    )
    activity_ap_id: str | None = Field(default=None, max_length=2048)
    is_read: bool = False
    created_at: datetime = Field(sa_column=utc_column())
