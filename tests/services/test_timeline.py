"""Read services of the public web: who sees which posts, and keyset pages that never skip."""

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta

import pytest

from hub.clock import ManualClock
from hub.context import HubContext
from hub.models import Actor, MediaAttachment, Post
from hub.services.actors import create_actor
from hub.services.errors import InvalidInput, NotFound
from hub.services.listing import index_post_tags
from hub.services.media import media_url
from hub.services.post_views import image_url
from hub.services.publishing import (
    PostInput,
    delete_post,
    edit_post,
    publish,
    publish_post,
    save_draft,
)
from hub.services.scheduling import publish_due_posts
from hub.services.timeline import (
    Cursor,
    PostPage,
    actor_posts,
    feed_posts,
    latest_posts,
    parse_cursor,
    series_posts,
    tag_posts,
)
from tests.support.posts import START, Image, add_post, add_seed_posts
from tests.support.seed import HUDDLE_CRAFT, OBSERVATORY_7, OBSERVATORY_8, ON_POWER, SEED_POSTS


@pytest.fixture
async def org(ctx: HubContext) -> Actor:
    """The organisation actor."""
    return await create_actor(ctx, "org", display_name="The Relationships Project")


async def _every_kind(ctx: HubContext, actor: Actor) -> None:
    """Store one post of each state and visibility, all tagged #field in one series."""
    for title, visibility, state, deleted_at in [
        ("public", "public", "published", None),
        ("unlisted", "unlisted", "published", None),
        ("followers", "followers", "published", None),
        ("draft", "public", "draft", None),
        ("scheduled", "public", "scheduled", None),
        ("deleted", "public", "published", START),
    ]:
        await add_post(
            ctx,
            actor,
            title=title,
            visibility=visibility,
            state=state,
            deleted_at=deleted_at,
            tags=["field"],
            series="Observatory Sightings",
        )


async def test_profile_lists_public_and_unlisted_posts_only(ctx: HubContext, org: Actor) -> None:
    await _every_kind(ctx, org)
    page = await actor_posts(ctx, org)
    assert sorted(post.title for post in page.posts) == ["public", "unlisted"]


async def test_home_tag_series_and_feed_list_public_posts_only(ctx: HubContext, org: Actor) -> None:
    await _every_kind(ctx, org)
    listings = {
        "home": (await latest_posts(ctx)).posts,
        "tag": (await tag_posts(ctx, "field")).posts,
        "series": (await series_posts(ctx, org, "observatory-sightings")).page.posts,
        "feed": await feed_posts(ctx, org),
    }
    assert {name: [post.title for post in posts] for name, posts in listings.items()} == {
        name: ["public"] for name in listings
    }


async def test_home_page_mixes_actors_newest_first(ctx: HubContext, org: Actor) -> None:
    guest = await create_actor(ctx, "guest", actor_type="Person", display_name="Zahra Davidson")
    await add_seed_posts(ctx, org, [OBSERVATORY_7, OBSERVATORY_8])
    await add_post(ctx, guest, title=HUDDLE_CRAFT.title, published_at=START + timedelta(hours=1))
    page = await latest_posts(ctx)
    assert [(post.title, post.author.username) for post in page.posts] == [
        (OBSERVATORY_8.title, "org"),
        (HUDDLE_CRAFT.title, "guest"),
        (OBSERVATORY_7.title, "org"),
    ]


async def test_home_page_leaves_out_deleted_actors(ctx: HubContext, org: Actor) -> None:
    gone = await create_actor(ctx, "gone")
    await add_post(ctx, gone, title="from a deleted actor")
    async with ctx.sessions() as session, session.begin():
        stored = await session.get(Actor, gone.id)
        assert stored is not None
        stored.deleted_at = START
    assert (await latest_posts(ctx)).posts == ()


async def test_pages_walk_every_post_once_even_with_equal_times(
    ctx: HubContext, org: Actor
) -> None:
    # Five posts share one timestamp: the id breaks the tie, so no page skips or repeats one.
    titles = [f"post {n}" for n in range(12)]
    for n, title in enumerate(titles):
        published = START + timedelta(minutes=n // 5)
        await add_post(ctx, org, title=title, tags=["Field"], published_at=published)
    readers: list[Callable[[Cursor | None], Awaitable[PostPage]]] = [
        lambda before: actor_posts(ctx, org, before=before, limit=5),
        lambda before: latest_posts(ctx, before=before, limit=5),
        lambda before: tag_posts(ctx, "field", before=before, limit=5),
    ]
    for read in readers:
        seen: list[str] = []
        cursor: str | None = None
        pages = 0
        while True:
            page = await read(parse_cursor(cursor))
            seen += [post.title for post in page.posts]
            pages += 1
            cursor = page.next_cursor
            if cursor is None:
                break
        assert seen == list(reversed(titles))
        assert pages == 3


async def test_last_page_has_no_next_cursor(ctx: HubContext, org: Actor) -> None:
    for n in range(3):
        await add_post(ctx, org, title=f"post {n}", published_at=START + timedelta(days=n))
    assert (await actor_posts(ctx, org, limit=3)).next_cursor is None
    assert (await actor_posts(ctx, org, limit=2)).next_cursor is not None


async def test_tag_pages_ignore_case_and_follow_the_index(ctx: HubContext, org: Actor) -> None:
    await add_seed_posts(ctx, org, [HUDDLE_CRAFT, ON_POWER])
    assert [post.title for post in (await tag_posts(ctx, "joiningthedots")).posts] == [
        ON_POWER.title,
        HUDDLE_CRAFT.title,
    ]
    assert [post.title for post in (await tag_posts(ctx, "#JoiningTheDots")).posts] == [
        ON_POWER.title,
        HUDDLE_CRAFT.title,
    ]


async def test_index_post_tags_follows_edits_and_deletes(ctx: HubContext, org: Actor) -> None:
    post = await add_post(ctx, org, title="Micro Care", tags=["care"])
    async with ctx.sessions() as session, session.begin():
        stored = await session.get(Post, post.id)
        assert stored is not None
        stored.tags = ["social-care"]
        await index_post_tags(session, stored)
    assert (await tag_posts(ctx, "care")).posts == ()
    assert [p.title for p in (await tag_posts(ctx, "social-care")).posts] == ["Micro Care"]
    async with ctx.sessions() as session, session.begin():
        stored = await session.get(Post, post.id)
        assert stored is not None
        stored.deleted_at = START
        await index_post_tags(session, stored)
    assert (await tag_posts(ctx, "social-care")).posts == ()


async def test_publish_indexes_the_tags_of_a_public_post(ctx: HubContext, org: Actor) -> None:
    await publish(
        ctx,
        "org",
        title="Shifting Power",
        summary="",
        body_markdown="Power.",
        tags=["Power", "lockdown"],
    )
    await publish(
        ctx,
        "org",
        title="Quiet",
        summary="",
        body_markdown=".",
        tags=["power"],
        visibility="unlisted",
    )
    assert [post.title for post in (await tag_posts(ctx, "power")).posts] == ["Shifting Power"]


@pytest.mark.parametrize("tag", ["", "2026", "no spaces", "a/b", "x" * 101], ids=repr)
async def test_impossible_tags_have_no_page(ctx: HubContext, tag: str) -> None:
    with pytest.raises(NotFound):
        await tag_posts(ctx, tag)


async def test_series_lists_its_posts_and_names_itself(ctx: HubContext, org: Actor) -> None:
    await add_seed_posts(ctx, org, SEED_POSTS)
    series = await series_posts(ctx, org, "observatory-sightings", limit=1)
    assert series.name == "Observatory Sightings"
    assert [post.title for post in series.page.posts] == [OBSERVATORY_8.title]
    older = await series_posts(
        ctx, org, "observatory-sightings", before=parse_cursor(series.page.next_cursor), limit=1
    )
    assert older.name == "Observatory Sightings"
    assert [post.title for post in older.page.posts] == [OBSERVATORY_7.title]
    assert older.page.next_cursor is None


async def test_series_of_another_actor_is_not_found(ctx: HubContext, org: Actor) -> None:
    other = await create_actor(ctx, "other")
    await add_seed_posts(ctx, org, [OBSERVATORY_7])
    with pytest.raises(NotFound):
        await series_posts(ctx, other, "observatory-sightings")


async def test_posts_carry_their_images_in_order(ctx: HubContext, org: Actor) -> None:
    await add_post(
        ctx,
        org,
        title="Pictures",
        images=[
            Image("b.jpg", "Second: a huddle of six people"),
            Image("c.png", "Third: notes on a wall", media_type="image/png"),
        ],
    )
    (post,) = (await actor_posts(ctx, org)).posts
    assert [(image.url, image.alt) for image in post.images] == [
        ("https://hub.test/media/b.jpg", "Second: a huddle of six people"),
        ("https://hub.test/media/c.png", "Third: notes on a wall"),
    ]


@pytest.mark.parametrize(
    "raw", ["", "abc", "1-", "-1", "1.5-2", "1-2-3", "9" * 18 + "-1", "1-" + "9" * 19], ids=repr
)
def test_malformed_cursors_are_invalid_input(raw: str) -> None:
    with pytest.raises(InvalidInput):
        parse_cursor(raw)


def test_cursor_round_trips() -> None:
    cursor = Cursor(START + timedelta(microseconds=7), 42)
    assert parse_cursor(cursor.encode()) == cursor


async def test_tag_and_series_pages_follow_a_post_through_its_life(
    ctx: HubContext, org: Actor, clock: ManualClock
) -> None:
    values = PostInput(
        title=OBSERVATORY_7.title,
        summary=OBSERVATORY_7.summary,
        body_markdown="We begin to *take stock*.",
        tags=("Observatory",),
        series="Observatory Sightings",
    )

    async def listed() -> dict[str, list[str]]:
        return {
            "tag": [post.title for post in (await tag_posts(ctx, "observatory")).posts],
            "series": [
                post.title
                for post in (await series_posts(ctx, org, "observatory-sightings")).page.posts
            ]
            if (await actor_posts(ctx, org)).posts
            else [],
            "home": [post.title for post in (await latest_posts(ctx)).posts],
        }

    nothing: dict[str, list[str]] = {"tag": [], "series": [], "home": []}
    # A draft, then a post scheduled for tomorrow: nowhere yet.
    draft = await save_draft(ctx, "org", values)
    assert await listed() == nothing
    await publish_post(
        ctx, "org", values, slug=draft.slug, publish_at=clock.now + timedelta(days=1)
    )
    assert await listed() == nothing
    # When the worker sends it, it is listed everywhere at once.
    clock.advance(timedelta(days=1))
    assert await publish_due_posts(ctx) == 1
    title = OBSERVATORY_7.title
    assert await listed() == {"tag": [title], "series": [title], "home": [title]}
    # An edit that changes its tags moves it between tag pages.
    await edit_post(ctx, "org", draft.slug, replace(values, tags=("stocktake",)))
    assert (await tag_posts(ctx, "observatory")).posts == ()
    assert [post.title for post in (await tag_posts(ctx, "stocktake")).posts] == [title]
    # Deleted, it leaves every list.
    await delete_post(ctx, "org", draft.slug)
    assert (await tag_posts(ctx, "stocktake")).posts == ()
    assert await listed() == nothing


def test_views_link_images_where_the_media_route_serves_them(ctx: HubContext) -> None:
    attachment = MediaAttachment(
        file_name="3f2a9c.jpg",
        media_type="image/jpeg",
        description="A kitchen table",
        created_at=START,
    )
    assert image_url(ctx.settings, attachment) == media_url(ctx, attachment)
    assert image_url(ctx.settings, attachment) == "https://hub.test/media/3f2a9c.jpg"
