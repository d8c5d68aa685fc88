"""The actor cache: an actor seen for the first time by several requests at once is one row."""

import asyncio

import sqlalchemy as sa
from sqlmodel import select

from hub.activitypub.actors import PublicKeyValue, RemoteActorDocument
from hub.federation.remote_actors import store_remote_actor
from hub.models import Actor, ActorKey
from tests.federation.conftest import OneHub
from tests.support.keys import KeyPool

ANN = "https://field.example/users/ann"


def _document(pem: str) -> RemoteActorDocument:
    return RemoteActorDocument(
        ap_id=ANN, actor_type="Person", username="ann", domain="field.example",
        display_name="Ann", summary_html="", html_url="https://field.example/@ann",
        inbox_url=f"{ANN}/inbox", shared_inbox_url="https://field.example/inbox",
        outbox_url=None, followers_url=f"{ANN}/followers", following_url=None,
        featured_url=None, icon_url=None, icon_media_type=None,
        manually_approves_followers=False, discoverable=True, indexable=True,
        published_at=None,
        public_keys=(PublicKeyValue(key_id=f"{ANN}#main-key", owner=ANN, pem=pem),),
    )  # fmt: skip


async def test_simultaneous_first_contacts_store_the_actor_once(
    one_hub: OneHub, key_pool: KeyPool
) -> None:
    document = _document(key_pool().public_pem)
    stored = await asyncio.gather(*(store_remote_actor(one_hub.ctx, document) for _ in range(6)))
    assert {actor.ap_id for actor in stored} == {ANN}
    async with one_hub.ctx.sessions() as session:
        actors = (await session.exec(select(sa.func.count()).where(Actor.ap_id == ANN))).one()
        keys = (await session.exec(select(sa.func.count()).select_from(ActorKey).where(
            ActorKey.key_id == f"{ANN}#main-key"))).one()  # fmt: skip
    assert (actors, keys) == (1, 1)
