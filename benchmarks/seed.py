"""Fill a Hub's database quickly: remote actors and follows, and many rows for growth runs.

Bulk inserts through SQLAlchemy Core (one statement per batch), and PostgreSQL's COPY for
the million-row tables, so seeding does not dominate the run.
"""

import json
import secrets
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from benchmarks.peers import RemoteActor
from hub.models import Actor, ActorKey, Follow, OutgoingActivity, Post

BATCH = 500


def _table(model: type[Any]) -> sa.Table:
    table = model.__table__
    assert isinstance(table, sa.Table)
    return table


def _batches(
    rows: Sequence[dict[str, Any]], size: int = BATCH
) -> Iterator[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


async def local_actor_id(engine: AsyncEngine, username: str) -> int:
    """Return the id of a local actor."""
    actors = _table(Actor)
    async with engine.connect() as connection:
        result = await connection.execute(
            sa.select(actors.c.id).where(actors.c.username == username, actors.c.is_local)
        )
        return int(result.scalar_one())


async def add_remote_actors(
    engine: AsyncEngine,
    remote: Sequence[RemoteActor],
    *,
    following: int | None = None,
    followed_by: int | None = None,
) -> None:
    """Store remote actors with fresh keys, as if fetched just now, and their follows.

    `following`: the local actor they all follow (accepted); `followed_by`: the local actor
    that follows them all.
    """
    now = datetime.now(UTC)
    actors, keys, follows = _table(Actor), _table(ActorKey), _table(Follow)
    actor_rows = [
        {
            "ap_id": actor.ap_id, "is_local": False, "is_instance_actor": False,
            "username": actor.name, "domain": actor.authority, "actor_type": "Person",
            "display_name": actor.name, "summary_html": "", "html_url": None,
            "inbox_url": actor.inbox_url,
            "shared_inbox_url": actor.shared_inbox_url if actor.uses_shared_inbox else None,
            "manually_approves_followers": False, "discoverable": True, "indexable": True,
            "publishes_as_note": False, "published_at": now, "fetched_at": now,
        }
        for actor in remote
    ]  # fmt: skip
    async with engine.begin() as connection:
        ids: dict[str, int] = {}
        for batch in _batches(actor_rows):
            result = await connection.execute(
                actors.insert().returning(actors.c.id, actors.c.ap_id), list(batch)
            )
            ids.update({str(ap_id): int(actor_id) for actor_id, ap_id in result.all()})
        key_rows = [
            {"actor_id": ids[actor.ap_id], "key_id": actor.key_id,
             "public_key_pem": actor.public_pem, "created_at": now}
            for actor in remote
        ]  # fmt: skip
        for batch in _batches(key_rows):
            await connection.execute(keys.insert(), list(batch))
        follow_rows = []
        for actor in remote:
            if following is not None:
                follower, followed = ids[actor.ap_id], following
            elif followed_by is not None:
                follower, followed = followed_by, ids[actor.ap_id]
            else:
                continue
            follow_rows.append(
                {"follower_id": follower, "followed_id": followed, "state": "accepted",
                 "ap_id": f"{actor.ap_id}/follows/{secrets.token_hex(8)}", "created_at": now,
                 "accepted_at": now}
            )  # fmt: skip
        for batch in _batches(follow_rows):
            await connection.execute(follows.insert(), list(batch))


def _outgoing_row(actor_ap_id: str, actor_id: int, index: int, at: datetime) -> dict[str, Any]:
    post_id = f"{actor_ap_id}/posts/g{index:07d}"
    body = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{post_id}/activity", "type": "Create", "actor": actor_ap_id,
        "object": {"id": post_id, "type": "Article", "name": f"Report {index}",
                   "attributedTo": actor_ap_id, "content": "<p>What we learnt this week.</p>"},
    }  # fmt: skip
    return {
        "ap_id": f"{post_id}/activity", "actor_id": actor_id, "activity_type": "Create",
        "object_ap_id": post_id, "is_public": True, "body": body, "created_at": at,
    }  # fmt: skip


def _post_row(actor_ap_id: str, actor_id: int, index: int, at: datetime) -> dict[str, Any]:
    slug = f"g{index:07d}"
    return {
        "ap_id": f"{actor_ap_id}/posts/{slug}", "actor_id": actor_id, "is_local": True,
        "slug": f"{actor_id}x{slug}", "object_type": "Article", "title": f"Report {index}",
        "summary": "What we learnt.", "content_html": "<p>What we learnt this week.</p>",
        "source_markdown": "What we learnt this week.", "html_url": None, "visibility": "public",
        "tags": [], "series": "", "content_warning": "", "is_sensitive": False,
        "state": "published", "published_at": at, "document": None,
    }  # fmt: skip


async def add_history(
    engine: AsyncEngine, actor_ap_id: str, actor_id: int, start: int, stop: int
) -> None:
    """Add posts and public outbox activities numbered `start` to `stop` for one actor."""
    base = datetime(2020, 1, 1, tzinfo=UTC)
    outgoing = [
        _outgoing_row(actor_ap_id, actor_id, index, base + timedelta(seconds=index))
        for index in range(start, stop)
    ]
    posts = [
        _post_row(actor_ap_id, actor_id, index, base + timedelta(seconds=index))
        for index in range(start, stop)
    ]
    if engine.dialect.name == "postgresql":
        await _copy(engine, _table(OutgoingActivity), outgoing)
        await _copy(engine, _table(Post), posts)
        return
    async with engine.begin() as connection:
        for batch in _batches(outgoing, 5000):
            await connection.execute(_table(OutgoingActivity).insert(), list(batch))
        for batch in _batches(posts, 5000):
            await connection.execute(_table(Post).insert(), list(batch))


async def _copy(engine: AsyncEngine, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    columns = list(rows[0])
    json_columns = {name for name in columns if isinstance(table.c[name].type, sa.JSON)}
    records = [
        tuple(
            json.dumps(row[name]) if name in json_columns and row[name] is not None else row[name]
            for name in columns
        )
        for row in rows
    ]
    async with engine.connect() as connection:
        raw = await connection.get_raw_connection()
        driver = raw.driver_connection
        assert driver is not None
        await driver.copy_records_to_table(table.name, records=records, columns=columns)
        await connection.commit()
    async with engine.begin() as connection:
        await connection.execute(sa.text(f"ANALYZE {table.name}"))
