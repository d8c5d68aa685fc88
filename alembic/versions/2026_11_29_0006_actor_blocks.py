"""actor blocks: remote actors that block one of ours

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 18:16:49.212077
"""

from collections.abc import Sequence

import sqlalchemy as sa

import hub.models.types
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "actor_blocks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ap_id", sa.String(length=2048), nullable=False),
        sa.Column("blocker_id", sa.Integer(), nullable=False),
        sa.Column("blocked_id", sa.Integer(), nullable=False),
        sa.Column("created_at", hub.models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["blocked_id"], ["actors.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["blocker_id"], ["actors.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("blocker_id", "blocked_id"),
    )
    with op.batch_alter_table("actor_blocks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_actor_blocks_ap_id"), ["ap_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_actor_blocks_blocked_id"), ["blocked_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_actor_blocks_blocker_id"), ["blocker_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("actor_blocks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_actor_blocks_blocker_id"))
        batch_op.drop_index(batch_op.f("ix_actor_blocks_blocked_id"))
        batch_op.drop_index(batch_op.f("ix_actor_blocks_ap_id"))

    op.drop_table("actor_blocks")
