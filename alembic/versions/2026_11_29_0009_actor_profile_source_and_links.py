"""actor profile source and links

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 22:40:00.000000

Actors gain `summary_source` (the bio's Markdown, so staff can edit it again) and
`profile_links` (label and value pairs, published as PropertyValue attachments).
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("actors", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("summary_source", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("profile_links", sa.JSON(), nullable=False, server_default="[]")
        )


def downgrade() -> None:
    with op.batch_alter_table("actors", schema=None) as batch_op:
        batch_op.drop_column("profile_links")
        batch_op.drop_column("summary_source")
