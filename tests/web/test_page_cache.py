"""Post pages kept for visitors: current after a change made here, within seconds otherwise."""

from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from hub.clock import ManualClock
from hub.context import RENDERED_PAGE_TTL, HubContext
from hub.db import create_engine, written_table
from hub.federation.local_actors import actor_by_ap_id
from hub.models import Post
from tests.support.posts import START, add_post

AP_ACCEPT = {"Accept": "application/activity+json"}


@pytest.fixture
async def visitor(staff_app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """A client with no cookies, as a link-preview crawler or a remote server is."""
    transport = httpx.ASGITransport(app=staff_app)
    async with httpx.AsyncClient(transport=transport, base_url="https://hub.test") as http:
        yield http


@pytest.fixture
async def post(staff_ctx: HubContext) -> Post:
    """A published post of the organisation."""
    async with staff_ctx.sessions() as session:
        org = await actor_by_ap_id(session, "https://hub.test/users/org")
    assert org is not None
    return await add_post(staff_ctx, org, title="Shifting Power", published_at=START)


@pytest.fixture
async def other_process(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine of its own on the Hub's database, as a `hub worker` or `hub post` has."""
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


async def _retitle(engine: AsyncEngine, post: Post, title: str) -> None:
    async with engine.begin() as connection:
        await connection.execute(
            sa.text("UPDATE posts SET title = :title WHERE id = :id"),
            {"title": title, "id": post.id},
        )


@pytest.mark.parametrize("page", ["post", "profile"])
async def test_a_change_committed_in_this_process_shows_at_once(
    visitor: httpx.AsyncClient, staff_ctx: HubContext, post: Post, page: str
) -> None:
    path = f"/@org/{post.slug}" if page == "post" else "/@org"
    assert "Shifting Power" in (await visitor.get(path)).text
    await _retitle(staff_ctx.engine, post, "Shifting Power Together")
    assert "Shifting Power Together" in (await visitor.get(path)).text


async def test_a_deletion_committed_in_this_process_answers_410_at_once(
    visitor: httpx.AsyncClient, staff_ctx: HubContext, post: Post
) -> None:
    path = f"/users/org/posts/{post.slug}"
    assert (await visitor.get(path, headers=AP_ACCEPT)).status_code == 200
    async with staff_ctx.sessions() as session, session.begin():
        stored = await session.get(Post, post.id)
        assert stored is not None
        stored.deleted_at = START
    response = await visitor.get(path, headers=AP_ACCEPT)
    assert response.status_code == 410
    assert response.json()["type"] == "Tombstone"


async def test_webfinger_and_the_outbox_follow_a_change_made_here_at_once(
    visitor: httpx.AsyncClient, staff_ctx: HubContext
) -> None:
    webfinger = "/.well-known/webfinger?resource=acct:org@hub.test"
    assert (await visitor.get(webfinger)).status_code == 200
    assert (await visitor.get("/users/org/outbox", headers=AP_ACCEPT)).status_code == 200
    async with staff_ctx.sessions() as session, session.begin():
        org = await actor_by_ap_id(session, "https://hub.test/users/org")
        assert org is not None
        org.deleted_at = START
        session.add(org)
    assert (await visitor.get(webfinger)).status_code == 410
    assert (await visitor.get("/users/org/outbox", headers=AP_ACCEPT)).status_code == 410


@pytest.mark.parametrize("page", ["post", "profile"])
async def test_a_change_committed_by_another_process_shows_within_the_time_limit(
    visitor: httpx.AsyncClient,
    clock: ManualClock,
    other_process: AsyncEngine,
    post: Post,
    page: str,
) -> None:
    path = f"/@org/{post.slug}" if page == "post" else "/@org"
    first = await visitor.get(path)
    await _retitle(other_process, post, "Shifting Power Together")
    kept = await visitor.get(path)
    assert kept.content == first.content
    assert kept.headers["etag"] == first.headers["etag"]
    assert kept.headers["content-security-policy"] == first.headers["content-security-policy"]
    clock.advance(RENDERED_PAGE_TTL + timedelta(seconds=1))
    assert "Shifting Power Together" in (await visitor.get(path)).text


async def test_a_kept_page_still_answers_revalidation_with_304(
    visitor: httpx.AsyncClient, post: Post
) -> None:
    path = f"/@org/{post.slug}"
    etag = (await visitor.get(path)).headers["etag"]
    revalidated = await visitor.get(path, headers={"If-None-Match": etag})
    assert revalidated.status_code == 304
    assert revalidated.headers["etag"] == etag
    assert (await visitor.get(path)).status_code == 200


async def test_someone_signed_in_always_gets_a_fresh_rendering(
    visitor: httpx.AsyncClient, other_process: AsyncEngine, post: Post
) -> None:
    path = f"/@org/{post.slug}"
    await visitor.get(path)
    await _retitle(other_process, post, "Shifting Power Together")
    signed_in = await visitor.get(path, headers={"Cookie": "hub_session=abc"})
    assert "Shifting Power Together" in signed_in.text


async def test_only_writes_to_what_pages_show_move_the_content_version(
    staff_ctx: HubContext, post: Post
) -> None:
    before = staff_ctx.content_version
    async with staff_ctx.engine.begin() as connection:
        await connection.execute(sa.text("DELETE FROM host_health"))
    assert staff_ctx.content_version == before
    async with staff_ctx.engine.connect() as connection:
        await connection.execute(
            sa.text("UPDATE posts SET title = 'Draft' WHERE id = :id"), {"id": post.id}
        )
        await connection.rollback()
    assert staff_ctx.content_version == before
    await _retitle(staff_ctx.engine, post, "Shifting Power Together")
    assert staff_ctx.content_version == before + 1


@pytest.mark.parametrize(
    ("statement", "table"),
    [
        ("INSERT INTO posts (title) VALUES (?)", "posts"),
        ("INSERT OR IGNORE INTO interactions (id) VALUES (?)", "interactions"),
        (
            "INSERT INTO follows (id) VALUES ($1) ON CONFLICT (id) DO UPDATE SET state = 'x'",
            "follows",
        ),
        ('UPDATE "actors" SET display_name = ? WHERE actors.id = ?', "actors"),
        ("DELETE FROM media_attachments WHERE post_id = ?", "media_attachments"),
        ("WITH RECURSIVE n(i) AS (SELECT 1) INSERT INTO posts (id) SELECT i FROM n", "posts"),
        ("\n  update timeline_entries set is_boost = 0", "timeline_entries"),
        ("SELECT posts.updated_at FROM posts", None),
        ("PRAGMA foreign_keys=ON", None),
    ],
)
def test_written_table(statement: str, table: str | None) -> None:
    assert written_table(statement) == table
