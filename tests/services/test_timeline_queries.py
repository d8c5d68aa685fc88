"""Every public list walks an index in order: no sort, no scan that grows with the database."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection

from hub.db import create_engine
from hub.services.timeline import (
    Cursor,
    actor_posts_query,
    latest_posts_query,
    series_posts_query,
    tag_posts_query,
)

CURSOR = Cursor(datetime(2026, 3, 1, tzinfo=UTC), 42)
QUERIES: dict[str, tuple[Callable[[Cursor | None], Any], str]] = {
    "actor": (lambda before: actor_posts_query(1, before, 21), "ix_posts_actor_published"),
    "feed": (
        lambda before: actor_posts_query(1, before, 21, include_unlisted=False),
        "ix_posts_actor_published",
    ),
    "home": (lambda before: latest_posts_query(before, 21), "ix_posts_local_published"),
    "tag": (lambda before: tag_posts_query("care", before, 21), "ix_post_tags_tag_published"),
    "series": (
        lambda before: series_posts_query(1, "joining-the-dots", before, 21),
        "ix_posts_actor_series_published",
    ),
}


async def _plan(connection: AsyncConnection, statement: Any, backend: str) -> str:
    """Return the database's plan for a statement, as text."""
    captured: list[tuple[str, Any]] = []

    def capture(*args: Any) -> None:
        captured.append((args[2], args[3]))

    event.listen(connection.sync_connection, "before_cursor_execute", capture)
    await connection.execute(statement)
    event.remove(connection.sync_connection, "before_cursor_execute", capture)
    sql, parameters = captured[0]
    if backend == "postgresql":
        # A fresh test database's tables are tiny, so the planner would rightly scan and sort
        # them; penalising both shows whether an index delivers rows in order, as it must
        # once the tables are large. (Penalised plans are still chosen when nothing else can.)
        await connection.exec_driver_sql("SET enable_seqscan = off")
        await connection.exec_driver_sql("SET enable_sort = off")
        rows = await connection.exec_driver_sql("EXPLAIN " + sql, parameters)
        return "\n".join(str(row[0]) for row in rows)
    rows = await connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, parameters)
    return "\n".join(str(row[-1]) for row in rows)


@pytest.mark.parametrize("name", list(QUERIES))
@pytest.mark.parametrize("before", [None, CURSOR], ids=["first-page", "older-page"])
async def test_list_query_walks_its_index_without_sorting(
    database_url: str, backend: str, name: str, before: Cursor | None
) -> None:
    build, index = QUERIES[name]
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            plan = await _plan(connection, build(before), backend)
    finally:
        await engine.dispose()
    assert index in plan
    assert "TEMP B-TREE" not in plan  # SQLite sorting rows itself
    assert "Sort" not in plan  # PostgreSQL sorting rows itself
    assert "Seq Scan" not in plan
