"""Nothing a remote server sends reaches a page able to run: XSS payloads through the inbox.

A followed actor (mallory) and a stranger (eve) on a fake Mastodon send replies to our post
and posts of their own carrying the payloads of tests.support.hostile in their content,
summary, title, alt text, hashtags and URLs, and in their own names and profiles. What
is stored must be inert, and so must every page that shows it: the conversation under
our post, the replies to approve, the reader, search results, the context view of a post,
the account view, notifications and the following list.
"""

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from markupsafe import escape
from sqlmodel import col, select

from hub.models import Actor, MediaAttachment, Post
from hub.services.following import follow
from tests.interop.conftest import MastodonWorld
from tests.interop.fake_mastodon import FakeActor
from tests.support.hostile import (
    HOSTILE_URLS,
    MARKER,
    PAYLOADS,
    active_content,
    hostile_actor,
    hostile_post,
)
from tests.support.mastodon_notes import create_of
from tests.support.moderation import decide_on
from tests.support.staff import log_in, make_account

ORG = "https://example.com/users/org"
SHARED_INBOX = "https://example.com/inbox"


async def deliver(world: MastodonWorld, activity: dict[str, Any], signer: FakeActor) -> None:
    """Deliver an activity to the shared inbox and expect it accepted."""
    response = await world.mastodon.post(activity, inbox=SHARED_INBOX, signer=signer)
    assert response.status_code == 202, response.text


@pytest.fixture
async def hostile_world(world: MastodonWorld) -> dict[str, str]:
    """Fill the Hub with hostile posts; return the ids the pages are reached by."""
    mallory = hostile_actor(world.mastodon, "mallory", 0)
    eve = hostile_actor(world.mastodon, "eve", 2)
    await follow(world.ctx, "org", mallory.ap_id)
    await world.settle()
    post_id = await world.publish(f"Compost and the {MARKER}")
    for number, payload in enumerate(PAYLOADS, start=1):
        reply = hostile_post(mallory, number, payload, post_id, mention=ORG)
        await deliver(world, create_of(reply), mallory)
    await deliver(world, create_of(hostile_post(mallory, 500, PAYLOADS[0], None)), mallory)
    orphan = hostile_post(mallory, 501, PAYLOADS[1], None)
    orphan["inReplyTo"] = HOSTILE_URLS[0]
    await deliver(world, create_of(orphan), mallory)
    held = hostile_post(eve, 600, PAYLOADS[2], post_id, mention=ORG)
    await deliver(world, create_of(held), eve)
    approved = hostile_post(eve, 601, PAYLOADS[3], post_id, mention=ORG)
    await deliver(world, create_of(approved), eve)
    await world.settle()
    await decide_on(world.ctx, approved["id"])
    return {
        "post": post_id,
        "reply": f"{mallory.ap_id}/statuses/1",
        "mallory": mallory.ap_id,
        "eve": eve.ap_id,
    }


async def test_what_is_stored_is_inert(world: MastodonWorld, hostile_world: dict[str, str]) -> None:
    async with world.ctx.sessions() as session:
        posts = (await session.exec(select(Post).where(col(Post.is_local).is_(False)))).all()
        media = (await session.exec(select(MediaAttachment))).all()
        actors = (await session.exec(select(Actor).where(col(Actor.is_local).is_(False)))).all()
    assert len(posts) == len(PAYLOADS) + 4
    for post in posts:
        assert active_content(post.content_html) == [], post.ap_id
        assert active_content(post.summary) == [], post.ap_id
        assert post.html_url is None, post.ap_id
        assert post.in_reply_to in (None, hostile_world["post"]), post.ap_id
    assert {item.remote_url for item in media} == {
        f"https://mastodon.example/files/{post.ap_id.rsplit('/', 1)[1]}.png" for post in posts
    }
    for actor in actors:
        assert active_content(actor.summary_html) == [], actor.ap_id
        assert actor.html_url is None
        assert actor.icon_url is None


@pytest.fixture
async def staff(world: MastodonWorld) -> AsyncIterator[httpx.AsyncClient]:
    """A signed-in admin's client on the Hub."""
    await make_account(world.ctx, is_admin=True)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=world.app),
        base_url="https://example.com",
        headers={"Accept": "text/html"},
    ) as client:
        await log_in(client)
        yield client


def page_paths(ids: dict[str, str]) -> list[tuple[str, dict[str, str]]]:
    """Return every page that shows remote content, with its query."""
    slug = ids["post"].rsplit("/", 1)[1]
    return [
        (f"/@org/{slug}", {}),
        ("/admin/replies", {}),
        ("/admin/reader", {}),
        ("/admin/search", {"q": MARKER}),
        ("/search", {"q": MARKER}),
        ("/admin/search", {"q": ids["reply"]}),
        ("/admin/search", {"q": ids["mallory"]}),
        ("/admin/search", {"q": ids["eve"]}),
        ("/admin/notifications", {}),
        ("/admin/following", {}),
    ]


async def test_no_page_shows_anything_that_could_run(
    hostile_world: dict[str, str], staff: httpx.AsyncClient
) -> None:
    for path, params in page_paths(hostile_world):
        response = await staff.get(path, params=params)
        assert response.status_code == 200, (path, params, response.status_code)
        assert active_content(response.text) == [], (path, params)
        assert "script-src 'self'" in response.headers["content-security-policy"]


async def test_payloads_are_shown_as_text(
    hostile_world: dict[str, str], staff: httpx.AsyncClient
) -> None:
    slug = hostile_world["post"].rsplit("/", 1)[1]
    conversation = (await staff.get(f"/@org/{slug}")).text
    replies = (await staff.get("/admin/replies")).text
    # Mallory's display name and a content warning, escaped where they are shown.
    assert str(escape(PAYLOADS[0])) in conversation
    assert str(escape(PAYLOADS[1])) in conversation
    assert f"{MARKER} 1" in conversation
    # Eve's held reply waits on the replies page, inert too.
    assert f"{MARKER} 600" in replies
