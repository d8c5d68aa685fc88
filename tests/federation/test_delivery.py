"""Deliveries are signed, de-duplicated per inbox, retried with back-off, and host-aware."""

import json
from datetime import timedelta

import httpx
import sqlalchemy as sa
from sqlmodel import col, select

from hub.activitypub.signatures import Verified, parse_signature_header, verify_signature
from hub.context import HubContext
from hub.federation.hosts import revive_host
from hub.federation.queue_status import queue_status
from hub.models import Actor, ActorKey, Delivery, Follow, HostHealth
from hub.services.actors import create_actor
from hub.services.publishing import publish
from tests.federation.conftest import OneHub


async def add_follower(
    ctx: HubContext, followed: Actor, ap_id: str, shared_inbox: str | None
) -> None:
    """Store a remote actor following `followed` (test data, as the inbox would store it)."""
    host = ap_id.split("/")[2]
    async with ctx.sessions() as session, session.begin():
        follower = Actor(
            ap_id=ap_id,
            username=ap_id.rsplit("/", 1)[1],
            domain=host,
            actor_type="Person",
            inbox_url=f"{ap_id}/inbox",
            shared_inbox_url=shared_inbox,
            published_at=ctx.clock(),
            fetched_at=ctx.clock(),
        )
        session.add(follower)
        await session.flush()
        assert follower.id is not None
        assert followed.id is not None
        session.add(
            Follow(
                follower_id=follower.id,
                followed_id=followed.id,
                ap_id=f"{ap_id}#follow",
                state="accepted",
                created_at=ctx.clock(),
            )
        )


async def deliveries(ctx: HubContext) -> list[Delivery]:
    """Return every delivery row."""
    async with ctx.sessions() as session:
        return list((await session.exec(select(Delivery).order_by(col(Delivery.id)))).all())


async def test_one_delivery_per_distinct_inbox(one_hub: OneHub) -> None:
    # checklist 43
    org = await create_actor(one_hub.ctx, "org")
    await add_follower(one_hub.ctx, org, "https://one.test/users/a", "https://one.test/inbox")
    await add_follower(one_hub.ctx, org, "https://one.test/users/b", "https://one.test/inbox")
    await add_follower(one_hub.ctx, org, "https://two.test/users/c", None)
    one_hub.remote.routes[("POST", "https://one.test/inbox")] = httpx.Response(202)
    one_hub.remote.routes[("POST", "https://two.test/users/c/inbox")] = httpx.Response(202)
    await publish(one_hub.ctx, "org", title="Hello", summary="", body_markdown="Hi")
    await one_hub.worker.drain()
    posts = [request for request in one_hub.remote.requests if request.method == "POST"]
    assert sorted(str(request.url) for request in posts) == [
        "https://one.test/inbox",
        "https://two.test/users/c/inbox",
    ]
    assert [row.state for row in await deliveries(one_hub.ctx)] == ["done", "done"]


async def test_delivery_is_signed_and_verifies(one_hub: OneHub) -> None:
    # checklist 44
    org = await create_actor(one_hub.ctx, "org")
    await add_follower(one_hub.ctx, org, "https://one.test/users/a", "https://one.test/inbox")
    one_hub.remote.routes[("POST", "https://one.test/inbox")] = httpx.Response(202)
    await publish(one_hub.ctx, "org", title="Hello", summary="", body_markdown="Hi")
    await one_hub.worker.drain()
    request = one_hub.remote.requests[-1]
    assert request.headers["content-type"] == "application/activity+json"
    assert request.headers["host"] == "one.test"
    params = parse_signature_header(request.headers["signature"])
    assert params.key_id == "https://hub.test/users/org#main-key"
    assert set(params.headers) >= {"(request-target)", "host", "date", "digest"}
    async with one_hub.ctx.sessions() as session:
        statement = select(ActorKey.public_key_pem).where(ActorKey.key_id == params.key_id)
        pem = (await session.exec(statement)).one()
    verdict = verify_signature(
        params,
        method="POST",
        path="/inbox",
        query="",
        headers=dict(request.headers.items()),
        body=request.content,
        public_key_pem=pem,
        now=one_hub.clock(),
    )
    assert verdict == Verified(key_id=params.key_id)
    assert json.loads(request.content)["type"] == "Create"


async def test_server_error_is_retried_with_back_off_until_it_lands(one_hub: OneHub) -> None:
    org = await create_actor(one_hub.ctx, "org")
    await add_follower(one_hub.ctx, org, "https://one.test/users/a", "https://one.test/inbox")
    answers = iter([httpx.Response(503), httpx.Response(500), httpx.Response(202)])
    one_hub.remote.routes[("POST", "https://one.test/inbox")] = lambda _request: next(answers)
    await publish(one_hub.ctx, "org", title="Hello", summary="", body_markdown="Hi")
    await one_hub.worker.drain()
    (row,) = await deliveries(one_hub.ctx)
    assert (row.state, row.attempts, row.last_status) == ("queued", 1, 503)
    assert "retrying: 1" in (await queue_status(one_hub.ctx)).lines()
    await one_hub.worker.drain()  # not due yet: nothing is sent
    assert (await deliveries(one_hub.ctx))[0].attempts == 1
    one_hub.clock.advance(timedelta(seconds=30))
    await one_hub.worker.drain()
    one_hub.clock.advance(timedelta(minutes=2))
    await one_hub.worker.drain()
    (row,) = await deliveries(one_hub.ctx)
    assert (row.state, row.attempts) == ("done", 3)


async def test_gone_inbox_is_not_retried(one_hub: OneHub) -> None:
    org = await create_actor(one_hub.ctx, "org")
    await add_follower(one_hub.ctx, org, "https://one.test/users/a", "https://one.test/inbox")
    one_hub.remote.routes[("POST", "https://one.test/inbox")] = httpx.Response(410)
    await publish(one_hub.ctx, "org", title="Hello", summary="", body_markdown="Hi")
    await one_hub.worker.drain()
    (row,) = await deliveries(one_hub.ctx)
    assert (row.state, row.attempts, row.last_status) == ("gave_up", 1, 410)


async def test_retry_after_is_honoured(one_hub: OneHub) -> None:
    org = await create_actor(one_hub.ctx, "org")
    await add_follower(one_hub.ctx, org, "https://one.test/users/a", "https://one.test/inbox")
    one_hub.remote.routes[("POST", "https://one.test/inbox")] = httpx.Response(
        429, headers={"Retry-After": "3600"}
    )
    await publish(one_hub.ctx, "org", title="Hello", summary="", body_markdown="Hi")
    await one_hub.worker.drain()
    (row,) = await deliveries(one_hub.ctx)
    assert row.next_attempt_at - one_hub.clock() == timedelta(hours=1)


async def test_host_failing_on_seven_days_is_skipped_until_it_speaks(one_hub: OneHub) -> None:
    org = await create_actor(one_hub.ctx, "org")
    await add_follower(one_hub.ctx, org, "https://one.test/users/a", "https://one.test/inbox")
    one_hub.remote.routes[("POST", "https://one.test/inbox")] = httpx.Response(500)
    await publish(one_hub.ctx, "org", title="First", summary="", body_markdown="Hi")
    for _day in range(7):
        await one_hub.worker.drain()
        one_hub.clock.advance(timedelta(days=1))
    async with one_hub.ctx.sessions() as session:
        health = await session.get(HostHealth, "one.test")
    assert health is not None
    assert health.unavailable_since is not None
    assert "unavailable hosts: one.test" in (await queue_status(one_hub.ctx)).lines()

    # While unavailable, a new post makes no delivery to it
    await publish(one_hub.ctx, "org", title="Second", summary="", body_markdown="Hi")
    await one_hub.worker.drain()
    async with one_hub.ctx.sessions() as session:
        count = (await session.exec(select(sa.func.count()).select_from(Delivery))).one()
    assert count == 1

    # A validly signed request from the host revives it
    async with one_hub.ctx.sessions() as session, session.begin():
        await revive_host(session, "one.test")
    await publish(one_hub.ctx, "org", title="Third", summary="", body_markdown="Hi")
    await one_hub.worker.drain()
    async with one_hub.ctx.sessions() as session:
        count = (await session.exec(select(sa.func.count()).select_from(Delivery))).one()
    assert count == 2
