"""reader timeline and notifications: timeline_entries, timeline_tags, notifications

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 20:18:56.119002
"""

from collections.abc import Sequence

import sqlalchemy as sa

import hub.models.types
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("local_actor_id", sa.Integer(), nullable=False),
        sa.Column("remote_actor_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("activity_ap_id", sa.String(length=2048), nullable=True),
        sa.Column("is_read", sa.Boolean(), nullable=False),
        sa.Column("created_at", hub.models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["local_actor_id"], ["actors.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["remote_actor_id"], ["actors.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index("ix_notifications_actor", ["local_actor_id", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_notifications_post_id"), ["post_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_notifications_remote_actor_id"), ["remote_actor_id"], unique=False
        )
        batch_op.create_index(
            "ix_notifications_unread", ["is_read", "local_actor_id"], unique=False
        )

    op.create_table(
        "timeline_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("source_actor_id", sa.Integer(), nullable=False),
        sa.Column("is_boost", sa.Boolean(), nullable=False),
        sa.Column("announce_ap_id", sa.String(length=2048), nullable=True),
        sa.Column("created_at", hub.models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["source_actor_id"], ["actors.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("post_id", "source_actor_id", name="uq_timeline_entries_post_source"),
    )
    with op.batch_alter_table("timeline_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_timeline_entries_announce_ap_id"), ["announce_ap_id"], unique=False
        )
        batch_op.create_index("ix_timeline_entries_source", ["source_actor_id", "id"], unique=False)

    op.create_table(
        "timeline_tags",
        sa.Column("tag", sa.String(length=100), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["entry_id"], ["timeline_entries.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("tag", "entry_id"),
    )
    with op.batch_alter_table("timeline_tags", schema=None) as batch_op:
        batch_op.create_index("ix_timeline_tags_entry", ["entry_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("timeline_tags", schema=None) as batch_op:
        batch_op.drop_index("ix_timeline_tags_entry")

    op.drop_table("timeline_tags")
    with op.batch_alter_table("timeline_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_timeline_entries_source")
        batch_op.drop_index(batch_op.f("ix_timeline_entries_announce_ap_id"))

    op.drop_table("timeline_entries")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_unread")
        batch_op.drop_index(batch_op.f("ix_notifications_remote_actor_id"))
        batch_op.drop_index(batch_op.f("ix_notifications_post_id"))
        batch_op.drop_index("ix_notifications_actor")

    op.drop_table("notifications")
