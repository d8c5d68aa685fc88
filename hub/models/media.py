"""Media attachments: images uploaded for our posts and the media remote posts carry."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from hub.models.types import utc_column


class MediaAttachment(SQLModel, table=True):
    """One image (or other media) of a post, with its alt text.

    Local uploads live under the data folder as `file_name` and may exist before their post
    (a draft being composed: `post_id` is None until the post is saved). Remote media keep
    only the `remote_url` the sender gave.
    """

    __tablename__ = "media_attachments"
    __table_args__ = (sa.Index("ix_media_attachments_post", "post_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    post_id: int | None = Field(default=None, foreign_key="posts.id", ondelete="CASCADE")
    position: int = 0
    is_local: bool = True
    uploaded_by_account_id: int | None = Field(
        default=None, foreign_key="accounts.id", ondelete="SET NULL"
    )
    file_name: str | None = Field(default=None, max_length=255, unique=True)
    remote_url: str | None = Field(default=None, max_length=2048)
    media_type: str = Field(max_length=64)
    description: str = Field(default="", sa_type=sa.Text)
    width: int | None = None
    height: int | None = None
    blurhash: str | None = Field(default=None, max_length=128)
    size_bytes: int | None = None
    created_at: datetime = Field(sa_column=utc_column())
