"""Boosts of others' posts: only from actors we follow, the post always fetched from its origin."""

from typing import Any

import httpx
import pytest
from sqlmodel import select

from hub.activitypub.jsonld import PUBLIC
from hub.federation.errors import InvalidRemoteDocument
from hub.federation.handlers.boosts import receive_boost, undo_boost
from hub.models import Actor, Follow, Post
from hub.services.actors import create_actor
from hub.services.reader import reader_page
from tests.federation.conftest import OneHub
from tests.support.timeline import add_remote_actor, note_document

AP_JSON = {"content-type": "application/activity+json"}


async def _followed_booster(hub: OneHub) -> tuple[Actor, Actor]:
    """Our org follows bob@boost.example; ann@origin.example is someone else."""
    org = await create_actor(hub.ctx, "org")
    bob = await add_remote_actor(hub.ctx, "bob", "boost.example")
    ann = await add_remote_actor(hub.ctx, "ann", "origin.example")
    assert org.id is not None
    assert bob.id is not None
    async with hub.ctx.sessions() as session, session.begin():
        session.add(
            Follow(follower_id=org.id, followed_id=bob.id, ap_id=f"{org.ap_id}#follows/1",
                   state="accepted", created_at=hub.clock())
        )  # fmt: skip
    return bob, ann


def _announce(booster: Actor, object_value: Any, number: int = 1) -> dict[str, Any]:
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{booster.ap_id}/statuses/{number}/activity",
        "type": "Announce",
        "actor": booster.ap_id,
        "to": [PUBLIC],
        "object": object_value,
    }


def _serve(hub: OneHub, document: dict[str, Any], url: str | None = None) -> None:
    hub.remote.routes[("GET", url or document["id"])] = httpx.Response(
        200, json=document, headers=AP_JSON
    )


async def _titles(hub: OneHub) -> list[tuple[str, str | None]]:
    page = await reader_page(hub.ctx)
    return [(item.title, item.booster.handle if item.booster else None) for item in page.items]


async def test_a_boost_shows_the_origins_copy_not_the_embedded_one(one_hub: OneHub) -> None:
    bob, ann = await _followed_booster(one_hub)
    original = note_document(ann, type="Article", name="The real title")
    _serve(one_hub, original)
    forged = {**original, "name": "Words put in Ann's mouth"}
    await receive_boost(one_hub.ctx, _announce(bob, forged))
    assert await _titles(one_hub) == [("The real title", "bob@boost.example")]


async def test_a_fetched_object_with_another_id_is_refused(one_hub: OneHub) -> None:
    bob, ann = await _followed_booster(one_hub)
    asked = "https://origin.example/users/ann/statuses/99"
    _serve(one_hub, note_document(ann, name="Elsewhere"), url=asked)
    with pytest.raises(InvalidRemoteDocument):
        await receive_boost(one_hub.ctx, _announce(bob, asked))
    async with one_hub.ctx.sessions() as session:
        assert (await session.exec(select(Post))).all() == []


async def test_a_boost_of_a_followers_only_post_is_not_shown(one_hub: OneHub) -> None:
    bob, ann = await _followed_booster(one_hub)
    private = note_document(ann, to=[f"{ann.ap_id}/followers"], cc=[])
    _serve(one_hub, private)
    await receive_boost(one_hub.ctx, _announce(bob, private["id"]))
    assert await _titles(one_hub) == []


async def test_a_boost_by_someone_we_do_not_follow_fetches_nothing(one_hub: OneHub) -> None:
    _, ann = await _followed_booster(one_hub)
    stranger = await add_remote_actor(one_hub.ctx, "eve", "stranger.example")
    post = note_document(ann)
    _serve(one_hub, post)
    await receive_boost(one_hub.ctx, _announce(stranger, post["id"]))
    assert one_hub.remote.requests == []
    assert await _titles(one_hub) == []


async def test_undo_by_id_takes_the_boost_out(one_hub: OneHub) -> None:
    bob, ann = await _followed_booster(one_hub)
    post = note_document(ann, name="Boosted")
    _serve(one_hub, post)
    announce = _announce(bob, post["id"])
    await receive_boost(one_hub.ctx, announce)
    undo = {"id": f"{bob.ap_id}#undo/1", "type": "Undo", "actor": bob.ap_id,
            "object": announce["id"]}  # fmt: skip
    assert await undo_boost(one_hub.ctx, undo) == 1
    assert await _titles(one_hub) == []
