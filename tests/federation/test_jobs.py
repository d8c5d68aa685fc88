"""Job claiming: concurrent workers never share a job, and a dead worker's jobs come back."""

import asyncio
from datetime import timedelta

import pytest

from hub.federation import jobs
from hub.models import InboxItem
from tests.federation.conftest import OneHub


async def queue_items(one_hub: OneHub, count: int) -> None:
    """Store `count` due inbox items."""
    now = one_hub.clock()
    async with one_hub.ctx.sessions() as session, session.begin():
        for number in range(count):
            session.add(
                InboxItem(
                    activity_id=f"https://remote.test/activities/{number}",
                    activity_type="Like",
                    actor_ap_id="https://remote.test/users/alice",
                    signer_key_id="https://remote.test/users/alice#main-key",
                    body={},
                    received_at=now,
                    next_attempt_at=now,
                )
            )


async def test_concurrent_claims_never_overlap(one_hub: OneHub, backend: str) -> None:
    await queue_items(one_hub, 60)
    claims = await asyncio.gather(
        *(
            jobs.claim_due(one_hub.ctx, InboxItem, limit=7, lease=timedelta(minutes=5))
            for _ in range(12)
        )
    )
    claimed = [job_id for claim in claims for job_id in claim]
    assert len(claimed) == len(set(claimed)) == 60


async def test_expired_lease_is_claimed_again(one_hub: OneHub) -> None:
    await queue_items(one_hub, 1)
    first = await jobs.claim_due(one_hub.ctx, InboxItem, limit=10, lease=timedelta(minutes=5))
    assert len(first) == 1
    assert await jobs.claim_due(one_hub.ctx, InboxItem, limit=10, lease=timedelta(minutes=5)) == []
    one_hub.clock.advance(timedelta(minutes=6))
    assert (
        await jobs.claim_due(one_hub.ctx, InboxItem, limit=10, lease=timedelta(minutes=5)) == first
    )


async def test_finished_job_is_not_claimed(one_hub: OneHub) -> None:
    await queue_items(one_hub, 1)
    (job_id,) = await jobs.claim_due(one_hub.ctx, InboxItem, limit=1, lease=timedelta(minutes=5))
    await jobs.finish(one_hub.ctx, InboxItem, job_id, state="done")
    one_hub.clock.advance(timedelta(hours=1))
    assert await jobs.claim_due(one_hub.ctx, InboxItem, limit=1, lease=timedelta(minutes=5)) == []


@pytest.mark.parametrize("delay", [timedelta(seconds=30)])
async def test_retried_job_waits_until_due(one_hub: OneHub, delay: timedelta) -> None:
    await queue_items(one_hub, 1)
    (job_id,) = await jobs.claim_due(one_hub.ctx, InboxItem, limit=1, lease=timedelta(minutes=5))
    await jobs.retry_later(one_hub.ctx, InboxItem, job_id, at=one_hub.clock() + delay)
    assert await jobs.claim_due(one_hub.ctx, InboxItem, limit=1, lease=timedelta(minutes=5)) == []
    one_hub.clock.advance(delay)
    assert await jobs.claim_due(one_hub.ctx, InboxItem, limit=1, lease=timedelta(minutes=5)) == [
        job_id
    ]
