"""Migration 0004 indexes the tags of the posts a Hub already had."""

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from alembic import command
from hub.db import alembic_config, create_engine, create_session_factory, migrate
from hub.models import Actor, Post, PostTag

PUBLISHED = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _downgrade_to_0002(connection: Connection) -> None:
    command.downgrade(alembic_config(connection), "0002")


async def _insert_as_of_now(session: AsyncSession, rows: list[Actor] | list[Post]) -> None:
    """Insert rows with only the columns the (downgraded) table has; later ones are absent."""
    model = type(rows[0])
    table_name = str(model.__tablename__)

    def columns_now(connection: Connection) -> set[str]:
        return {column["name"] for column in sa.inspect(connection).get_columns(table_name)}

    existing = await (await session.connection()).run_sync(columns_now)
    model_columns = [
        column for column in model.__table__.columns  # type: ignore[union-attr]  # a Table
        if column.name in existing
        and (column.name != "id" or getattr(rows[0], "id", None) is not None)
    ]  # fmt: skip
    table = sa.table(table_name, *(sa.column(column.name, column.type) for column in model_columns))
    values = [{column.name: getattr(row, column.name) for column in model_columns} for row in rows]
    await session.exec(sa.insert(table), params=values)


def _post(
    actor_id: int,
    slug: str,
    tags: list[str],
    *,
    state: str = "published",
    deleted_at: datetime | None = None,
) -> Post:
    return Post(
        ap_id=f"https://hub.test/users/org/posts/{slug}",
        actor_id=actor_id,
        is_local=True,
        slug=slug,
        title=slug,
        tags=tags,
        published_at=PUBLISHED,
        state=state,
        deleted_at=deleted_at,
    )


async def test_upgrade_indexes_tags_of_existing_local_posts(database_url: str) -> None:
    engine = create_engine(database_url)
    sessions = create_session_factory(engine)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_downgrade_to_0002)
        async with sessions() as session, session.begin():
            actor = Actor(
                id=1,
                ap_id="https://hub.test/users/org",
                is_local=True,
                username="org",
                domain="hub.test",
                actor_type="Organization",
                inbox_url="https://hub.test/users/org/inbox",
                published_at=PUBLISHED,
            )
            # Columns added after 0002 (such as the actor's profile links) do not exist yet.
            await _insert_as_of_now(session, [actor])
            assert actor.id is not None
            await _insert_as_of_now(
                session,
                [
                    _post(actor.id, "a1", ["Care", "care", "power"]),
                    _post(actor.id, "a2", ["draft-tag"], state="draft"),
                    _post(actor.id, "a3", ["gone"], deleted_at=PUBLISHED),
                ],
            )
        await migrate(engine)
        async with sessions() as session:
            rows = await session.exec(
                select(Post.slug, PostTag.tag, PostTag.published_at)
                .join(Post, col(Post.id) == col(PostTag.post_id))
                .order_by(col(Post.slug), col(PostTag.tag))
            )
            indexed = list(rows.all())
    finally:
        await engine.dispose()
    assert indexed == [
        ("a1", "care", PUBLISHED),
        ("a1", "power", PUBLISHED),
        ("a2", "draft-tag", PUBLISHED),
    ]
