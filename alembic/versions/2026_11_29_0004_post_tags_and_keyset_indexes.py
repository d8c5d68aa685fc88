"""post tags index and keyset indexes on posts

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 18:16:36.342954
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

import hub.models.types
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_posts = sa.table(
    "posts",
    sa.column("id", sa.Integer()),
    sa.column("is_local", sa.Boolean()),
    sa.column("deleted_at", hub.models.types.UTCDateTime()),
    sa.column("published_at", hub.models.types.UTCDateTime()),
    sa.column("tags", sa.JSON()),
)
_post_tags = sa.table(
    "post_tags",
    sa.column("post_id", sa.Integer()),
    sa.column("tag", sa.String()),
    sa.column("published_at", hub.models.types.UTCDateTime()),
)


def upgrade() -> None:
    op.create_table(
        "post_tags",
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=100), nullable=False),
        sa.Column("published_at", hub.models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("post_id", "tag"),
    )
    with op.batch_alter_table("post_tags", schema=None) as batch_op:
        batch_op.create_index(
            "ix_post_tags_tag_published", ["tag", "published_at", "post_id"], unique=False
        )

    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_posts_actor_published", ["actor_id", "published_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_posts_actor_series_published",
            ["actor_id", "series_slug", "published_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_posts_local_published", ["is_local", "published_at", "id"], unique=False
        )

    _index_existing_tags()


def _index_existing_tags() -> None:
    """Index the tags of the local posts written before this revision (not deleted ones)."""
    connection = op.get_bind()
    listed = sa.select(_posts.c.id, _posts.c.published_at, _posts.c.tags).where(
        _posts.c.is_local.is_(True), _posts.c.deleted_at.is_(None)
    )
    rows: list[dict[str, Any]] = []
    for post_id, published_at, tags in connection.execute(listed):
        names = {str(tag).lower() for tag in tags or []}
        rows.extend(
            {"post_id": post_id, "tag": name, "published_at": published_at}
            for name in sorted(names)
            if name
        )
    if rows:
        connection.execute(_post_tags.insert(), rows)


def downgrade() -> None:
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_index("ix_posts_local_published")
        batch_op.drop_index("ix_posts_actor_series_published")
        batch_op.drop_index("ix_posts_actor_published")

    with op.batch_alter_table("post_tags", schema=None) as batch_op:
        batch_op.drop_index("ix_post_tags_tag_published")

    op.drop_table("post_tags")
