"""Fixtures: a Hub at example.com with a fake Mastodon at mastodon.example (and alice.com)."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from hub.clock import ManualClock
from hub.context import HubContext
from hub.federation.dispatch import apply_inbox_item
from hub.federation.worker import Worker
from hub.models import Actor
from hub.services.actors import create_actor, ensure_instance_actor
from hub.services.publishing import publish
from hub.web.app import create_app
from tests.federation.outbound import NO_JITTER
from tests.interop.fake_mastodon import (
    FIXTURE_POST,
    FakeActor,
    FakeMastodon,
    load_fixture,
    load_payload,
)
from tests.support.keys import KeyPool
from tests.support.network import FakeInternet, resolve_to_public_address
from tests.support.settings import make_settings

HUB_HOST = "example.com"
MASTODON_HOSTS = ("mastodon.example", "alice.com", "other.example")
AP_ACCEPT = {"accept": "application/activity+json"}


@dataclass
class MastodonWorld:
    """One Hub, its `org` actor, and a fake Mastodon with `alice` and its instance actor."""

    app: Starlette
    ctx: HubContext
    clock: ManualClock
    internet: FakeInternet
    mastodon: FakeMastodon
    worker: Worker
    org: Actor
    alice: FakeActor
    instance: FakeActor

    async def settle(self) -> int:
        """Run the Hub's queues until nothing is due; return how many jobs ran."""
        return await self.worker.drain()

    async def get(self, url: str, headers: dict[str, str] | None = None) -> httpx.Response:
        """GET a Hub URL without a signature."""
        async with httpx.AsyncClient(transport=self.internet) as http:
            return await http.get(url, headers=headers or AP_ACCEPT)

    async def get_json(self, url: str) -> dict[str, Any]:
        """GET a Hub document as ActivityPub JSON (asserting 200)."""
        response = await self.get(url)
        assert response.status_code == 200, (url, response.status_code, response.text)
        document: dict[str, Any] = response.json()
        return document

    async def deliver(
        self, activity: dict[str, Any], *, signer: FakeActor | None = None, inbox: str = ""
    ) -> httpx.Response:
        """Deliver an activity from the fake Mastodon to org's inbox (or `inbox`), signed."""
        return await self.mastodon.post(
            activity, inbox=inbox or self.org.inbox_url, signer=signer or self.alice
        )

    def follow_of_org(self, number: int = 1, actor: FakeActor | None = None) -> dict[str, Any]:
        """Return a Follow of org by alice (or `actor`), as Mastodon sends it."""
        follower = actor or self.alice
        username = follower.document["preferredUsername"]
        return {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": f"https://mastodon.example/follows/{username}-{number}",
            "type": "Follow",
            "actor": follower.ap_id,
            "object": self.org.ap_id,
        }

    async def followed_by(self, *actors: FakeActor) -> None:
        """Make fake Mastodon actors follow org, and let the Accepts go."""
        for actor in actors:
            response = await self.deliver(self.follow_of_org(actor=actor), signer=actor)
            assert response.status_code == 202, response.text
        await self.settle()

    async def deliver_payload(self, name: str, post_id: str = FIXTURE_POST, **options: Any) -> None:
        """Deliver a fixture (with one of our post ids in it), expect 202, and apply it."""
        response = await self.deliver(load_payload(name, post_id), **options)
        assert response.status_code == 202, response.text
        await self.settle()

    async def publish(self, title: str = "Compost that works", **options: Any) -> str:
        """Publish a post as org, let its deliveries go, and return its id."""
        published = await publish(
            self.ctx, "org", title=title, summary="Three bins.", body_markdown="Body", **options
        )
        await self.settle()
        return published.ap_id

    async def total(self, post_id: str, collection: str) -> int:
        """Return `totalItems` of a post's likes, shares or replies, as served (both places)."""
        document = await self.get_json(post_id)
        count = document[collection]["totalItems"]
        assert (await self.get_json(f"{post_id}/{collection}"))["totalItems"] == count
        assert isinstance(count, int)
        return count

    async def page_items(self, collection_url: str) -> list[str]:
        """Return the ids on the first page of a collection."""
        page = await self.get_json(f"{collection_url}?page=true")
        return [str(item) for item in page["orderedItems"]]


@pytest.fixture
async def world(
    database_url: str, tmp_path: Path, key_pool: KeyPool
) -> AsyncIterator[MastodonWorld]:
    """A Hub at https://example.com whose only peers are the fake Mastodon's hosts."""
    clock = ManualClock(datetime.now(UTC))
    internet = FakeInternet()
    mastodon = FakeMastodon(transport=internet, clock=clock, key_pool=key_pool)
    app = create_app(
        make_settings(
            database_url,
            tmp_path / "data",
            base_url=f"https://{HUB_HOST}",
            allow_private_addresses="false",
        ),
        transport=internet,
        clock=clock,
        generate_keys=key_pool,
        resolve_host=resolve_to_public_address,
    )
    async with app.router.lifespan_context(app):
        ctx: HubContext = app.state.hub
        await ensure_instance_actor(ctx)
        org = await create_actor(ctx, "org", display_name="Example Org")
        internet.attach(HUB_HOST, app)
        for host in MASTODON_HOSTS:
            internet.attach(host, mastodon)
        alice = mastodon.add_actor(load_fixture("actor.json"))
        instance = mastodon.add_actor(load_fixture("instance_actor.json"))
        worker = Worker(ctx, apply_inbox_item=apply_inbox_item, retry_policy=NO_JITTER)
        yield MastodonWorld(
            app=app, ctx=ctx, clock=clock, internet=internet, mastodon=mastodon,
            worker=worker, org=org, alice=alice, instance=instance,
        )  # fmt: skip
