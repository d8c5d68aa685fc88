"""reply lookup index

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 01:30:00.000000

A post's visible replies are found by `in_reply_to` and `approval` together. With only
single-column indexes, SQLite (which has no statistics unless ANALYZE ran) took the index on
`approval`, where almost every post is "approved", and counted a post's replies by walking
every post: a post page at 100,000 posts took ten times as long as at 1,000. The pair index
replaces the one on `in_reply_to`.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_posts_in_reply_to_approval", ["in_reply_to", "approval"], unique=False
        )
        batch_op.drop_index(batch_op.f("ix_posts_in_reply_to"))


def downgrade() -> None:
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_posts_in_reply_to"), ["in_reply_to"], unique=False)
        batch_op.drop_index("ix_posts_in_reply_to_approval")
