"""The conversation under a post page, and the staff page that approves or rejects replies."""

import httpx
import pytest

from hub.context import HubContext
from hub.models import Actor, Interaction, Post
from hub.services.actors import find_local_actor
from tests.support.html import parse_page
from tests.support.posts import START, add_post
from tests.support.remote_posts import add_remote_actor, add_remote_post
from tests.support.staff import form_token, log_in, make_account

IMAGE_URL = "https://mastodon.example/files/hedgehog.png"
IMAGE_ALT = "A hedgehog under the compost bin"
IMAGE: dict[str, object] = {
    "type": "Document",
    "mediaType": "image/png",
    "url": IMAGE_URL,
    "name": IMAGE_ALT,
    "width": 640,
    "height": 480,
}


@pytest.fixture
async def org(staff_ctx: HubContext) -> Actor:
    """The organisation actor of the staff Hub."""
    actor = await find_local_actor(staff_ctx, "org")
    assert actor is not None
    return actor


@pytest.fixture
async def post(staff_ctx: HubContext, org: Actor) -> Post:
    """A published post of org's."""
    return await add_post(staff_ctx, org, title="Compost that works")


def page_path(post: Post) -> str:
    """Return the path of a local post's page."""
    return f"/@org/{post.slug}"


async def add_interaction(ctx: HubContext, post: Post, actor: Actor, kind: str) -> None:
    """Record a like or boost of a post, as the interop handlers do."""
    async with ctx.sessions() as session, session.begin():
        session.add(
            Interaction(
                ap_id=f"{actor.ap_id}#{kind}/{post.id}",
                kind=kind,
                actor_id=actor.id or 0,
                object_ap_id=post.ap_id,
                post_id=post.id,
                created_at=START,
            )
        )


async def test_post_page_shows_the_shown_replies_as_a_thread(
    browser_like: httpx.AsyncClient, staff_ctx: HubContext, post: Post
) -> None:
    alice = await add_remote_actor(staff_ctx, "alice", display_name="Alice Gardener")
    bob = await add_remote_actor(staff_ctx, "bob", domain="other.example")
    first = await add_remote_post(
        staff_ctx, alice, content="<p>Lovely bins</p>", in_reply_to=post.ap_id, attachment=[IMAGE]
    )
    await add_remote_post(staff_ctx, bob, content="<p>Agreed</p>", in_reply_to=first.ap_id)
    for approval in ("pending", "rejected"):
        await add_remote_post(
            staff_ctx, bob, content=f"<p>{approval} reply</p>", in_reply_to=post.ap_id,
            approval=approval,
        )  # fmt: skip
    private = await add_remote_post(
        staff_ctx,
        bob,
        content="<p>Only for you</p>",
        in_reply_to=post.ap_id,
        to=[org_id(post)],
        cc=[],
    )
    assert private.visibility == "direct"

    response = await browser_like.get(page_path(post))

    page = parse_page(response.text)
    assert page.texts("div", class_="reply-body") == ["Lovely bins", "Agreed"]
    assert page.texts("span", id="reply-count") == ["2 replies"]
    (agreed,) = [el for el in page.find_all("div", class_="reply-body") if el.text == "Agreed"]
    assert agreed.parents.count("ol") == 2
    byline = page.find("p", id=f"reply-{first.id}-by")
    assert "Alice Gardener" in byline.text
    assert "@alice@mastodon.example" in byline.text
    assert page.find("a", href="https://mastodon.example/@alice").text == "Alice Gardener"
    image = page.find("img", src=IMAGE_URL)
    assert image.attrs["alt"] == IMAGE_ALT
    assert page.find_all("time", datetime=first.published_at.isoformat())


def org_id(post: Post) -> str:
    """Return the id of the post's author (org)."""
    return post.ap_id.split("/posts/", 1)[0]


async def test_post_page_counts_likes_and_boosts(
    browser_like: httpx.AsyncClient, staff_ctx: HubContext, post: Post
) -> None:
    alice = await add_remote_actor(staff_ctx, "alice")
    bob = await add_remote_actor(staff_ctx, "bob")
    for fan in (alice, bob):
        await add_interaction(staff_ctx, post, fan, "like")
    await add_interaction(staff_ctx, post, bob, "announce")

    page = parse_page((await browser_like.get(page_path(post))).text)

    assert page.texts("span", id="like-count") == ["2 likes"]
    assert page.texts("span", id="boost-count") == ["1 boost"]
    assert page.texts("span", id="reply-count") == ["0 replies"]


async def test_a_page_with_reactions_is_revalidated_by_etag_only(
    browser_like: httpx.AsyncClient, staff_ctx: HubContext, post: Post
) -> None:
    before = await browser_like.get(page_path(post))
    assert "last-modified" in before.headers
    alice = await add_remote_actor(staff_ctx, "alice")
    await add_remote_post(staff_ctx, alice, content="<p>Held</p>", in_reply_to=post.ap_id,
                          approval="pending")  # fmt: skip

    after = await browser_like.get(page_path(post))

    assert "last-modified" not in after.headers
    assert after.headers["etag"]


async def test_the_replies_page_needs_a_signed_in_account(browser_like: httpx.AsyncClient) -> None:
    response = await browser_like.get("/admin/replies")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/admin/replies"


async def held_reply(ctx: HubContext, post: Post, text: str = "Please approve me") -> Post:
    """Store a stranger's reply to the post, held for approval."""
    alice = await add_remote_actor(ctx, "alice", display_name="Alice")
    return await add_remote_post(
        ctx, alice, content=f"<p>{text}</p>", in_reply_to=post.ap_id, approval="pending"
    )


async def test_staff_approve_a_held_reply_and_it_shows_under_the_post(
    browser_like: httpx.AsyncClient, staff_ctx: HubContext, post: Post
) -> None:
    reply = await held_reply(staff_ctx, post)
    await make_account(staff_ctx, actors=("org",))
    await log_in(browser_like)

    listing = parse_page((await browser_like.get("/admin/replies")).text)
    assert listing.texts("div", class_="reply-body") == ["Please approve me"]
    assert listing.find("a", href=post.html_url or "").text == "Compost that works"

    token = await form_token(browser_like, "/admin/replies")
    decided = await browser_like.post(
        f"/admin/replies/{reply.id}", data={"csrf_token": token, "decision": "approve"}
    )
    assert decided.status_code == 303
    after = await browser_like.get("/admin/replies")
    assert "Approved: the reply now shows under the post." in after.text
    assert parse_page(after.text).texts("div", class_="reply-body") == []
    shown = parse_page((await browser_like.get(page_path(post))).text)
    assert shown.texts("div", class_="reply-body") == ["Please approve me"]


async def test_staff_reject_a_held_reply_and_it_never_shows(
    browser_like: httpx.AsyncClient, staff_ctx: HubContext, post: Post
) -> None:
    reply = await held_reply(staff_ctx, post)
    await make_account(staff_ctx, is_admin=True)
    await log_in(browser_like)
    token = await form_token(browser_like, "/admin/replies")

    await browser_like.post(
        f"/admin/replies/{reply.id}", data={"csrf_token": token, "decision": "reject"}
    )

    shown = parse_page((await browser_like.get(page_path(post))).text)
    assert shown.texts("div", class_="reply-body") == []
    async with staff_ctx.sessions() as session:
        stored = await session.get(Post, reply.id)
    assert stored is not None
    assert stored.approval == "rejected"


async def test_a_decision_without_the_form_token_changes_nothing(
    browser_like: httpx.AsyncClient, staff_ctx: HubContext, post: Post
) -> None:
    reply = await held_reply(staff_ctx, post)
    await make_account(staff_ctx, is_admin=True)
    await log_in(browser_like)

    refused = await browser_like.post(
        f"/admin/replies/{reply.id}", data={"csrf_token": "forged", "decision": "approve"}
    )

    assert refused.status_code == 403
    assert "This form had expired" in refused.text
    assert parse_page(refused.text).texts("div", class_="reply-body") == ["Please approve me"]


async def test_staff_decide_only_on_replies_to_posts_they_may_publish(
    browser_like: httpx.AsyncClient, staff_ctx: HubContext, post: Post
) -> None:
    reply = await held_reply(staff_ctx, post)
    await make_account(staff_ctx)  # no grant for org
    await log_in(browser_like)

    listing = parse_page((await browser_like.get("/admin/replies")).text)
    assert listing.texts("div", class_="reply-body") == []
    token = await form_token(browser_like, "/admin/replies")
    refused = await browser_like.post(
        f"/admin/replies/{reply.id}", data={"csrf_token": token, "decision": "approve"}
    )
    assert refused.status_code == 403


@pytest.mark.parametrize(
    ("path", "decision", "status"),
    [("/admin/replies/999999", "approve", 400), ("/admin/replies/abc", "approve", 404),
     ("/admin/replies/{id}", "publish", 400)],
    ids=["unknown-reply", "not-a-number", "unknown-decision"],
)  # fmt: skip
async def test_bad_decisions_get_a_clear_answer(
    browser_like: httpx.AsyncClient,
    staff_ctx: HubContext,
    post: Post,
    path: str,
    decision: str,
    status: int,
) -> None:
    reply = await held_reply(staff_ctx, post)
    await make_account(staff_ctx, is_admin=True)
    await log_in(browser_like)
    token = await form_token(browser_like, "/admin/replies")

    response = await browser_like.post(
        path.format(id=reply.id), data={"csrf_token": token, "decision": decision}
    )

    assert response.status_code == status
    async with staff_ctx.sessions() as session:
        stored = await session.get(Post, reply.id)
    assert stored is not None
    assert stored.approval == "pending"
