"""login failures: the database-wide login rate limit

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 18:16:21.574241
"""

from collections.abc import Sequence

import sqlalchemy as sa

import hub.models.types
from alembic import op

revision: str = "0005"
# Also the point where the two branches of this release (0004 and 0006) meet.
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("client_address", sa.String(length=64), nullable=False),
        sa.Column("attempted_at", hub.models.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_login_failures_attempted_at"), ["attempted_at"], unique=False
        )
        batch_op.create_index(
            "ix_login_failures_client_at", ["client_address", "attempted_at"], unique=False
        )
        batch_op.create_index("ix_login_failures_email_at", ["email", "attempted_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.drop_index("ix_login_failures_email_at")
        batch_op.drop_index("ix_login_failures_client_at")
        batch_op.drop_index(batch_op.f("ix_login_failures_attempted_at"))
    op.drop_table("login_failures")
