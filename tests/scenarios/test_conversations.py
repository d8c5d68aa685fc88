"""Conversations across three Hubs: replies under a post's page, counts, deletes, and search.

alpha and beta follow each other; gamma follows alpha. alpha publishes; beta (followed by
alpha) and gamma (a stranger to alpha) reply, like and boost, through the services staff
use and real federation between the Hubs.
"""

from dataclasses import dataclass

import httpx

from hub.context import HubContext
from hub.services.interactions import react
from hub.services.post_building import PostInput
from hub.services.post_editing import delete_post
from hub.services.publishing import publish, publish_post
from hub.services.search import search_posts
from tests.support.field import three_joined_hubs
from tests.support.html import Page, parse_page
from tests.support.moderation import approval_of, decide_on
from tests.support.network import Network


@dataclass(frozen=True)
class Field:
    """The three Hubs, joined, and alpha's post."""

    alpha: HubContext
    beta: HubContext
    gamma: HubContext
    post_ap_id: str
    page_url: str


async def joined(network: Network) -> Field:
    """Given alpha and beta follow each other and gamma follows alpha, alpha publishes."""
    alpha, beta, gamma = await three_joined_hubs(network)
    published = await publish(
        alpha, "org", title="Compost that works", summary="Three bins and a hedgehog",
        body_markdown="We turned **kitchen waste** into soil.",
    )  # fmt: skip
    await network.settle()
    return Field(alpha, beta, gamma, published.ap_id, published.html_url)


async def reply(network: Network, ctx: HubContext, to: str, text: str) -> str:
    """Reply as `org` of one Hub to a post it has, let it federate, and return its id."""
    published = await publish_post(
        ctx, "org", PostInput(title="", body_markdown=text, in_reply_to=to)
    )
    await network.settle()
    return published.ap_id


async def page(network: Network, url: str) -> Page:
    """Return a public page as a visitor's browser gets it."""
    async with httpx.AsyncClient(transport=network.internet) as http:
        response = await http.get(url, headers={"Accept": "text/html"})
    assert response.status_code == 200, response.text
    return parse_page(response.text)


async def thread(network: Network, url: str) -> list[str]:
    """Return the texts of the replies under a post's page."""
    return (await page(network, url)).texts("div", class_="reply-body")


async def test_replies_show_under_the_post_at_once_or_after_approval(network: Network) -> None:
    field = await joined(network)

    # When beta, whom alpha follows, replies: it shows at once
    await reply(network, field.beta, field.post_ap_id, "Lovely bins!")
    assert await thread(network, field.page_url) == ["Lovely bins!"]

    # When gamma, a stranger to alpha, replies: it waits for approval
    gammas = await reply(network, field.gamma, field.post_ap_id, "How big are they?")
    assert await approval_of(field.alpha, gammas) == "pending"
    assert await thread(network, field.page_url) == ["Lovely bins!"]
    await decide_on(field.alpha, gammas)
    assert await thread(network, field.page_url) == ["Lovely bins!", "How big are they?"]


async def test_a_reply_to_a_reply_nests_under_it(network: Network) -> None:
    field = await joined(network)
    betas = await reply(network, field.beta, field.post_ap_id, "Lovely bins!")

    await reply(network, field.alpha, betas, "Thank you, Beta.")

    shown = await page(network, field.page_url)
    assert shown.texts("div", class_="reply-body") == ["Lovely bins!", "Thank you, Beta."]
    (nested,) = [el for el in shown.find_all("div", class_="reply-body") if "Thank" in el.text]
    assert nested.parents.count("ol") == 2


async def test_likes_and_boosts_are_counted_on_the_page(network: Network) -> None:
    field = await joined(network)

    await react(field.beta, "org", field.post_ap_id, "like")
    await react(field.beta, "org", field.post_ap_id, "boost")
    await react(field.gamma, "org", field.post_ap_id, "like")
    await network.settle()

    shown = await page(network, field.page_url)
    assert shown.texts("span", id="like-count") == ["2 likes"]
    assert shown.texts("span", id="boost-count") == ["1 boost"]

    await react(field.gamma, "org", field.post_ap_id, "unlike")
    await network.settle()
    assert (await page(network, field.page_url)).texts("span", id="like-count") == ["1 like"]


async def test_a_deleted_reply_leaves_the_thread(network: Network) -> None:
    field = await joined(network)
    betas = await reply(network, field.beta, field.post_ap_id, "Lovely bins!")
    assert await thread(network, field.page_url) == ["Lovely bins!"]

    await delete_post(field.beta, "org", betas.rsplit("/", 1)[1])
    await network.settle()

    assert await thread(network, field.page_url) == []


async def titles_found(ctx: HubContext, query: str, *, staff: bool = False) -> list[str]:
    """Return the titles (or excerpts) a search on one Hub finds."""
    found = await search_posts(ctx, query, scope="staff" if staff else "public")
    return [hit.title or hit.excerpt for hit in found.hits]


async def test_search_finds_posts_by_title_summary_and_body_words(network: Network) -> None:
    field = await joined(network)
    await reply(network, field.beta, field.post_ap_id, "Our hedgehog sleeps in the third bin.")

    for query in ("compost", "hedgehog bins", "kitchen soil"):
        assert await titles_found(field.alpha, query) == ["Compost that works"], query
    # beta follows alpha: its staff search covers alpha's post in its reader
    assert await titles_found(field.beta, "kitchen waste", staff=True) == ["Compost that works"]
    # alpha's staff search also finds beta's reply; the public search shows only alpha's own
    assert await titles_found(field.alpha, "third bin", staff=True) == [
        "Our hedgehog sleeps in the third bin."
    ]
    assert await titles_found(field.alpha, "third bin") == []
