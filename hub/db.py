"""Database engines, sessions and migrations, the same on SQLite and PostgreSQL."""

import asyncio
import re
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.util import await_only
from sqlmodel.ext.asyncio.session import AsyncSession

from alembic import command

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ALEMBIC_DIR = PROJECT_ROOT / "alembic"

SessionFactory = async_sessionmaker[AsyncSession]
SQLITE_BUSY_TIMEOUT_SECONDS = 30


def create_engine(database_url: str) -> AsyncEngine:
    """Create the one engine of an app; SQLite gets WAL and a busy timeout on every connection."""
    if database_url.startswith("sqlite"):
        _ensure_sqlite_folder(database_url)
        engine = create_async_engine(
            database_url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS}
        )
        event.listen(engine.sync_engine, "connect", _configure_sqlite_connection)
        serialise_sqlite_writes(engine)
        return engine
    return create_async_engine(database_url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def create_session_factory(engine: AsyncEngine) -> SessionFactory:
    """Return the factory of one-per-unit-of-work sessions."""
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


def _ensure_sqlite_folder(database_url: str) -> None:
    path = sa.engine.make_url(database_url).database
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    # aiosqlite runs its own transaction handling; these pragmas must run outside one.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_SECONDS * 1000}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


# The table an INSERT, UPDATE or DELETE writes to (a leading WITH or a quoted name allowed).
_WRITTEN_TABLE = re.compile(
    r"\b(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)", re.IGNORECASE
)
_WROTE_WATCHED_TABLE = "hub_wrote_watched_table"
_READ_ONLY_STATEMENTS = ("SELECT", "PRAGMA", "EXPLAI")


def _is_read_only(statement: str) -> bool:
    return statement.lstrip()[:6].upper() in _READ_ONLY_STATEMENTS


def written_table(statement: str) -> str | None:
    """Return the table a DML statement writes to, or None for anything else."""
    if _is_read_only(statement):
        return None
    found = _WRITTEN_TABLE.search(statement)
    return None if found is None else found.group(1).lower()


def call_on_commit_of_writes(
    engine: AsyncEngine, callback: Callable[[], None], *, ignored_tables: frozenset[str]
) -> None:
    """Call `callback` whenever a transaction of `engine` that wrote to a table commits.

    Writes to `ignored_tables` alone do not count. The callback runs as the commit is sent,
    so a reader that looks before the commit has finished may still see the old rows:
    whatever it keeps must also expire by time.
    """
    sync_engine = engine.sync_engine

    def note_write(
        connection: Connection, _cursor: Any, statement: str, *_args: Any, **_kwargs: Any
    ) -> None:
        if connection.info.get(_WROTE_WATCHED_TABLE):
            return
        table = written_table(statement)
        if table is not None and table not in ignored_tables:
            connection.info[_WROTE_WATCHED_TABLE] = True

    def committed(connection: Connection) -> None:
        if connection.info.pop(_WROTE_WATCHED_TABLE, False):
            callback()

    def rolled_back(connection: Connection) -> None:
        connection.info.pop(_WROTE_WATCHED_TABLE, None)

    event.listen(sync_engine, "before_cursor_execute", note_write)
    event.listen(sync_engine, "commit", committed)
    event.listen(sync_engine, "rollback", rolled_back)


_HOLDS_WRITE_TURN = "hub_holds_sqlite_write_turn"


def serialise_sqlite_writes(engine: AsyncEngine) -> None:
    """Let one transaction of this process write to SQLite at a time, the others in turn.

    SQLite has one writer. A transaction that finds the write lock taken sleeps in SQLite's
    busy handler (1, 2, 5, 10 ... 100 ms at a time) and tries again, so under load writers
    wait far longer than the lock is held, and the unlucky ones for a second or more. Here
    the writers of one process queue on an asyncio lock instead: taken just before the
    transaction's first write (where SQLite takes its own), released at commit or rollback,
    so each goes as soon as the one before is done. Other processes still meet the busy
    handler. Reads never wait.
    """
    turns: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
        weakref.WeakKeyDictionary()
    )

    def turn() -> asyncio.Lock:
        return turns.setdefault(asyncio.get_running_loop(), asyncio.Lock())

    def take_turn(
        connection: Connection, _cursor: Any, statement: str, *_args: Any, **_kwargs: Any
    ) -> None:
        if connection.info.get(_HOLDS_WRITE_TURN):
            return
        if _is_read_only(statement):
            return
        lock = turn()
        if not lock.locked():
            await_only(lock.acquire())  # free: taken at once, without a timer
        else:
            try:
                await_only(asyncio.wait_for(lock.acquire(), SQLITE_BUSY_TIMEOUT_SECONDS))
            except TimeoutError:
                error = Exception("database is locked")
                raise sa.exc.OperationalError(statement, None, error) from None
        connection.info[_HOLDS_WRITE_TURN] = lock

    def end_turn(info: dict[Any, Any]) -> None:
        # The lock taken is kept with the connection: a pool event may come without a loop.
        held: asyncio.Lock | None = info.pop(_HOLDS_WRITE_TURN, None)
        if held is not None:
            held.release()

    def transaction_ended(connection: Connection) -> None:
        end_turn(connection.info)

    def connection_dropped(**arguments: Any) -> None:
        record: ConnectionPoolEntry = arguments["connection_record"]
        end_turn(record.info)

    sync_engine = engine.sync_engine
    event.listen(sync_engine, "before_cursor_execute", take_turn)
    event.listen(sync_engine, "commit", transaction_ended)
    event.listen(sync_engine, "rollback", transaction_ended)
    for pool_event in ("reset", "invalidate", "close"):
        event.listen(sync_engine.pool, pool_event, connection_dropped, named=True)


def alembic_config(connection: Connection | None = None) -> Config:
    """Return an Alembic config for our migrations, optionally bound to an open connection."""
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ALEMBIC_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


async def migrate(engine: AsyncEngine) -> None:
    """Bring the schema up to the newest migration."""
    async with engine.begin() as connection:
        await connection.run_sync(_upgrade_to_head)


def _upgrade_to_head(connection: Connection) -> None:
    command.upgrade(alembic_config(connection), "head")


async def current_revision(engine: AsyncEngine) -> str | None:
    """Return the schema's migration revision, or None for an empty database."""
    async with engine.connect() as connection:
        return await connection.run_sync(_read_revision)


def _read_revision(connection: Connection) -> str | None:
    if not sa.inspect(connection).has_table("alembic_version"):
        return None
    row = connection.execute(sa.text("SELECT version_num FROM alembic_version")).first()
    return None if row is None else str(row[0])


async def insert_ignoring_conflicts(
    session: AsyncSession,
    model: type[Any],
    values: dict[str, Any],
    *,
    conflict_columns: list[str],
) -> bool:
    """Insert one row unless it clashes on `conflict_columns`; return whether it was inserted.

    `INSERT … ON CONFLICT DO NOTHING` on both databases, so a replayed activity or a re-run
    fan-out is a no-op rather than an error that aborts the transaction.
    """
    table = model.__table__
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        statement: Any = postgresql_insert(table).values(**values)
    else:
        statement = sqlite_insert(table).values(**values)
    statement = statement.on_conflict_do_nothing(index_elements=conflict_columns)
    result = await session.exec(statement)
    return bool(getattr(result, "rowcount", 0))


async def insert_many_ignoring_conflicts(
    session: AsyncSession,
    model: type[Any],
    rows: list[dict[str, Any]],
    *,
    conflict_columns: list[str],
) -> int:
    """Insert rows, skipping clashes; return how many were inserted.

    One statement compiled once and sent in batches (SQLAlchemy's "insertmanyvalues"), so
    ten thousand rows cost little more Python than one; RETURNING counts the rows that
    went in, which a skipped clash does not.
    """
    if not rows:
        return 0
    table = model.__table__
    if session.get_bind().dialect.name == "postgresql":
        statement: Any = postgresql_insert(table)
    else:
        statement = sqlite_insert(table)
    statement = statement.on_conflict_do_nothing(index_elements=conflict_columns)
    connection = await session.connection()
    result = await connection.execute(statement.returning(table.c[conflict_columns[0]]), rows)
    return len(result.all())
