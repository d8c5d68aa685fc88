"""SQLite writers of one process take turns: none waits on another that has finished."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.db import create_engine

WRITERS = 12


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """An engine on a new SQLite file with one table."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'turns.db'}")
    async with engine.begin() as connection:
        await connection.execute(sa.text("CREATE TABLE notes (writer INTEGER, step INTEGER)"))
    yield engine
    await engine.dispose()


async def _count(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int((await connection.execute(sa.text("SELECT count(*) FROM notes"))).scalar_one())


async def test_writers_that_pause_inside_their_transactions_all_commit(
    engine: AsyncEngine,
) -> None:
    async def write(writer: int) -> None:
        async with engine.begin() as connection:
            for step in range(2):
                await connection.execute(
                    sa.text("INSERT INTO notes VALUES (:writer, :step)"),
                    {"writer": writer, "step": step},
                )
                await asyncio.sleep(0.01)  # others run meanwhile, and want to write too

    await asyncio.wait_for(asyncio.gather(*(write(n) for n in range(WRITERS))), timeout=10)
    assert await _count(engine) == WRITERS * 2


async def _fail_half_way(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.execute(sa.text("INSERT INTO notes VALUES (1, 0)"))
        raise RuntimeError("a bug half-way through a transaction")


async def test_a_writer_that_fails_gives_its_turn_back(engine: AsyncEngine) -> None:
    with pytest.raises(RuntimeError):
        await _fail_half_way(engine)
    async with engine.connect() as connection:
        await connection.execute(sa.text("INSERT INTO notes VALUES (2, 0)"))
        await connection.rollback()
    # Neither the failed transaction nor the rolled-back one holds the turn any more.
    async with asyncio.timeout(5), engine.begin() as connection:
        await connection.execute(sa.text("INSERT INTO notes VALUES (3, 0)"))
    assert await _count(engine) == 1


async def test_readers_do_not_wait_for_a_writer(engine: AsyncEngine) -> None:
    async with engine.connect() as writer:
        await writer.execute(sa.text("INSERT INTO notes VALUES (1, 0)"))
        # The writer holds its turn (and SQLite's write lock) until it commits.
        assert await asyncio.wait_for(_count(engine), timeout=5) == 0
        await writer.commit()
    assert await _count(engine) == 1
