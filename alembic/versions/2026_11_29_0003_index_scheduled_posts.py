"""posts: index scheduled_at, so the worker finds due posts without scanning every post

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 18:37:33.186149
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.create_index("ix_posts_scheduled_at", ["scheduled_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_index("ix_posts_scheduled_at")
