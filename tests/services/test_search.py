"""Full-text search: the same posts, in the same order, on SQLite (FTS5) and PostgreSQL.

"The same" is defined in hub.services.search: whole words after folding case and accents,
every word required, ranked by where the words are (title, then title or summary, then
anywhere), newest first within a rank. Each test here runs on both databases against the
same expected answers, so the two can only pass together.
"""

from datetime import datetime, timedelta

import pytest

from hub.context import HubContext
from hub.models import Actor, Post
from hub.services.actors import create_actor
from hub.services.errors import InvalidInput
from hub.services.post_editing import delete_post, edit_post
from hub.services.publishing import PostInput, publish_post
from hub.services.search import SearchScope, parse_search_cursor, search_posts
from tests.support.posts import START, add_post
from tests.support.remote_posts import add_remote_actor, add_remote_post


def day(number: int) -> datetime:
    """Return the publication time of a post on day `number` of the data set."""
    return START + timedelta(days=number)


@pytest.fixture
async def org(ctx: HubContext) -> Actor:
    """Our organisation actor."""
    return await create_actor(ctx, "org", display_name="Example Org")


@pytest.fixture
async def posts(ctx: HubContext, org: Actor) -> dict[str, Post]:
    """Posts of every kind a search must find or leave out, by short name."""
    alice = await add_remote_actor(ctx, "alice")
    gone = await add_remote_actor(ctx, "gone", deleted_at=START)
    found = {
        "compost": await add_post(
            ctx, org, title="Compost that works", summary="Three bins in a small garden",
            body_html="<p>We turned kitchen waste into soil.</p>", published_at=day(1),
        ),
        "garden": await add_post(
            ctx, org, title="Garden notes", summary="Café opening at the allotments",
            body_html="<p>The <strong>COMPOST</strong> heap is warm.</p>", published_at=day(2),
        ),
        "remote": await add_remote_post(
            ctx, alice,
            content='<p>Our <a href="https://mastodon.example/tags/compost">#compost</a> '
            "café garden, <em>finally</em>!</p>",
            published_at=day(3),
        ),
        "remote_article": await add_remote_post(
            ctx, alice, name="Compost tea", summary="<p>A brew for the garden</p>",
            content="<p>Soak it.</p>", published_at=day(4),
        ),
        "draft": await add_post(
            ctx, org, title="Compost draft", state="draft", published_at=day(5)
        ),
        "followers": await add_post(
            ctx, org, title="Compost for followers", visibility="followers", published_at=day(6)
        ),
        "unlisted": await add_post(
            ctx, org, title="Compost, unlisted", visibility="unlisted", published_at=day(7)
        ),
        "deleted": await add_post(
            ctx, org, title="Compost gone", deleted_at=START, published_at=day(8)
        ),
        "held": await add_remote_post(
            ctx, alice, approval="pending", content="<p>compost reply</p>", published_at=day(9)
        ),
        "rejected": await add_remote_post(
            ctx, alice, approval="rejected", content="<p>compost spam</p>", published_at=day(10)
        ),
        "by_deleted_actor": await add_remote_post(
            ctx, gone, content="<p>compost from a deleted actor</p>", published_at=day(11)
        ),
        "markup": await add_post(
            ctx, org, title="Markup", body_html='<p class="hidden-word">Visible words only</p>',
            published_at=day(12),
        ),
        "unicode": await add_post(
            ctx, org, title="Straße in Zürich", body_html="<p>Αθήνα, 北京, naïve x²</p>",
            published_at=day(13),
        ),
    }  # fmt: skip
    return found


SEARCHES = [
    # (scope, query, expected posts in order)
    ("public", "compost", ["compost", "garden"]),
    ("public", "COMPOST Garden", ["compost", "garden"]),
    ("public", "cafe", ["garden"]),
    ("public", "CAFÉ", ["garden"]),
    ("public", "kitchen soil", ["compost"]),
    ("public", "soil kitchen compost", ["compost"]),
    ("public", "gardens", []),
    ("public", "gard", []),
    ("public", "compost nowhere", []),
    ("public", "   ", []),
    ("public", "hidden", []),
    ("public", "class", []),
    ("public", "p", []),
    ("public", "visible", ["markup"]),
    ("public", 'compost" OR "x', []),
    ("public", "NEAR(compost garden)", []),
    ("public", "(compost) -garden^", ["compost", "garden"]),
    ("public", "compost* garden:A & !soil | {title}", []),
    ("public", "STRASSE zurich", ["unicode"]),
    ("public", "αθηνα", ["unicode"]),
    ("public", "北京", ["unicode"]),
    ("public", "NAIVE X2", ["unicode"]),
    (
        "staff",
        "compost",
        ["unlisted", "followers", "remote_article", "compost", "held", "remote", "garden"],
    ),
    ("staff", "compost garden", ["remote_article", "compost", "remote", "garden"]),
    ("staff", "cafe garden", ["garden", "remote"]),
    ("staff", "brew", ["remote_article"]),
    ("staff", "tea", ["remote_article"]),
    ("staff", "finally", ["remote"]),
    ("staff", "spam", []),
]


@pytest.mark.parametrize(
    ("scope", "query", "expected"), SEARCHES, ids=[f"{s}:{q}" for s, q, _ in SEARCHES]
)
async def test_search_finds_the_same_posts_in_the_same_order_on_both_databases(
    ctx: HubContext,
    posts: dict[str, Post],
    scope: SearchScope,
    query: str,
    expected: list[str],
) -> None:
    names = {post.id: name for name, post in posts.items()}
    page = await search_posts(ctx, query, scope=scope)
    assert [names[hit.post_id] for hit in page.hits] == expected


async def test_ranks_title_then_summary_then_body(ctx: HubContext, org: Actor) -> None:
    body = await add_post(ctx, org, title="One", body_html="<p>swifts</p>", published_at=day(3))
    summary = await add_post(ctx, org, title="Two", summary="Swifts", published_at=day(2))
    title = await add_post(ctx, org, title="Swifts", published_at=day(1))
    hits = (await search_posts(ctx, "swifts", scope="public")).hits
    assert [(hit.post_id, hit.rank) for hit in hits] == [
        (title.id, 2),
        (summary.id, 1),
        (body.id, 0),
    ]


async def test_pages_follow_each_other_without_gaps_or_repeats(ctx: HubContext, org: Actor) -> None:
    stored = [
        await add_post(
            ctx,
            org,
            title=f"Sighting {number}",
            body_html="<p>swifts</p>",
            published_at=day(number),
        )
        for number in range(25)
    ]
    first = await search_posts(ctx, "swifts", scope="public")
    assert len(first.hits) == 20
    assert first.next_cursor is not None
    second = await search_posts(
        ctx, "swifts", scope="public", before=parse_search_cursor(first.next_cursor)
    )
    assert second.next_cursor is None
    found = [hit.post_id for hit in (*first.hits, *second.hits)]
    assert found == [post.id for post in reversed(stored)]


async def test_an_edit_and_a_delete_change_what_is_found(ctx: HubContext, org: Actor) -> None:
    published = await publish_post(
        ctx, "org", PostInput(title="Swifts are back", body_markdown="Over the *roofs*.")
    )
    assert len((await search_posts(ctx, "roofs", scope="public")).hits) == 1

    await edit_post(ctx, "org", published.slug, PostInput(title="Swifts", body_markdown="Gone."))
    assert (await search_posts(ctx, "roofs", scope="public")).hits == ()
    assert len((await search_posts(ctx, "gone", scope="public")).hits) == 1

    await delete_post(ctx, "org", published.slug)
    assert (await search_posts(ctx, "swifts", scope="staff")).hits == ()


async def test_results_carry_plain_text_and_links(ctx: HubContext, org: Actor) -> None:
    await add_post(
        ctx, org, title="Compost", summary="", body_html="<p>Three <em>bins</em> &amp; soil</p>"
    )
    (hit,) = (await search_posts(ctx, "bins", scope="public")).hits
    assert hit.excerpt == "Three bins & soil"
    assert hit.url.startswith("https://hub.test/@org/")
    assert hit.author.handle == "org@hub.test"


@pytest.mark.parametrize(
    "cursor", ["3-1-1", "x", "1-999999999999999999-1", "1-1-9999999999999999999", "0--1"]
)
def test_unreadable_cursors_are_refused(cursor: str) -> None:
    with pytest.raises(InvalidInput):
        parse_search_cursor(cursor)


async def test_an_overlong_query_is_refused(ctx: HubContext) -> None:
    with pytest.raises(InvalidInput):
        await search_posts(ctx, "word " * 200, scope="public")
