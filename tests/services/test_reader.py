"""The reader's pages: newest first, keyset pages that never repeat, filters, state, safety."""

from datetime import timedelta

import pytest
from sqlmodel import select

from hub.clock import ManualClock
from hub.context import HubContext
from hub.federation.timeline import remove_post_from_timeline
from hub.models import Interaction
from hub.services.actors import create_actor
from hub.services.errors import InvalidInput
from hub.services.reader import (
    find_source_actor,
    html_to_text,
    normalise_reader_tag,
    parse_cursor,
    reader_page,
    web_link,
)
from tests.support.timeline import add_remote_actor, add_timeline_post


async def test_pages_walk_newest_first_without_repeating(
    ctx: HubContext, clock: ManualClock
) -> None:
    author = await add_remote_actor(ctx, "ann", "field.example")
    for number in range(7):
        await add_timeline_post(ctx, author, name=f"Post {number}")
        clock.advance(timedelta(minutes=1))
    seen: list[str] = []
    cursor = None
    while True:
        page = await reader_page(ctx, before=cursor, page_size=3)
        seen += [item.title for item in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == [f"Post {number}" for number in reversed(range(7))]


async def test_tag_filter_pages_by_tag_in_any_case(ctx: HubContext) -> None:
    author = await add_remote_actor(ctx, "ann", "field.example")
    for number in range(5):
        await add_timeline_post(ctx, author, name=f"Swifts {number}", tags=["Swifts"])
        await add_timeline_post(ctx, author, name=f"Other {number}", tags=["gardening"])
    tag = normalise_reader_tag("#SWIFTS")
    first = await reader_page(ctx, tag=tag, page_size=3)
    second = await reader_page(ctx, tag=tag, before=first.next_cursor, page_size=3)
    titles = [item.title for item in first.items + second.items]
    assert titles == [f"Swifts {number}" for number in reversed(range(5))]
    assert second.next_cursor is None


async def test_actor_filter_shows_its_posts_and_its_boosts(ctx: HubContext) -> None:
    ann = await add_remote_actor(ctx, "ann", "field.example")
    bob = await add_remote_actor(ctx, "bob", "other.example")
    await add_timeline_post(ctx, ann, name="By Ann")
    await add_timeline_post(ctx, bob, name="By Bob")
    await add_timeline_post(ctx, bob, booster=ann, name="By Bob, boosted by Ann")
    source = await find_source_actor(ctx, "@ann@field.example")
    page = await reader_page(ctx, source=source)
    assert [(item.title, item.booster.handle if item.booster else None) for item in page.items] == [
        ("By Bob, boosted by Ann", "ann@field.example"),
        ("By Ann", None),
    ]


async def test_deleted_posts_leave_the_reader(ctx: HubContext) -> None:
    ann = await add_remote_actor(ctx, "ann", "field.example")
    kept = await add_timeline_post(ctx, ann, name="Kept")
    gone = await add_timeline_post(ctx, ann, name="Gone")
    assert gone.id is not None
    async with ctx.sessions() as session, session.begin():
        await remove_post_from_timeline(session, gone.id)
    assert [item.post_ap_id for item in (await reader_page(ctx)).items] == [kept.ap_id]


async def test_items_show_what_the_reading_actor_liked(ctx: HubContext) -> None:
    org = await create_actor(ctx, "org")
    ann = await add_remote_actor(ctx, "ann", "field.example")
    post = await add_timeline_post(ctx, ann, name="Liked one")
    assert org.id is not None
    async with ctx.sessions() as session, session.begin():
        session.add(
            Interaction(
                ap_id=f"{org.ap_id}#likes/1", kind="like", actor_id=org.id,
                object_ap_id=post.ap_id, post_id=post.id, created_at=ctx.clock(),
            )
        )  # fmt: skip
    item = (await reader_page(ctx, reading_as=org)).items[0]
    assert (item.is_liked, item.is_boosted) == (True, False)
    async with ctx.sessions() as session:
        assert len((await session.exec(select(Interaction))).all()) == 1


async def test_remote_text_fields_come_out_as_text_and_links_as_http(ctx: HubContext) -> None:
    ann = await add_remote_actor(ctx, "ann", "field.example")
    await add_timeline_post(
        ctx,
        ann,
        type="Article",
        name="<b>Bold</b> title",
        summary="<p>In <em>brief</em></p><script>alert(1)</script>",
        content='<p onclick="x()">Hi <a href="javascript:alert(1)">there</a></p><script>x</script>',
        url="javascript:alert(1)",
    )
    item = (await reader_page(ctx)).items[0]
    assert item.title == "<b>Bold</b> title"  # text: the template escapes it
    assert item.summary == "In brief"
    assert "script" not in item.body_html
    assert "onclick" not in item.body_html
    assert "javascript:" not in item.body_html
    assert item.link == item.post_ap_id  # the javascript: url is not linked


def test_html_to_text_keeps_words_apart_and_unescapes() -> None:
    assert html_to_text("<p>One</p><p>Two &amp; three</p>") == "One Two & three"
    assert html_to_text("a<br>b") == "a b"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "//x", "ftp://x/y"])
def test_only_http_links_are_kept(url: str) -> None:
    assert web_link(url) is None


@pytest.mark.parametrize("raw", ["-1", "x", "9" * 30])
def test_a_bad_cursor_is_invalid_input(raw: str) -> None:
    with pytest.raises(InvalidInput):
        parse_cursor(raw)
