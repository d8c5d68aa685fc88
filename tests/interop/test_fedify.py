"""A Fedify server (npm @fedify/fedify) federates with real `hub serve` processes and judges them.

One peer process serves the module; one Hub per database backend serves its tests. Each test
uses its own peer actor and looks only at the activities about its own posts and follows, so
the tests stay independent while sharing processes (and the Hub's `org` actor).
"""

import asyncio
import contextlib
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import select

from hub.config import load_settings
from hub.context import HubContext
from hub.db import create_engine, create_session_factory
from hub.models import Post
from hub.services.post_editing import delete_post, edit_post
from hub.services.publishing import PostInput
from hub.services.runtime import opened_context
from tests.conftest import BACKENDS, new_database_url
from tests.e2e.servers import HubProcess
from tests.interop.fedify_peer import COMMAND_SECONDS, Delivery, FedifyPeer, wait_until
from tests.support.html import Page, form_values, parse_page
from tests.support.images import image_bytes
from tests.support.moderation import approval_of, decide_on
from tests.support.served import with_services
from tests.support.staff import STAFF_PASSWORD, csrf_from, make_account

pytestmark = pytest.mark.e2e

AP = {"Accept": "application/activity+json"}
_names = itertools.count(1)


@pytest.fixture(scope="module")
def peer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FedifyPeer]:
    """The Fedify peer, started once for the module."""
    fedify = FedifyPeer(log_path=tmp_path_factory.mktemp("fedify") / "peer.log")
    fedify.start()
    try:
        yield fedify
    finally:
        fedify.stop()


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database backend of the module's Hub (each backend gets its own Hub)."""
    name: str = request.param
    return name


@pytest.fixture(scope="module")
def hub(
    request: pytest.FixtureRequest, backend: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[HubProcess]:
    """One running Hub on this backend, shared by the module's tests."""
    folder = tmp_path_factory.mktemp(f"hub-{backend}")
    process = HubProcess(folder=folder, database_url=new_database_url(request, backend, folder))
    process.init(actor="org")
    process.start()
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture
def peer_name(backend: str) -> str:
    """A fresh peer actor name for one test."""
    return f"peer{next(_names)}_{backend[:2]}"


def org_of(hub: HubProcess) -> str:
    """Return the id of the Hub's organisation actor (made by `hub init`)."""
    return f"{hub.base_url}/users/org"


def publish(hub: HubProcess, actor: str, folder: Path, title: str) -> str:
    """Publish a post with `hub post` and return its object id."""
    source = folder / f"{title.replace(' ', '-')}.md"
    source.write_text(
        f"---\ntitle: {title}\nsummary: In brief, {title.lower()}.\ntags: [observatory]\n---\n"
        f"The body of *{title}*.\n"
    )
    html_url = hub.hub("post", "--as", actor, str(source)).strip()
    slug = html_url.rsplit("/", 1)[1]
    return f"{hub.base_url}/users/{actor}/posts/{slug}"


def about(kind: str, actor_id: str, object_id: str) -> Any:
    """Return a predicate for a delivery of one type, by one actor, about one object."""

    def matches(delivery: Delivery) -> bool:
        body = delivery["body"] or {}
        inner = body.get("object")
        inner_id = inner.get("id") if isinstance(inner, dict) else inner
        return delivery["type"] == kind and delivery["actor"] == actor_id and inner_id == object_id

    return matches


def assert_verified(delivery: Delivery, actor_id: str) -> None:
    """The peer's own verifyRequest accepted the HTTP signature, by the actor's key."""
    assert delivery["httpSignatureVerified"], delivery
    assert delivery["keyOwner"] == actor_id
    assert delivery["keyId"] == f"{actor_id}#main-key"
    assert delivery["status"] == 202, delivery
    assert delivery["problems"] == [], delivery["problems"]


def followed_by_peer(peer: FedifyPeer, peer_actor: str, hub_actor: str) -> Delivery:
    """Make the peer follow a Hub actor; return the Accept the peer received."""
    follow_id = peer.command("follow", actor=peer_actor, target=hub_actor)["id"]
    accept = peer.wait_for_delivery(about("Accept", hub_actor, follow_id), "the Hub's Accept")
    assert accept["object"]["type"] == "Follow"
    assert accept["object"]["id"] == follow_id
    return accept


def collection_items(peer: FedifyPeer, collection_url: str) -> list[str]:
    """Return the ids on the first page of one of the Hub's collections."""
    page = hub_document(peer, f"{collection_url}?page=true")
    return [str(item) for item in page["orderedItems"]]


def hub_document(peer: FedifyPeer, url: str) -> dict[str, Any]:
    """GET a Hub document as ActivityPub JSON (through the test's one HTTP client)."""
    response = peer.http.get(url, headers=AP)
    assert response.status_code == 200, (url, response.status_code)
    document: dict[str, Any] = response.json()
    return document


async def _stored_content(database_url: str, ap_id: str) -> str | None:
    engine = create_engine(database_url)
    try:
        async with create_session_factory(engine)() as session:
            statement = select(Post.content_html).where(Post.ap_id == ap_id)
            return (await session.exec(statement)).first()
    finally:
        await engine.dispose()


async def _edit_then_delete(hub: HubProcess, slug: str, edit: bool) -> None:
    async with opened_context(load_settings({}, config_path=str(hub.config))) as ctx:
        if edit:
            values = PostInput(title="Sighting two, corrected", body_markdown="Now *right*.")
            await edit_post(ctx, "org", slug, values)
        else:
            await delete_post(ctx, "org", slug)


def edit_post_of(hub: HubProcess, post_id: str) -> None:
    """Edit one of org's posts through the publishing service, on the Hub's database."""
    asyncio.run(_edit_then_delete(hub, post_id.rsplit("/", 1)[1], edit=True))


def delete_post_of(hub: HubProcess, post_id: str) -> None:
    """Delete one of org's posts through the publishing service, on the Hub's database."""
    asyncio.run(_edit_then_delete(hub, post_id.rsplit("/", 1)[1], edit=False))


def stored_content(hub: HubProcess, ap_id: str) -> str | None:
    """Return the stored HTML of a remote post on the Hub, or None if it has none."""
    return asyncio.run(_stored_content(hub.database_url, ap_id))


def test_peer_follows_and_gets_a_signed_accept(
    hub: HubProcess, peer: FedifyPeer, peer_name: str
) -> None:
    org = org_of(hub)
    peer_actor = peer.new_actor(peer_name)

    accept = followed_by_peer(peer, peer_name, org)

    assert_verified(accept, org)
    assert accept["listener"] == "Accept"
    assert accept["path"] == f"/users/{peer_name}/inbox"
    wait_until(
        lambda: peer_actor in collection_items(peer, f"{org}/followers"),
        "the Hub to list the peer as a follower",
    )


def test_published_post_arrives_as_a_verified_create_fedify_parses(
    hub: HubProcess, peer: FedifyPeer, peer_name: str, tmp_path: Path
) -> None:
    org = org_of(hub)
    peer.new_actor(peer_name)
    followed_by_peer(peer, peer_name, org)

    post_id = publish(hub, "org", tmp_path, "Sighting one")
    create = peer.wait_for_delivery(about("Create", org, post_id), "the Hub's Create")

    assert_verified(create, org)
    assert create["listener"] == "Create"
    assert "objectError" not in create, create.get("objectError")
    parsed = create["object"]
    assert parsed["type"] == "Article"
    assert parsed["id"] == post_id
    assert parsed["name"] == "Sighting one"
    assert parsed["summary"] == "In brief, sighting one."
    assert "<em>Sighting one</em>" in parsed["content"]
    assert parsed["attributedTo"] == org
    assert parsed["to"] == ["https://www.w3.org/ns/activitystreams#Public"]
    assert parsed["cc"] == [f"{org}/followers"]
    hashtag = {
        "type": "Hashtag",
        "name": "#observatory",
        "href": f"{hub.base_url}/tags/observatory",
    }
    assert hashtag in parsed["tags"]


def test_edit_and_delete_arrive_as_verified_update_and_delete(
    hub: HubProcess, peer: FedifyPeer, peer_name: str, tmp_path: Path
) -> None:
    org = org_of(hub)
    peer.new_actor(peer_name)
    followed_by_peer(peer, peer_name, org)
    post_id = publish(hub, "org", tmp_path, "Sighting two")
    create = peer.wait_for_delivery(about("Create", org, post_id), "the Hub's Create")

    edit_post_of(hub, post_id)
    update = peer.wait_for_delivery(about("Update", org, post_id), "the Hub's Update")
    assert_verified(update, org)
    assert update["listener"] == "Update"
    assert update["object"]["type"] == "Article"
    assert update["object"]["name"] == "Sighting two, corrected"
    assert update["object"]["updated"] is not None
    assert update["object"]["updated"] > create["object"]["published"]

    delete_post_of(hub, post_id)
    delete = peer.wait_for_delivery(about("Delete", org, post_id), "the Hub's Delete")
    assert_verified(delete, org)
    assert delete["listener"] == "Delete"
    assert delete["body"]["object"]["type"] == "Tombstone"
    assert peer.http.get(post_id, headers=AP).status_code == 410


@contextlib.contextmanager
def staff_session(hub: HubProcess, email: str) -> Iterator[httpx.Client]:
    """Yield a client logged in through the Hub's login form as staff who publish as org."""
    with_services(hub, lambda ctx: make_account(ctx, email, actors=("org",)))
    with httpx.Client(
        base_url=hub.base_url, headers={"Accept": "text/html"}, timeout=COMMAND_SECONDS
    ) as client:
        token = csrf_from(client.get("/login").text)
        response = client.post(
            "/login", data={"email": email, "password": STAFF_PASSWORD, "csrf_token": token}
        )
        assert response.status_code == 303, response.text
        yield client


async def _slug_of(ctx: HubContext, title: str) -> str:
    async with ctx.sessions() as session:
        slug = (await session.exec(select(Post.slug).where(Post.title == title))).one()
    assert slug is not None
    return slug


def test_post_made_through_the_form_arrives_with_its_image_then_its_edit_and_delete(
    hub: HubProcess, peer: FedifyPeer, peer_name: str
) -> None:
    org = org_of(hub)
    peer.new_actor(peer_name)
    followed_by_peer(peer, peer_name, org)
    title = f"Tool library opens ({peer_name})"
    with staff_session(hub, f"{peer_name}@hub.test") as staff:
        compose = staff.get("/admin/compose")
        fields = form_values(compose.text, "/admin/compose") | {
            "title": title, "summary": "Borrow a drill, lend a ladder.",
            "body": "Open on *Thursdays*.", "image_alt": "Shelves of hand tools",
            "action": "publish",
        }  # fmt: skip
        image = image_bytes((240, 160), image_format="JPEG")
        published = staff.post(
            "/admin/compose", data=fields, files={"image": ("shelves.jpg", image, "image/jpeg")}
        )
        assert published.status_code == 303, published.text
        slug = with_services(hub, lambda ctx: _slug_of(ctx, title))
        post_id = f"{org}/posts/{slug}"

        create = peer.wait_for_delivery(about("Create", org, post_id), "the Hub's Create")
        assert_verified(create, org)
        assert "objectError" not in create, create.get("objectError")
        assert create["object"]["type"] == "Article"
        assert create["object"]["name"] == title
        (attachment,) = create["object"]["attachments"]
        assert attachment["type"] == "Image"
        assert attachment["name"] == "Shelves of hand tools"
        assert attachment["mediaType"] == "image/jpeg"
        assert (attachment["width"], attachment["height"]) == (240, 160)
        assert attachment["url"].startswith(f"{hub.base_url}/media/")
        assert staff.get(attachment["url"]).headers["content-type"] == "image/jpeg"

        edit_url = f"/admin/posts/org/{slug}/edit"
        edit = staff.get(edit_url)
        fields = form_values(edit.text, edit_url)
        (alt_key,) = [name for name in fields if name.startswith("alt_")]
        fields |= {"title": f"{title}, corrected", alt_key: "Labelled shelves", "action": "save"}
        assert staff.post(edit_url, data=fields).status_code == 303
        update = peer.wait_for_delivery(about("Update", org, post_id), "the Hub's Update")
        assert_verified(update, org)
        assert update["object"]["name"] == f"{title}, corrected"
        assert [found["name"] for found in update["object"]["attachments"]] == ["Labelled shelves"]

        delete_url = f"/admin/posts/org/{slug}/delete"
        token = csrf_from(staff.get(delete_url).text)
        assert staff.post(delete_url, data={"csrf_token": token}).status_code == 303
    delete = peer.wait_for_delivery(about("Delete", org, post_id), "the Hub's Delete")
    assert_verified(delete, org)
    assert peer.http.get(post_id, headers=AP).status_code == 410


def test_hub_follows_the_peer_and_stores_its_post(
    hub: HubProcess, peer: FedifyPeer, peer_name: str
) -> None:
    org = org_of(hub)
    peer_actor = peer.new_actor(peer_name)

    hub.hub("follow", "--as", "org", peer_actor)
    wait_until(
        lambda: peer_actor in collection_items(peer, f"{org}/following"),
        "the peer to accept the Hub's follow",
    )
    note_id = peer.command("post", actor=peer_name, content="<p>Hello from Fedify</p>")["id"]

    wait_until(lambda: stored_content(hub, note_id) is not None, "the Hub to store the post")
    assert stored_content(hub, note_id) == "<p>Hello from Fedify</p>"


def test_fedify_looks_up_actor_and_post_without_warnings(
    hub: HubProcess, peer: FedifyPeer, tmp_path: Path
) -> None:
    org = org_of(hub)
    post_id = publish(hub, "org", tmp_path, "Looked up")

    actor = peer.command("lookup", url=org)
    assert actor["problems"] == []
    assert actor["object"]["type"] == "Organization"
    assert actor["object"]["id"] == org
    assert actor["object"]["preferredUsername"] == "org"
    assert actor["object"]["inbox"] == f"{org}/inbox"
    assert actor["object"]["sharedInbox"] == f"{hub.base_url}/inbox"
    assert actor["object"]["publicKeyId"] == f"{org}#main-key"
    assert actor["object"]["publicKeyOwner"] == org

    post = peer.command("lookup", url=post_id)
    assert post["problems"] == []
    assert post["object"]["type"] == "Article"
    assert post["object"]["id"] == post_id
    assert post["object"]["name"] == "Looked up"
    assert post["object"]["attributedTo"] == org

    # A post page's URL leads Fedify to the same object through <link rel="alternate">.
    page = peer.command("lookup", url=str(post["object"]["url"]))
    assert page["problems"] == []
    assert page["object"]["id"] == post_id


def post_page(hub: HubProcess, post_id: str) -> Page:
    """Return the Hub's page of one of org's posts, as a browser gets it."""
    url = f"{hub.base_url}/@org/{post_id.rsplit('/', 1)[1]}"
    response = httpx.get(url, headers={"Accept": "text/html"}, timeout=COMMAND_SECONDS)
    assert response.status_code == 200, (url, response.status_code)
    return parse_page(response.text)


def test_peer_likes_boosts_and_replies_and_the_post_page_shows_them(
    hub: HubProcess, peer: FedifyPeer, peer_name: str, tmp_path: Path
) -> None:
    peer.new_actor(peer_name)
    post_id = publish(hub, "org", tmp_path, "Interact with me")

    peer.command("like", actor=peer_name, object=post_id)
    peer.command("boost", actor=peer_name, object=post_id)
    reply = peer.command("reply", actor=peer_name, object=post_id, content="<p>Agreed!</p>")

    def totals() -> list[int]:
        document = hub_document(peer, post_id)
        return [document[name]["totalItems"] for name in ("likes", "shares", "replies")]

    # Nobody at the Hub follows the peer: its reply waits for approval, counted nowhere.
    wait_until(
        lambda: with_services(hub, lambda ctx: approval_of(ctx, reply["id"])) == "pending",
        "the Hub to hold the reply",
    )
    wait_until(lambda: totals() == [1, 1, 0], "the Hub to count the like and the boost")
    page = post_page(hub, post_id)
    assert page.texts("span", id="like-count") == ["1 like"]
    assert page.texts("span", id="boost-count") == ["1 boost"]
    assert page.texts("div", class_="reply-body") == []

    with_services(hub, lambda ctx: decide_on(ctx, reply["id"]))

    # Approved from another process: the served object and page, each kept for up to ten
    # seconds from when it was rendered, follow within that time.
    wait_until(lambda: totals() == [1, 1, 1], "the approved reply to be counted")
    assert collection_items(peer, f"{post_id}/replies") == [reply["id"]]
    wait_until(
        lambda: post_page(hub, post_id).texts("div", class_="reply-body") == ["Agreed!"],
        "the approved reply on the post page",
    )
    page = post_page(hub, post_id)
    assert f"@{peer_name}@127.0.0.1:{peer.port}" in page.texts("p", class_="byline")[-1]


def test_a_reply_from_a_peer_the_hub_follows_shows_at_once(
    hub: HubProcess, peer: FedifyPeer, peer_name: str, tmp_path: Path
) -> None:
    org = org_of(hub)
    peer_actor = peer.new_actor(peer_name)
    hub.hub("follow", "--as", "org", peer_actor)
    wait_until(
        lambda: peer_actor in collection_items(peer, f"{org}/following"),
        "the peer to accept the Hub's follow",
    )
    post_id = publish(hub, "org", tmp_path, "Reply to me")

    peer.command("reply", actor=peer_name, object=post_id, content="<p>Right away</p>")

    wait_until(
        lambda: post_page(hub, post_id).texts("div", class_="reply-body") == ["Right away"],
        "the reply to show under the post",
    )


def test_peer_unfollow_removes_the_follower(
    hub: HubProcess, peer: FedifyPeer, peer_name: str
) -> None:
    org = org_of(hub)
    peer_actor = peer.new_actor(peer_name)
    accept = followed_by_peer(peer, peer_name, org)
    wait_until(lambda: peer_actor in collection_items(peer, f"{org}/followers"), "the follow")

    peer.command("unfollow", actor=peer_name, target=org, follow_id=accept["object"]["id"])
    wait_until(lambda: peer_actor not in collection_items(peer, f"{org}/followers"), "the unfollow")
