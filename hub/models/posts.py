"""Posts: our own articles and notes, and the remote objects we have received."""

from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from hub.models.types import utc_column

Visibility = Literal["public", "unlisted", "followers", "direct"]
# A local post is a draft until published; a scheduled one federates at `scheduled_at`.
# Remote posts are always "published".
PostState = Literal["draft", "scheduled", "published"]
# Whether a remote post may be shown: replies to our posts from actors none of ours follow
# wait as "pending" until a person approves or rejects them (`hold_replies_from_strangers`).
Approval = Literal["approved", "pending", "rejected"]


class Post(SQLModel, table=True):
    """A Note or Article; `is_local` posts have a slug and Markdown source."""

    __tablename__ = "posts"
    # Keyset pages walk these newest first: an actor's posts, all local posts, a series.
    __table_args__ = (
        sa.Index("ix_posts_actor_published", "actor_id", "published_at", "id"),
        sa.Index("ix_posts_local_published", "is_local", "published_at", "id"),
        sa.Index(
            "ix_posts_actor_series_published", "actor_id", "series_slug", "published_at", "id"
        ),
        # A post's visible replies: both columns, or SQLite walks the `approval` index.
        sa.Index("ix_posts_in_reply_to_approval", "in_reply_to", "approval"),
    )

    id: int | None = Field(default=None, primary_key=True)
    ap_id: str = Field(max_length=2048, unique=True, index=True)
    actor_id: int = Field(foreign_key="actors.id", index=True, ondelete="CASCADE")
    is_local: bool = Field(default=False, index=True)
    slug: str | None = Field(default=None, max_length=64, unique=True)
    object_type: str = Field(default="Article", max_length=32)
    title: str = Field(default="", sa_type=sa.Text)
    summary: str = Field(default="", sa_type=sa.Text)
    content_html: str = Field(default="", sa_type=sa.Text)
    source_markdown: str | None = Field(default=None, sa_type=sa.Text)
    html_url: str | None = Field(default=None, max_length=2048)
    in_reply_to: str | None = Field(default=None, max_length=2048)
    visibility: str = Field(default="public", max_length=16)
    language: str | None = Field(default=None, max_length=16)
    tags: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    series: str = Field(default="", sa_type=sa.Text)
    series_slug: str | None = Field(default=None, max_length=128, index=True)
    content_warning: str = Field(default="", sa_type=sa.Text)
    is_sensitive: bool = False
    state: str = Field(default="published", max_length=16)
    approval: str = Field(
        default="approved",
        max_length=16,
        index=True,
        sa_column_kwargs={"server_default": "approved"},
    )
    scheduled_at: datetime | None = Field(
        default=None, sa_column=utc_column(nullable=True, index=True)
    )
    author_account_id: int | None = Field(
        default=None, foreign_key="accounts.id", ondelete="SET NULL"
    )
    document: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    published_at: datetime = Field(sa_column=utc_column(index=True))
    updated_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    deleted_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class PostTag(SQLModel, table=True):
    """One tag of a local post that is not deleted, so tag pages page by index, not by scanning.

    Kept in step with its post by `hub.services.listing.index_post_tags`; `tag` is lowercase.
    Tag pages still check the post's state and visibility.
    """

    __tablename__ = "post_tags"
    __table_args__ = (sa.Index("ix_post_tags_tag_published", "tag", "published_at", "post_id"),)

    post_id: int = Field(foreign_key="posts.id", primary_key=True, ondelete="CASCADE")
    tag: str = Field(max_length=100, primary_key=True)
    published_at: datetime = Field(sa_column=utc_column())
