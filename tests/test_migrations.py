"""The Alembic migrations produce exactly the schema the models describe, on both databases."""

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import hub.models  # noqa: F401 - registers the tables
from hub.db import create_engine, current_revision, migrate
from hub.models.search import SEARCH_SCHEMA_OBJECTS


def _is_model_object(
    _obj: Any, name: str | None, _type: str, _reflected: bool, _compare_to: Any
) -> bool:
    # The full-text search structures (the FTS5 table and its shadow tables on SQLite, the
    # tsvector column and its GIN index on PostgreSQL) exist on one dialect each, so no
    # model can describe them; migration 0008 makes them and the search tests check them.
    return name not in SEARCH_SCHEMA_OBJECTS


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_object": _is_model_object}
    )
    return list(compare_metadata(context, SQLModel.metadata))


async def test_migrations_match_models(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            differences = await connection.run_sync(_differences)
    finally:
        await engine.dispose()
    assert differences == []


async def test_migrate_is_idempotent(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        before = await current_revision(engine)
        await migrate(engine)
        assert await current_revision(engine) == before
        assert before is not None
    finally:
        await engine.dispose()
