"""Test kit for outgoing delivery: a scripted fake of remote inboxes and a Hub wired to it."""

import asyncio
import contextlib
from collections import Counter, deque
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlmodel import col, select

from hub.clock import ManualClock
from hub.context import HubContext, Resolver
from hub.federation.dispatch import apply_inbox_item
from hub.federation.outbox import record_activity
from hub.federation.retry import RetryPolicy
from hub.federation.worker import Worker
from hub.models import Actor, Delivery, Follow, OutgoingActivity
from hub.services.actors import create_actor
from hub.web.app import create_app
from tests.support.keys import KeyPool
from tests.support.network import resolve_to_public_address
from tests.support.settings import make_settings

# How long a test waits for a request it expects before failing.
WAIT_SECONDS = 10
# No jitter: back-off delays in tests are exact.
NO_JITTER = RetryPolicy(random=lambda: 0.0)


@dataclass(frozen=True)
class Answer:
    """One scripted response of a fake inbox."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


Scripted = int | Answer | Exception


class FakeInboxes:
    """MockTransport handler for remote inboxes: records requests, answers from per-URL scripts.

    A URL without a script answers 202. A script's answers are used in turn and its last
    answer repeats; an exception in a script is raised as the transport's failure. `hold`
    makes a host's requests wait until the returned event is set (a slow server).
    """

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.most_in_flight: Counter[str] = Counter()
        self.in_flight: Counter[str] = Counter()
        self._scripts: dict[str, deque[Scripted]] = {}
        self._gates: dict[str, asyncio.Event] = {}
        self._changed = asyncio.Condition()

    def script(self, url: str, *answers: Scripted) -> None:
        """Answer requests to `url` with `answers`, in turn, the last one repeating."""
        self._scripts[url] = deque(answers)

    def hold(self, host: str) -> asyncio.Event:
        """Make requests to `host` hang until the returned event is set."""
        return self._gates.setdefault(host, asyncio.Event())

    async def wait_until(self, predicate: Callable[[], bool]) -> None:
        """Wait (without polling, 10 s at most) until `predicate` holds after a request."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(predicate), WAIT_SECONDS)

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        host = request.url.host
        self.in_flight[host] += 1
        self.most_in_flight[host] = max(self.most_in_flight[host], self.in_flight[host])
        async with self._changed:
            self._changed.notify_all()
        try:
            if host in self._gates:
                await self._gates[host].wait()
        finally:
            self.in_flight[host] -= 1
        script = self._scripts.get(str(request.url))
        answer: Scripted = 202
        if script:
            answer = script.popleft() if len(script) > 1 else script[0]
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, int):
            answer = Answer(answer)
        return httpx.Response(answer.status, headers=answer.headers, content=answer.body)

    def posts_to(self, url: str) -> list[httpx.Request]:
        """Return the POSTs received at `url`, oldest first."""
        return [r for r in self.requests if r.method == "POST" and str(r.url) == url]


@dataclass
class Outbound:
    """A Hub at https://hub.test with a local actor `org`, fake remote inboxes and a clock."""

    ctx: HubContext
    clock: ManualClock
    inboxes: FakeInboxes
    worker: Worker
    org: Actor


@contextlib.asynccontextmanager
async def outbound_hub(
    database_url: str,
    folder: Path,
    key_pool: KeyPool,
    *,
    username: str = "org",
    resolve_host: Resolver = resolve_to_public_address,
    **settings: str,
) -> AsyncIterator[Outbound]:
    """Start a Hub whose HTTP client reaches only `FakeInboxes`; its worker has no jitter."""
    clock = ManualClock()
    inboxes = FakeInboxes()
    app = create_app(
        make_settings(database_url, folder / "data", **settings),
        transport=httpx.MockTransport(inboxes),
        clock=clock,
        generate_keys=key_pool,
        resolve_host=resolve_host,
    )
    async with app.router.lifespan_context(app):
        ctx: HubContext = app.state.hub
        org = await create_actor(ctx, username)
        worker = Worker(ctx, apply_inbox_item=apply_inbox_item, retry_policy=NO_JITTER)
        yield Outbound(ctx=ctx, clock=clock, inboxes=inboxes, worker=worker, org=org)


def remote_actor(
    ctx: HubContext, host: str, name: str, *, shared_inbox: bool = True, is_local: bool = False
) -> Actor:
    """Return (unsaved) a remote actor on `host`; with `shared_inbox`, it has https://host/inbox."""
    ap_id = f"https://{host}/users/{name}"
    return Actor(
        ap_id=ap_id,
        is_local=is_local,
        username=name,
        domain=host,
        actor_type="Person",
        inbox_url=f"{ap_id}/inbox",
        shared_inbox_url=f"https://{host}/inbox" if shared_inbox else None,
        published_at=ctx.clock(),
        fetched_at=ctx.clock(),
    )


async def add_followers(
    ctx: HubContext, followed: Actor, followers: Sequence[Actor], *, state: str = "accepted"
) -> None:
    """Store actors and their Follow of `followed` in one transaction (test data)."""
    assert followed.id is not None
    async with ctx.sessions() as session, session.begin():
        session.add_all(followers)
        await session.flush()
        session.add_all(
            Follow(
                follower_id=follower.id or 0,
                followed_id=followed.id,
                ap_id=f"{follower.ap_id}#follows/{followed.id}",
                state=state,
                created_at=ctx.clock(),
                accepted_at=ctx.clock() if state == "accepted" else None,
            )
            for follower in followers
        )


async def send(
    ctx: HubContext,
    actor: Actor,
    *,
    kind: str = "Create",
    to_followers: bool = True,
    extra_inboxes: Sequence[str] = (),
    number: int = 1,
) -> OutgoingActivity:
    """Record an activity of `actor` (with its fan-out job), as a service would."""
    activity: dict[str, Any] = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{actor.ap_id}/activities/{kind.lower()}-{number}",
        "type": kind,
        "actor": actor.ap_id,
        "object": {"id": f"{actor.ap_id}/notes/{number}", "type": "Note", "content": "Hé ✓"},
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
    }
    async with ctx.sessions() as session, session.begin():
        return await record_activity(
            session,
            actor=actor,
            activity=activity,
            now=ctx.clock(),
            is_public=True,
            to_followers=to_followers,
            extra_inboxes=extra_inboxes,
        )


async def deliveries(ctx: HubContext) -> list[Delivery]:
    """Return every delivery row, oldest first."""
    async with ctx.sessions() as session:
        return list((await session.exec(select(Delivery).order_by(col(Delivery.id)))).all())
