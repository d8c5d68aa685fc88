"""Conversations between three real `hub serve` processes: replies, approval, counts, search.

alpha and beta follow each other and gamma follows alpha (with `hub follow`); alpha posts
with `hub post`. Replies, likes, boosts, approval and deletes go through the same services
the staff pages call, run against each Hub's own database while its server runs, so every
activity crosses real sockets, signatures and queues.
"""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from hub.services.interactions import react
from hub.services.post_building import PostInput
from hub.services.post_editing import delete_post
from hub.services.publishing import publish_post
from tests.e2e.servers import HubProcess, running_hubs
from tests.e2e.test_federation import remote_titles, wait_for
from tests.support.html import Page, parse_page
from tests.support.moderation import approval_of, decide_on
from tests.support.served import with_services

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]


def reply(hub: HubProcess, post_id: str, text: str) -> str:
    """Reply as `org` of a Hub to a post it stores; return the reply's id."""
    values = PostInput(title="", body_markdown=text, in_reply_to=post_id)
    return with_services(hub, lambda ctx: publish_post(ctx, "org", values)).ap_id


def page(url: str) -> Page:
    """Return a public page, as a browser gets it."""
    response = httpx.get(url, headers={"Accept": "text/html"}, timeout=10)
    assert response.status_code == 200, (url, response.status_code)
    return parse_page(response.text)


def thread(url: str) -> list[str]:
    """Return the texts of the replies under a post's page."""
    return page(url).texts("div", class_="reply-body")


@pytest.fixture
def hubs(
    request: pytest.FixtureRequest, backend: str, tmp_path: Path
) -> Iterator[list[HubProcess]]:
    """alpha, beta and gamma running; alpha and beta follow each other, gamma follows alpha."""
    with running_hubs(request, backend, tmp_path, ("alpha", "beta", "gamma")) as started:
        alpha, beta, gamma = started
        alpha.hub("follow", "--as", "org", f"@org@{beta.host}")
        beta.hub("follow", "--as", "org", f"@org@{alpha.host}")
        gamma.hub("follow", "--as", "org", f"@org@{alpha.host}")
        wait_for(lambda: alpha.hub("followers", "org").count("accepted") == 2, "alpha's followers")
        wait_for(lambda: "accepted" in alpha.hub("following", "org"), "alpha's follow of beta")
        yield started


def test_replies_counts_deletes_and_search_over_sockets(
    hubs: list[HubProcess], tmp_path: Path
) -> None:
    alpha, beta, gamma = hubs
    source = tmp_path / "post.md"
    source.write_text(
        "---\ntitle: Compost that works\nsummary: Three bins and a hedgehog\n---\n"
        "We turned kitchen waste into soil.\n"
    )
    page_url = alpha.hub("post", "--as", "org", str(source)).strip()
    post_id = f"{alpha.base_url}/users/org/posts/{page_url.rsplit('/', 1)[1]}"
    wait_for(
        lambda: remote_titles(beta) == remote_titles(gamma) == ["Compost that works"],
        "beta and gamma to store the post",
    )

    # beta, whom alpha follows, replies: the reply shows under alpha's post at once
    betas = reply(beta, post_id, "Lovely bins!")
    wait_for(lambda: thread(page_url) == ["Lovely bins!"], "beta's reply on alpha's page")

    # gamma, a stranger to alpha, replies: held until alpha approves it
    gammas = reply(gamma, post_id, "How big are they?")
    wait_for(
        lambda: with_services(alpha, lambda ctx: approval_of(ctx, gammas)) == "pending",
        "gamma's reply to be held",
    )
    assert thread(page_url) == ["Lovely bins!"]
    with_services(alpha, lambda ctx: decide_on(ctx, gammas))
    # Approved from another process: alpha's kept rendering gives way within ten seconds.
    wait_for(
        lambda: thread(page_url) == ["Lovely bins!", "How big are they?"],
        "gamma's approved reply on alpha's page",
    )

    # beta likes and boosts, gamma likes: alpha's page counts them
    with_services(beta, lambda ctx: react(ctx, "org", post_id, "like"))
    with_services(beta, lambda ctx: react(ctx, "org", post_id, "boost"))
    with_services(gamma, lambda ctx: react(ctx, "org", post_id, "like"))
    wait_for(
        lambda: (
            page(page_url).texts("span", id="like-count") == ["2 likes"]
            and page(page_url).texts("span", id="boost-count") == ["1 boost"]
        ),
        "the likes and the boost to be counted",
    )

    # beta deletes its reply: it leaves alpha's page
    with_services(beta, lambda ctx: delete_post(ctx, "org", betas.rsplit("/", 1)[1]))
    wait_for(lambda: thread(page_url) == ["How big are they?"], "the reply to be removed")

    # alpha's search finds the post by words of its title, summary and body
    for words in ("compost", "hedgehog", "kitchen soil"):
        found = httpx.get(f"{alpha.base_url}/search", params={"q": words}, timeout=10)
        assert parse_page(found.text).texts("h3", class_="post-title") == ["Compost that works"], (
            words
        )
