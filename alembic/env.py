"""Alembic environment: runs migrations on a connection Hub hands over, or on HUB_* settings."""

import asyncio
from typing import Any, Literal

from alembic.autogenerate.api import AutogenContext
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString

import hub.models  # noqa: F401 - registers every table on SQLModel.metadata
from alembic import context
from hub.config import load_settings, process_environment
from hub.db import create_engine
from hub.models.search import SEARCH_SCHEMA_OBJECTS
from hub.models.types import UTCDateTime

target_metadata = SQLModel.metadata


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Render our column types as plain SQLAlchemy and Hub types in generated migrations."""
    if type_ == "type" and isinstance(obj, AutoString):
        return f"sa.String(length={obj.length})" if obj.length else "sa.String()"
    if type_ == "type" and isinstance(obj, UTCDateTime):
        autogen_context.imports.add("import hub.models.types")
        return "hub.models.types.UTCDateTime()"
    return False


def include_object(
    _obj: Any, name: str | None, _type: str, _reflected: bool, _compare_to: Any
) -> bool:
    """Leave the full-text search structures alone: migration 0008 made them, not the models."""
    return name not in SEARCH_SCHEMA_OBJECTS


def run_with_connection(connection: Connection) -> None:
    """Run the migrations inside the given connection's transaction."""
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        render_item=render_item,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_from_settings() -> None:
    """Open the database named by the settings and migrate it (the `alembic` command path)."""
    settings = load_settings(process_environment())
    engine = create_engine(settings.database_url)
    async with engine.begin() as connection:
        await connection.run_sync(run_with_connection)
    await engine.dispose()


given_connection = context.config.attributes.get("connection")
if given_connection is not None:
    run_with_connection(given_connection)
else:
    asyncio.run(run_from_settings())
