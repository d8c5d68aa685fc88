"""reply approval and post search

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 20:30:08.600572

Posts gain `approval` (replies from strangers wait for a person). `post_search` holds each
post's searchable words (hub.models.search); each database gets its own full-text index
over it: an external-content FTS5 table kept in step by triggers on SQLite, a generated
`tsvector` column with a GIN index on PostgreSQL. Existing posts are indexed here.
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

import hub.models.types
from alembic import op
from hub.models.search import search_row_values

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_posts = sa.table(
    "posts",
    sa.column("id", sa.Integer()),
    sa.column("is_local", sa.Boolean()),
    sa.column("title", sa.Text()),
    sa.column("summary", sa.Text()),
    sa.column("content_html", sa.Text()),
    sa.column("deleted_at", hub.models.types.UTCDateTime()),
)
_post_search = sa.table(
    "post_search",
    sa.column("post_id", sa.Integer()),
    sa.column("title", sa.Text()),
    sa.column("summary", sa.Text()),
    sa.column("body", sa.Text()),
)

# The FTS5 table reads its text from post_search (external content); these triggers keep its
# index in step with every insert, update and delete there (a post's delete cascades).
SQLITE_SEARCH = [
    """
    CREATE VIRTUAL TABLE post_search_fts USING fts5(
        title, summary, body,
        content='post_search', content_rowid='post_id',
        tokenize='unicode61 remove_diacritics 0'
    )
    """,
    """
    CREATE TRIGGER post_search_after_insert AFTER INSERT ON post_search BEGIN
        INSERT INTO post_search_fts (rowid, title, summary, body)
        VALUES (new.post_id, new.title, new.summary, new.body);
    END
    """,
    """
    CREATE TRIGGER post_search_after_delete AFTER DELETE ON post_search BEGIN
        INSERT INTO post_search_fts (post_search_fts, rowid, title, summary, body)
        VALUES ('delete', old.post_id, old.title, old.summary, old.body);
    END
    """,
    """
    CREATE TRIGGER post_search_after_update AFTER UPDATE ON post_search BEGIN
        INSERT INTO post_search_fts (post_search_fts, rowid, title, summary, body)
        VALUES ('delete', old.post_id, old.title, old.summary, old.body);
        INSERT INTO post_search_fts (rowid, title, summary, body)
        VALUES (new.post_id, new.title, new.summary, new.body);
    END
    """,
]
SQLITE_SEARCH_DROP = [
    "DROP TRIGGER IF EXISTS post_search_after_update",
    "DROP TRIGGER IF EXISTS post_search_after_delete",
    "DROP TRIGGER IF EXISTS post_search_after_insert",
    "DROP TABLE IF EXISTS post_search_fts",
]
# Weights mark where a word was: A title, B summary, C body; searches use them to rank.
POSTGRESQL_SEARCH = [
    """
    ALTER TABLE post_search ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, title), 'A')
        || setweight(to_tsvector('simple'::regconfig, summary), 'B')
        || setweight(to_tsvector('simple'::regconfig, body), 'C')
    ) STORED
    """,
    "CREATE INDEX ix_post_search_vector ON post_search USING gin (search_vector)",
]
POSTGRESQL_SEARCH_DROP = [
    "DROP INDEX IF EXISTS ix_post_search_vector",
    "ALTER TABLE post_search DROP COLUMN IF EXISTS search_vector",
]


def upgrade() -> None:
    op.create_table(
        "post_search",
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("post_id"),
    )
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("approval", sa.String(length=16), server_default="approved", nullable=False)
        )
        batch_op.create_index(batch_op.f("ix_posts_approval"), ["approval"], unique=False)

    statements = SQLITE_SEARCH if op.get_bind().dialect.name == "sqlite" else POSTGRESQL_SEARCH
    for statement in statements:
        op.execute(statement)
    _index_existing_posts()


def _index_existing_posts() -> None:
    """Index the posts written before this revision (deleted ones are never searched)."""
    connection = op.get_bind()
    existing = sa.select(
        _posts.c.id, _posts.c.is_local, _posts.c.title, _posts.c.summary, _posts.c.content_html
    ).where(_posts.c.deleted_at.is_(None))
    rows: list[dict[str, Any]] = [
        {
            "post_id": post_id,
            **search_row_values(
                title or "", summary or "", content_html or "", summary_is_html=not is_local
            ),
        }
        for post_id, is_local, title, summary, content_html in connection.execute(existing)
    ]
    if rows:
        connection.execute(_post_search.insert(), rows)


def downgrade() -> None:
    is_sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_SEARCH_DROP if is_sqlite else POSTGRESQL_SEARCH_DROP:
        op.execute(statement)
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_posts_approval"))
        batch_op.drop_column("approval")

    op.drop_table("post_search")
