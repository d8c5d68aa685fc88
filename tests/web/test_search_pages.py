"""The public search page, and the staff one with its look-ups of posts and accounts.

Look-ups fetch from a fake Mastodon (tests.interop.fake_mastodon) through the Hub's
fetcher, on a Hub at example.com that refuses private addresses.
"""

from collections.abc import AsyncIterator
from urllib.parse import quote

import httpx
import pytest

from hub.context import HubContext
from hub.models import Actor
from hub.services.actors import find_local_actor
from tests.interop.conftest import MastodonWorld
from tests.support.html import parse_page
from tests.support.mastodon_notes import add_mastodon_user, note_of
from tests.support.posts import add_post
from tests.support.remote_posts import add_remote_actor, add_remote_post
from tests.support.staff import log_in, make_account

ORG = "https://example.com/users/org"


@pytest.fixture
async def org(staff_ctx: HubContext) -> Actor:
    """The organisation actor of the staff Hub."""
    actor = await find_local_actor(staff_ctx, "org")
    assert actor is not None
    return actor


async def test_public_search_finds_public_posts_only(
    browser_like: httpx.AsyncClient, staff_ctx: HubContext, org: Actor
) -> None:
    await add_post(staff_ctx, org, title="Compost that works", summary="Three <bins>")
    await add_post(staff_ctx, org, title="Compost for friends", visibility="followers")
    alice = await add_remote_actor(staff_ctx, "alice")
    await add_remote_post(staff_ctx, alice, content="<p>compost from afar</p>")

    response = await browser_like.get("/search", params={"q": "compost"})

    assert response.status_code == 200
    page = parse_page(response.text)
    assert page.texts("h3", class_="post-title") == ["Compost that works"]
    assert page.texts("p", class_="excerpt") == ["Three <bins>"]
    assert "Three &lt;bins&gt;" in response.text


async def test_public_search_says_when_nothing_matches(browser_like: httpx.AsyncClient) -> None:
    response = await browser_like.get("/search", params={"q": "hedgehogs"})
    assert parse_page(response.text).texts("p", class_="empty") == [
        "No posts have all of these words: hedgehogs."
    ]


async def test_public_search_pages_with_more_results(
    browser_like: httpx.AsyncClient, staff_ctx: HubContext, org: Actor
) -> None:
    for number in range(21):
        await add_post(staff_ctx, org, title=f"Swifts {number}")
    first = parse_page((await browser_like.get("/search", params={"q": "swifts"})).text)
    (more,) = first.find_all("a", rel="next")
    second = parse_page((await browser_like.get(more.attrs["href"])).text)
    assert len(first.texts("h3", class_="post-title")) == 20
    assert len(second.texts("h3", class_="post-title")) == 1


@pytest.mark.parametrize(
    "params",
    [{"q": "word " * 101}, {"q": "swifts", "before": "not-a-cursor"}],
    ids=["too-long", "bad-cursor"],
)
async def test_public_search_refuses_bad_input_clearly(
    browser_like: httpx.AsyncClient, params: dict[str, str]
) -> None:
    response = await browser_like.get("/search", params=params)
    assert response.status_code == 400
    assert "The search could not run" in response.text


async def test_every_page_offers_the_search_box(browser_like: httpx.AsyncClient) -> None:
    page = parse_page((await browser_like.get("/")).text)
    form = page.find("form", class_="site-search")
    assert form.attrs["action"] == "/search"


async def test_staff_search_needs_a_signed_in_account(browser_like: httpx.AsyncClient) -> None:
    response = await browser_like.get("/admin/search", params={"q": "compost"})
    assert response.status_code == 303


async def test_staff_search_covers_the_reader_and_links_to_threads(
    browser_like: httpx.AsyncClient, staff_ctx: HubContext, org: Actor
) -> None:
    await add_post(staff_ctx, org, title="Compost for friends", visibility="followers")
    alice = await add_remote_actor(staff_ctx, "alice")
    remote = await add_remote_post(staff_ctx, alice, content="<p>compost from afar</p>")
    await make_account(staff_ctx, actors=("org",))
    await log_in(browser_like)

    response = await browser_like.get("/admin/search", params={"q": "compost"})

    page = parse_page(response.text)
    assert page.texts("h3", class_="post-title") == ["Compost for friends", "A post by Alice"]
    assert page.find_all("a", href=f"/admin/search?q={quote(remote.ap_id, safe='/')}")


# --- Look-ups through the fetcher --------------------------------------------------------


@pytest.fixture
async def staff_client(world: MastodonWorld) -> AsyncIterator[httpx.AsyncClient]:
    """A signed-in staff member's client on the Hub at example.com."""
    await make_account(world.ctx, actors=("org",))
    transport = httpx.ASGITransport(app=world.app)
    async with httpx.AsyncClient(
        transport=transport, base_url="https://example.com", headers={"Accept": "text/html"}
    ) as client:
        await log_in(client)
        yield client


async def test_a_post_address_is_fetched_and_shown_with_its_thread(
    world: MastodonWorld, staff_client: httpx.AsyncClient
) -> None:
    bob = add_mastodon_user(world.mastodon, "bob")
    top = note_of(bob, 1, "<p>Where do swifts nest?</p>")
    middle = note_of(world.alice, 2, "<p>Under the eaves.</p>", in_reply_to=top["id"])
    answer = note_of(bob, 3, "<p>Thank you!</p>", in_reply_to=middle["id"])
    replies_id = f"{middle['id']}/replies"
    middle["replies"] = {
        "id": replies_id,
        "type": "Collection",
        "first": {"type": "CollectionPage", "items": [], "next": f"{replies_id}?page=true"},
    }
    page_two = {"id": f"{replies_id}?page=true", "type": "CollectionPage", "items": [answer["id"]]}
    for document in (top, middle, answer, page_two):
        world.mastodon.serve(document)

    response = await staff_client.get("/admin/search", params={"q": middle["id"]})

    assert response.status_code == 200
    page = parse_page(response.text)
    assert page.texts("div", class_="reply-body") == [
        "Where do swifts nest?",
        "Under the eaves.",
        "Thank you!",
    ]
    (follow,) = page.find_all("a", class_="button secondary")
    assert follow.attrs["href"] == "/admin/following?handle=%40alice%40mastodon.example"
    fetched = [request.url for request in world.mastodon.fetches()]
    assert all(request.verdict.is_valid for request in world.mastodon.fetches()), fetched


async def test_a_handle_shows_the_account_with_a_follow_button(
    world: MastodonWorld, staff_client: httpx.AsyncClient
) -> None:
    response = await staff_client.get("/admin/search", params={"q": "@alice@mastodon.example"})

    page = parse_page(response.text)
    assert page.texts("h2", id="actor-heading") == ["Alice"]
    (follow,) = page.find_all("a", class_="button")
    assert follow.attrs["href"] == "/admin/following?handle=%40alice%40mastodon.example"
    form = await staff_client.get(follow.attrs["href"])
    assert parse_page(form.text).find("input", id="handle").attrs["value"] == (
        "@alice@mastodon.example"
    )


async def test_a_handle_of_this_hub_shows_our_actor_without_a_follow_button(
    staff_client: httpx.AsyncClient,
) -> None:
    response = await staff_client.get("/admin/search", params={"q": "@org@example.com"})

    page = parse_page(response.text)
    assert page.texts("h2", id="actor-heading") == ["Example Org"]
    assert page.find_all("a", class_="button") == []


@pytest.mark.parametrize(
    "address",
    [
        "https://mastodon.example/users/alice/statuses/404",
        "https://127.0.0.1/users/alice",
        "https://unknown.example/notes/1",
    ],
    ids=["not-found", "private-address", "unreachable"],
)
async def test_an_address_that_leads_nowhere_says_so(
    staff_client: httpx.AsyncClient, address: str
) -> None:
    response = await staff_client.get("/admin/search", params={"q": address})
    assert response.status_code == 404
    assert "Nothing could be found there" in response.text


async def test_a_post_of_ours_is_shown_from_the_database(
    world: MastodonWorld, staff_client: httpx.AsyncClient
) -> None:
    post_id = await world.publish("Compost that works")
    fetches = len(world.mastodon.fetches())

    response = await staff_client.get("/admin/search", params={"q": post_id})

    assert response.status_code == 200
    assert "Compost that works" in parse_page(response.text).texts("p", class_="reply-title")[0]
    assert len(world.mastodon.fetches()) == fetches
