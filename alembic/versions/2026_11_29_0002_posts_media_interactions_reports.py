"""posts: series, content warning, state; media attachments, interactions, reports

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 18:11:21.676453
"""

from collections.abc import Sequence

import sqlalchemy as sa

import hub.models.types
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ap_id", sa.String(length=2048), nullable=False),
        sa.Column("reporter_actor_id", sa.Integer(), nullable=False),
        sa.Column("target_ap_ids", sa.JSON(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", hub.models.types.UTCDateTime(), nullable=False),
        sa.Column("resolved_at", hub.models.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["reporter_actor_id"], ["actors.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reports_ap_id"), ["ap_id"], unique=True)
        batch_op.create_index(
            batch_op.f("ix_reports_reporter_actor_id"), ["reporter_actor_id"], unique=False
        )

    op.create_table(
        "interactions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ap_id", sa.String(length=2048), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("object_ap_id", sa.String(length=2048), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("created_at", hub.models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["actors.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "actor_id", "object_ap_id"),
    )
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_interactions_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_interactions_ap_id"), ["ap_id"], unique=True)
        batch_op.create_index(
            batch_op.f("ix_interactions_object_ap_id"), ["object_ap_id"], unique=False
        )
        batch_op.create_index("ix_interactions_post_kind", ["post_id", "kind"], unique=False)

    op.create_table(
        "media_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("is_local", sa.Boolean(), nullable=False),
        sa.Column("uploaded_by_account_id", sa.Integer(), nullable=True),
        sa.Column("file_name", sa.String(length=255), nullable=True),
        sa.Column("remote_url", sa.String(length=2048), nullable=True),
        sa.Column("media_type", sa.String(length=64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("blurhash", sa.String(length=128), nullable=True),
        sa.Column("size_bytes", sa.Integer(), nullable=True),
        sa.Column("created_at", hub.models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["uploaded_by_account_id"], ["accounts.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("file_name"),
    )
    with op.batch_alter_table("media_attachments", schema=None) as batch_op:
        batch_op.create_index("ix_media_attachments_post", ["post_id", "position"], unique=False)

    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("series", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("series_slug", sa.String(length=128), nullable=True))
        batch_op.add_column(
            sa.Column("content_warning", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("is_sensitive", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("state", sa.String(length=16), nullable=False, server_default="published")
        )
        batch_op.add_column(
            sa.Column("scheduled_at", hub.models.types.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(sa.Column("author_account_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_posts_series_slug"), ["series_slug"], unique=False)
        batch_op.create_foreign_key(
            "fk_posts_author_account_id_accounts",
            "accounts",
            ["author_account_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_constraint("fk_posts_author_account_id_accounts", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_posts_series_slug"))
        batch_op.drop_column("author_account_id")
        batch_op.drop_column("scheduled_at")
        batch_op.drop_column("state")
        batch_op.drop_column("is_sensitive")
        batch_op.drop_column("content_warning")
        batch_op.drop_column("series_slug")
        batch_op.drop_column("series")

    with op.batch_alter_table("media_attachments", schema=None) as batch_op:
        batch_op.drop_index("ix_media_attachments_post")

    op.drop_table("media_attachments")
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.drop_index("ix_interactions_post_kind")
        batch_op.drop_index(batch_op.f("ix_interactions_object_ap_id"))
        batch_op.drop_index(batch_op.f("ix_interactions_ap_id"))
        batch_op.drop_index(batch_op.f("ix_interactions_actor_id"))

    op.drop_table("interactions")
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reports_reporter_actor_id"))
        batch_op.drop_index(batch_op.f("ix_reports_ap_id"))

    op.drop_table("reports")
