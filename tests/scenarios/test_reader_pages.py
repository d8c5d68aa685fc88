"""The reader's staff pages on a Hub that follows another: read, like, boost, reply."""

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlmodel import col, select

from hub.models import Interaction, Post
from hub.services.actors import create_actor
from hub.services.following import follow
from hub.services.publishing import publish
from tests.support.html import parse_page
from tests.support.network import Network
from tests.support.staff import csrf_from
from tests.support.staff_network import staff_client
from tests.web.test_accessibility import _check_page as check_page

ALPHA, BETA = "alpha.test", "beta.test"


@pytest.fixture
async def alpha_staff(network: Network) -> AsyncIterator[httpx.AsyncClient]:
    """Staff of alpha, whose `org` follows beta's `org`, after beta published one post."""
    alpha, beta = network.hub(ALPHA), network.hub(BETA)
    await create_actor(alpha, "org")
    await create_actor(beta, "org", display_name="Beta Network")
    await follow(alpha, "org", "@org@beta.test")
    await network.settle()
    await publish(beta, "org", title="Swifts are back", summary="Counts from the roofs",
                  body_markdown="Forty swifts.", tags=["Observatory"])  # fmt: skip
    await network.settle()
    async with staff_client(network, ALPHA) as client:
        yield client


def _entry_path(page: str) -> str:
    marker = 'action="/admin/reader/'
    start = page.index(marker) + len(marker)
    return "/admin/reader/" + page[start : page.index("/", start)]


async def test_the_reader_shows_the_followed_post(alpha_staff: httpx.AsyncClient) -> None:
    page = await alpha_staff.get("/admin/reader")
    assert page.status_code == 200
    assert "Swifts are back" in page.text
    assert "Counts from the roofs" in page.text
    assert "@org@beta.test" in page.text
    assert page.headers["cache-control"] == "no-store"


async def test_the_reader_filters_by_tag_and_by_actor(alpha_staff: httpx.AsyncClient) -> None:
    assert "Swifts are back" in (await alpha_staff.get("/admin/reader?tag=%23observatory")).text
    assert "Swifts are back" not in (await alpha_staff.get("/admin/reader?tag=gardening")).text
    by_beta = await alpha_staff.get("/admin/reader?actor=org@beta.test")
    assert "Swifts are back" in by_beta.text
    unknown = await alpha_staff.get("/admin/reader?actor=nobody@nowhere.test")
    assert unknown.status_code == 404


async def test_a_bad_cursor_is_a_clear_400(alpha_staff: httpx.AsyncClient) -> None:
    response = await alpha_staff.get("/admin/reader?before=soon")
    assert response.status_code == 400


async def test_like_from_the_reader_shows_as_liked(
    network: Network, alpha_staff: httpx.AsyncClient
) -> None:
    page = (await alpha_staff.get("/admin/reader")).text
    entry = _entry_path(page)
    response = await alpha_staff.post(
        f"{entry}/react",
        data={"csrf_token": csrf_from(page), "actor": "org", "action": "like",
              "back": "/admin/reader"},
    )  # fmt: skip
    assert response.status_code == 303
    assert response.headers["location"].startswith("/admin/reader#entry-")
    after = await alpha_staff.get("/admin/reader")
    assert 'aria-pressed="true">Liked</button>' in after.text
    await network.settle()
    async with network.hub(BETA).sessions() as session:
        kinds = (await session.exec(select(Interaction.kind))).all()
    assert list(kinds) == ["like"]


async def test_a_reaction_without_the_csrf_token_is_refused(
    network: Network, alpha_staff: httpx.AsyncClient
) -> None:
    entry = _entry_path((await alpha_staff.get("/admin/reader")).text)
    response = await alpha_staff.post(
        f"{entry}/react", data={"actor": "org", "action": "boost", "back": "/admin/reader"}
    )
    assert response.status_code == 403
    async with network.hub(ALPHA).sessions() as session:
        assert (await session.exec(select(Interaction))).all() == []


async def test_reply_form_publishes_a_reply_to_the_author(
    network: Network, alpha_staff: httpx.AsyncClient
) -> None:
    entry = _entry_path((await alpha_staff.get("/admin/reader")).text)
    form = await alpha_staff.get(f"{entry}/reply")
    assert form.status_code == 200
    assert "@org@beta.test </textarea>" in form.text
    response = await alpha_staff.post(
        f"{entry}/reply",
        data={"csrf_token": csrf_from(form.text), "actor": "org", "visibility": "public",
              "body": "@org@beta.test Wonderful news.", "content_warning": ""},
    )  # fmt: skip
    assert response.status_code == 303
    await network.settle()
    async with network.hub(BETA).sessions() as session:
        replies = (
            await session.exec(select(Post.content_html).where(col(Post.in_reply_to).is_not(None)))
        ).all()
    assert len(replies) == 1
    assert "Wonderful news." in replies[0]


async def test_an_empty_reply_is_refused_and_the_form_kept(alpha_staff: httpx.AsyncClient) -> None:
    entry = _entry_path((await alpha_staff.get("/admin/reader")).text)
    form = await alpha_staff.get(f"{entry}/reply")
    response = await alpha_staff.post(
        f"{entry}/reply",
        data={"csrf_token": csrf_from(form.text), "actor": "org", "visibility": "public",
              "body": "   ", "content_warning": "Birds"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "is required for a reply" in response.text
    assert 'value="Birds"' in response.text


@pytest.mark.parametrize(
    "path",
    ["/admin/reader", "/admin/following", "/admin/followers", "/admin/notifications", "reply"],
)
async def test_staff_pages_meet_the_accessibility_basics(
    alpha_staff: httpx.AsyncClient, path: str
) -> None:
    if path == "reply":
        path = _entry_path((await alpha_staff.get("/admin/reader")).text) + "/reply"
    response = await alpha_staff.get(path)
    assert response.status_code == 200
    assert check_page(parse_page(response.text)) == []
