"""Deliveries are signed, retried with back-off, final on 4xx, and skip unavailable hosts."""

import base64
import hashlib
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

import httpx
import pytest
from sqlmodel import select

from hub.activitypub.signatures import Verified, parse_signature_header, verify_signature
from hub.federation.hosts import revive_host
from hub.federation.queue_status import queue_status
from hub.models import ActorKey, HostHealth
from hub.services.moderation import block_domain
from tests.federation.outbound import (
    Answer,
    Outbound,
    add_followers,
    deliveries,
    outbound_hub,
    remote_actor,
    send,
)
from tests.support.keys import KeyPool

INBOX = "https://one.test/inbox"


@pytest.fixture
async def hub(database_url: str, tmp_path: Path, key_pool: KeyPool) -> AsyncIterator[Outbound]:
    """A Hub whose actor `org` has one follower, at https://one.test/users/a."""
    async with outbound_hub(database_url, tmp_path, key_pool) as outbound:
        await add_followers(
            outbound.ctx, outbound.org, [remote_actor(outbound.ctx, "one.test", "a")]
        )
        yield outbound


async def health_of(hub: Outbound, host: str) -> HostHealth | None:
    """Return the host's health row."""
    async with hub.ctx.sessions() as session:
        return await session.get(HostHealth, host)


async def test_post_is_signed_and_verifies_with_the_actors_key(hub: Outbound) -> None:
    # checklist 44
    activity = await send(hub.ctx, hub.org)
    await hub.worker.drain()
    (request,) = hub.inboxes.posts_to(INBOX)
    assert (
        request.content
        == json.dumps(activity.body, ensure_ascii=False, separators=(",", ":")).encode()
    )
    assert request.headers["content-type"] == "application/activity+json"
    assert request.headers["host"] == "one.test"
    assert parsedate_to_datetime(request.headers["date"]) == hub.clock()
    digest = base64.b64encode(hashlib.sha256(request.content).digest()).decode()
    assert request.headers["digest"] == f"SHA-256={digest}"
    params = parse_signature_header(request.headers["signature"])
    assert params.key_id == "https://hub.test/users/org#main-key"
    assert params.algorithm == "rsa-sha256"
    assert params.headers[:4] == ("(request-target)", "host", "date", "digest")
    assert "content-type" in params.headers
    async with hub.ctx.sessions() as session:
        statement = select(ActorKey.public_key_pem).where(ActorKey.key_id == params.key_id)
        pem = (await session.exec(statement)).one()
    verdict = verify_signature(
        params, method="POST", path="/inbox", query="", headers=dict(request.headers.items()),
        body=request.content, public_key_pem=pem, now=hub.clock(),
    )  # fmt: skip
    assert verdict == Verified(key_id=params.key_id)
    (row,) = await deliveries(hub.ctx)
    assert (row.state, row.attempts, row.last_status, row.delivered_at) == (
        "done", 1, 202, hub.clock(),
    )  # fmt: skip


async def test_server_error_is_retried_with_back_off_until_it_lands(hub: Outbound) -> None:
    hub.inboxes.script(INBOX, 503, httpx.ConnectError("refused"), 202)
    await send(hub.ctx, hub.org)
    start = hub.clock()
    await hub.worker.drain()
    (row,) = await deliveries(hub.ctx)
    assert (row.state, row.attempts, row.last_status) == ("queued", 1, 503)
    assert row.next_attempt_at == start + timedelta(seconds=15)
    status = await queue_status(hub.ctx)
    assert (status.deliveries_retrying, status.retrying_hosts) == (1, [("one.test", 1)])
    assert status.lines()[3:5] == ["retrying: 1", "  one.test: 1"]

    await hub.worker.drain()  # not due yet: nothing is sent
    assert len(hub.inboxes.posts_to(INBOX)) == 1
    hub.clock.advance(timedelta(seconds=15))
    await hub.worker.drain()
    (row,) = await deliveries(hub.ctx)
    assert (row.state, row.attempts, row.last_status) == ("queued", 2, None)
    assert row.last_error is not None
    assert row.last_error.startswith("ConnectError")
    assert row.next_attempt_at == hub.clock() + timedelta(seconds=16)

    hub.clock.advance(timedelta(seconds=16))
    await hub.worker.drain()
    (row,) = await deliveries(hub.ctx)
    assert (row.state, row.attempts, row.last_status, row.last_error) == ("done", 3, 202, None)
    assert "no deliveries waiting to retry" in (await queue_status(hub.ctx)).lines()
    # The failures were recorded for the host, and the success cleared them.
    health = await health_of(hub, "one.test")
    assert health is not None
    assert health.failure_days == []


async def test_gone_inbox_gives_up_without_retry(hub: Outbound) -> None:
    hub.inboxes.script(INBOX, 410)
    await send(hub.ctx, hub.org)
    await hub.worker.drain()
    hub.clock.advance(timedelta(days=1))
    await hub.worker.drain()
    (row,) = await deliveries(hub.ctx)
    assert (row.state, row.attempts, row.last_status) == ("gave_up", 1, 410)
    assert len(hub.inboxes.posts_to(INBOX)) == 1
    # A host that answers, even with a final no, is alive.
    assert await health_of(hub, "one.test") is None


async def test_error_body_is_kept_short(hub: Outbound) -> None:
    hub.inboxes.script(INBOX, Answer(401, body=b'{"error": "Verification failed"}' + b"x" * 5000))
    await send(hub.ctx, hub.org)
    await hub.worker.drain()
    (row,) = await deliveries(hub.ctx)
    assert row.last_error is not None
    assert row.last_error.startswith('HTTP 401: {"error": "Verification failed"}')
    assert len(row.last_error) == 500


@pytest.mark.parametrize("form", ["seconds", "http-date"])
async def test_retry_after_is_honoured(hub: Outbound, form: str) -> None:
    later = hub.clock() + timedelta(hours=1)
    value = "3600" if form == "seconds" else format_datetime(later, usegmt=True)
    hub.inboxes.script(INBOX, Answer(429, headers={"Retry-After": value}), 202)
    await send(hub.ctx, hub.org)
    await hub.worker.drain()
    (row,) = await deliveries(hub.ctx)
    assert (row.state, row.last_status, row.next_attempt_at) == ("queued", 429, later)
    hub.clock.advance(timedelta(minutes=59))
    await hub.worker.drain()
    assert len(hub.inboxes.posts_to(INBOX)) == 1
    hub.clock.advance(timedelta(minutes=1))
    await hub.worker.drain()
    assert [row.state for row in await deliveries(hub.ctx)] == ["done"]


async def test_redirect_is_not_followed(hub: Outbound) -> None:
    hub.inboxes.script(INBOX, Answer(308, headers={"Location": "https://elsewhere.test/inbox"}))
    await send(hub.ctx, hub.org)
    await hub.worker.drain()
    assert [str(request.url) for request in hub.inboxes.requests] == [INBOX]
    (row,) = await deliveries(hub.ctx)
    assert (row.state, row.last_status) == ("queued", 308)


async def test_gives_up_after_the_seventeenth_attempt(hub: Outbound) -> None:
    hub.inboxes.script(INBOX, 500)
    await send(hub.ctx, hub.org)
    start = hub.clock()
    await hub.worker.drain()
    for _retry in range(16):
        (row,) = await deliveries(hub.ctx)
        hub.clock.now = row.next_attempt_at
        await hub.worker.drain()
    (row,) = await deliveries(hub.ctx)
    assert (row.state, row.attempts, row.last_status) == ("gave_up", 17, 500)
    assert timedelta(days=2) <= hub.clock() - start <= timedelta(days=3)
    assert len(hub.inboxes.posts_to(INBOX)) == 17


async def test_host_failing_on_seven_days_is_skipped_until_revived(hub: Outbound) -> None:
    hub.inboxes.script(INBOX, 503)
    # One new post a day, each failing: seven distinct UTC days of failures.
    for day in range(7):
        await send(hub.ctx, hub.org, number=day)
        await hub.worker.drain()
        health = await health_of(hub, "one.test")
        assert health is not None
        assert len(health.failure_days) == day + 1
        assert (health.unavailable_since is None) == (day < 6)
        hub.clock.advance(timedelta(days=1))
    assert (await queue_status(hub.ctx)).unavailable_hosts == ["one.test"]
    sent = len(hub.inboxes.requests)

    # While unavailable: a new post and the queued retries are skipped, with no request.
    await send(hub.ctx, hub.org, number=7)
    hub.clock.advance(timedelta(days=3))
    await hub.worker.drain()
    assert len(hub.inboxes.requests) == sent
    assert {row.state for row in await deliveries(hub.ctx)} == {"skipped"}
    status = await queue_status(hub.ctx)
    assert (status.deliveries_skipped, status.deliveries_queued) == (8, 0)

    # A Follow is sent anyway (it may be answered), and a validly signed request revives.
    await send(hub.ctx, hub.org, kind="Follow", to_followers=False, extra_inboxes=[INBOX])
    await hub.worker.drain()
    assert len(hub.inboxes.requests) == sent + 1
    await revive_host(hub.ctx, "one.test")
    health = await health_of(hub, "one.test")
    assert health is not None
    assert (health.unavailable_since, health.failure_days) == (None, [])
    hub.inboxes.script(INBOX, 202)
    await send(hub.ctx, hub.org, number=8)
    await hub.worker.drain()
    assert len(hub.inboxes.requests) == sent + 2
    assert (await deliveries(hub.ctx))[-1].state == "done"


async def test_revive_joins_the_callers_transaction(hub: Outbound) -> None:
    async with hub.ctx.sessions() as session, session.begin():
        session.add(HostHealth(host="one.test", failure_days=["2026-10-31"],
                               unavailable_since=hub.clock()))  # fmt: skip
    async with hub.ctx.sessions() as session:
        transaction = await session.begin()
        await revive_host(session, "ONE.test")
        await transaction.rollback()
    health = await health_of(hub, "one.test")
    assert health is not None
    assert health.unavailable_since is not None
    async with hub.ctx.sessions() as session, session.begin():
        await revive_host(session, "ONE.test", hub.clock())
    health = await health_of(hub, "one.test")
    assert health is not None
    assert (health.failure_days, health.unavailable_since, health.last_success_at) == (
        [], None, hub.clock(),
    )  # fmt: skip


async def test_blocked_domain_gets_nothing_even_when_already_queued(hub: Outbound) -> None:
    hub.inboxes.script(INBOX, 503, 202)
    await send(hub.ctx, hub.org)
    await hub.worker.drain()
    await block_domain(hub.ctx, "one.test")
    hub.clock.advance(timedelta(minutes=1))
    await send(hub.ctx, hub.org, number=2)
    await hub.worker.drain()
    assert len(hub.inboxes.posts_to(INBOX)) == 1
    (row,) = await deliveries(hub.ctx)
    assert (row.state, row.last_error, row.last_status) == ("skipped", "domain blocked", 503)


async def resolve_privately(host: str) -> list[str]:
    """A resolver for which one.test is on a private network and dns.test does not exist."""
    if host == "dns.test":
        raise OSError("no such host")
    return ["10.0.0.7"] if host == "one.test" else ["93.184.216.34"]


async def test_private_inbox_is_never_posted_and_dns_failure_is_retried(
    database_url: str, tmp_path: Path, key_pool: KeyPool
) -> None:
    async with outbound_hub(
        database_url, tmp_path, key_pool,
        resolve_host=resolve_privately, allow_private_addresses="false",
    ) as hub:  # fmt: skip
        await add_followers(hub.ctx, hub.org, [
            remote_actor(hub.ctx, "one.test", "a"), remote_actor(hub.ctx, "dns.test", "b"),
        ])  # fmt: skip
        await send(hub.ctx, hub.org)
        await hub.worker.drain()
        assert hub.inboxes.requests == []
        rows = {row.host: row for row in await deliveries(hub.ctx)}
        assert (rows["one.test"].state, rows["dns.test"].state) == ("gave_up", "queued")
        assert rows["one.test"].last_error == (
            "UnsafeUrl: https://one.test/inbox: one.test resolves to a non-public address"
        )
        assert await health_of(hub, "one.test") is None
        health = await health_of(hub, "dns.test")
        assert health is not None
        assert health.failure_days == ["2026-11-01"]
