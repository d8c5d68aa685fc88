"""Posts with images, mentions, edits, deletes and schedules, across Hubs (checklist 43-65)."""

from dataclasses import replace
from datetime import timedelta
from typing import Any

import httpx
from sqlmodel import col, select

from hub.activitypub.jsonld import AS_CONTEXT
from hub.context import HubContext
from hub.models import InboxItem, MediaAttachment, OutgoingActivity, Post
from hub.services.actors import create_actor
from hub.services.following import follow
from hub.services.media import describe_media, upload_image
from hub.services.publishing import PostInput, delete_post, edit_post, publish_post
from tests.support.html import form_values
from tests.support.images import image_bytes
from tests.support.network import Network
from tests.support.staff import csrf_from
from tests.support.staff_network import staff_client

ALPHA, BETA, GAMMA = "alpha.test", "beta.test", "gamma.test"


async def stored_copy(network: Network, host: str, ap_id: str) -> Post | None:
    """Return the Hub's stored copy of a remote post."""
    async with network.hub(host).sessions() as session:
        return (await session.exec(select(Post).where(Post.ap_id == ap_id))).first()


async def stored_media(network: Network, host: str, post: Post) -> list[tuple[str, str]]:
    """Return (URL, alt text) of the media the Hub stored for a remote post."""
    async with network.hub(host).sessions() as session:
        rows = await session.exec(
            select(MediaAttachment)
            .where(MediaAttachment.post_id == post.id)
            .order_by(col(MediaAttachment.position))
        )
        return [(str(row.remote_url), row.description) for row in rows.all()]


async def received_types(network: Network, host: str, object_id: str) -> list[str]:
    """Return the types of the activities about `object_id` the Hub's inboxes accepted."""
    async with network.hub(host).sessions() as session:
        items = (await session.exec(select(InboxItem).order_by(col(InboxItem.id)))).all()
    return [
        item.activity_type
        for item in items
        if isinstance(item.body.get("object"), dict) and item.body["object"].get("id") == object_id
    ]


async def setup_orgs(network: Network) -> None:
    """Give each Hub an actor `org`; alpha follows beta."""
    for host in (ALPHA, BETA, GAMMA):
        await create_actor(network.hub(host), "org")
    await follow(network.hub(ALPHA), "org", "@org@beta.test")
    await network.settle()


async def image_with_alt(ctx: HubContext, alt: str) -> int:
    """Upload a picture as the system and return its id."""
    attachment = await upload_image(
        ctx, image_bytes(size=(300, 200), image_format="JPEG"), filename="beds.jpg",
        declared_type="image/jpeg", description=alt, account_id=None,
    )  # fmt: skip
    assert attachment.id is not None
    return attachment.id


async def fetch(network: Network, url: str, accept: str) -> httpx.Response:
    """GET a URL on the fake internet."""
    async with httpx.AsyncClient(transport=network.internet) as client:
        return await client.get(url, headers={"Accept": accept})


async def test_follower_gets_article_with_image_then_its_edit_then_its_delete(
    network: Network,
) -> None:
    await setup_orgs(network)
    beta = network.hub(BETA)
    media_id = await image_with_alt(beta, "Raised beds in morning light")

    # When beta publishes an Article with an image, alpha stores it with the alt text
    values = PostInput(
        title="Community garden opens", summary="Forty plots, open Saturday.",
        body_markdown="We dug for *weeks*. #gardening", tags=("community",),
        language="en", media_ids=(media_id,),
    )  # fmt: skip
    published = await publish_post(beta, "org", values)
    await network.settle()
    copy = await stored_copy(network, ALPHA, published.ap_id)
    assert copy is not None
    assert copy.document is not None
    assert copy.title == "Community garden opens"
    assert copy.object_type == "Article"
    assert copy.document["attachment"][0]["name"] == "Raised beds in morning light"
    assert copy.document["attachment"][0]["mediaType"] == "image/jpeg"
    assert set(copy.tags) == {"community", "gardening"}
    assert "updated" not in copy.document
    image_url = copy.document["attachment"][0]["url"]
    assert await stored_media(network, ALPHA, copy) == [(image_url, "Raised beds in morning light")]
    image = await fetch(network, image_url, "image/*")
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/jpeg"

    # When beta edits it, alpha gets an Update of the same object with a later `updated`
    network.clock.advance(timedelta(minutes=5))
    await describe_media(beta, media_id, "Raised beds at noon", account_id=None)
    await edit_post(beta, "org", published.slug, replace(values, title="Garden open"))
    await network.settle()
    copy = await stored_copy(network, ALPHA, published.ap_id)
    assert copy is not None
    assert copy.title == "Garden open"
    assert copy.updated_at == network.clock.now.replace(microsecond=0)
    assert await stored_media(network, ALPHA, copy) == [(image_url, "Raised beds at noon")]

    # When beta deletes it, alpha marks its copy deleted and the URL answers 410
    await delete_post(beta, "org", published.slug)
    await network.settle()
    copy = await stored_copy(network, ALPHA, published.ap_id)
    assert copy is not None
    assert copy.deleted_at is not None
    assert await received_types(network, ALPHA, published.ap_id) == ["Create", "Update", "Delete"]


async def test_post_made_through_the_form_reaches_the_follower_then_its_edit_and_delete(
    network: Network,
) -> None:
    await setup_orgs(network)
    async with staff_client(network, BETA) as staff:
        # When beta's staff publish through the compose form with an image and its alt text
        compose = await staff.get("/admin/compose")
        fields = form_values(compose.text, "/admin/compose") | {
            "title": "Tool library opens", "summary": "Borrow a drill, lend a ladder.",
            "body": "Open on *Thursdays*.", "tags": "tools",
            "image_alt": "Shelves of hand tools with paper labels", "action": "publish",
        }  # fmt: skip
        published = await staff.post(
            "/admin/compose",
            data=fields,
            files={"image": ("shelves.png", image_bytes((240, 160)), "image/png")},
        )
        assert published.status_code == 303, published.text
        await network.settle()
        async with network.hub(BETA).sessions() as session:
            post = (await session.exec(select(Post).where(col(Post.is_local)))).one()

        # Then alpha, which follows beta's org, stores an Article with the image and its alt text
        copy = await stored_copy(network, ALPHA, post.ap_id)
        assert copy is not None
        assert copy.object_type == "Article"
        assert copy.title == "Tool library opens"
        assert copy.document is not None
        (attachment,) = copy.document["attachment"]
        assert attachment["name"] == "Shelves of hand tools with paper labels"
        assert (attachment["width"], attachment["height"]) == (240, 160)

        # When the staff edit the title and the alt text through the edit form
        edit_url = f"/admin/posts/org/{post.slug}/edit"
        edit = await staff.get(edit_url)
        fields = form_values(edit.text, edit_url)
        (media_key,) = [name for name in fields if name.startswith("alt_")]
        fields |= {"title": "Tool library open", media_key: "Labelled shelves of hand tools",
                   "action": "save"}  # fmt: skip
        saved = await staff.post(edit_url, data=fields)
        assert saved.status_code == 303, saved.text
        await network.settle()
        copy = await stored_copy(network, ALPHA, post.ap_id)
        assert copy is not None
        assert copy.title == "Tool library open"
        assert [alt for _url, alt in await stored_media(network, ALPHA, copy)] == [
            "Labelled shelves of hand tools"
        ]

        # When they delete it through the delete form, alpha's copy is deleted too
        delete_url = f"/admin/posts/org/{post.slug}/delete"
        confirm = await staff.get(delete_url)
        deleted = await staff.post(delete_url, data={"csrf_token": csrf_from(confirm.text)})
        assert deleted.status_code == 303, deleted.text
        await network.settle()
    copy = await stored_copy(network, ALPHA, post.ap_id)
    assert copy is not None
    assert copy.deleted_at is not None
    assert await received_types(network, ALPHA, post.ap_id) == ["Create", "Update", "Delete"]


async def test_deleted_post_answers_410_with_a_tombstone(network: Network) -> None:
    # Checklist 65
    await setup_orgs(network)
    beta = network.hub(BETA)
    published = await publish_post(beta, "org", PostInput(title="Short-lived"))
    assert (await fetch(network, published.ap_id, "application/activity+json")).status_code == 200
    await delete_post(beta, "org", published.slug)
    response = await fetch(network, published.ap_id, "application/activity+json")
    assert response.status_code == 410
    tombstone: dict[str, Any] = response.json()
    assert tombstone["type"] == "Tombstone"
    assert tombstone["id"] == published.ap_id
    assert tombstone["@context"] == AS_CONTEXT
    page = await fetch(network, published.html_url, "text/html")
    assert page.status_code == 410
    # The deleted post's Create leaves the outbox
    async with beta.sessions() as session:
        listed = await session.exec(
            select(OutgoingActivity.activity_type).where(col(OutgoingActivity.is_public))
        )
        assert listed.all() == []


async def test_mentioned_actor_on_a_third_hub_receives_the_post_and_its_edit(
    network: Network,
) -> None:
    # Checklist 57: gamma does not follow beta, but is mentioned
    await setup_orgs(network)
    beta = network.hub(BETA)
    values = PostInput(
        title="Thanks", body_markdown="With @org@gamma.test and @nobody@offline.test."
    )
    published = await publish_post(beta, "org", values)
    await network.settle()
    copy = await stored_copy(network, GAMMA, published.ap_id)
    assert copy is not None
    assert copy.document is not None
    assert {
        "type": "Mention",
        "href": "https://gamma.test/users/org",
        "name": "@org@gamma.test",
    } in (copy.document["tag"])
    assert "https://gamma.test/users/org" in copy.document["cc"]
    assert 'class="u-url mention"' in copy.content_html
    # The mention that does not resolve stays text and blocks nothing
    assert "@nobody@offline.test" in copy.content_html

    network.clock.advance(timedelta(minutes=1))
    await edit_post(beta, "org", published.slug, PostInput(title="Thanks again", body_markdown=""))
    await network.settle()
    assert await received_types(network, GAMMA, published.ap_id) == ["Create", "Update"]


async def test_scheduled_post_federates_at_its_time_and_only_once(network: Network) -> None:
    await setup_orgs(network)
    beta = network.hub(BETA)
    when = network.clock.now + timedelta(hours=2)
    published = await publish_post(beta, "org", PostInput(title="Later"), publish_at=when)
    assert published.state == "scheduled"

    # Before its time nothing leaves beta, and its URL is not there yet
    network.clock.advance(timedelta(hours=1, minutes=59))
    await network.settle()
    assert await stored_copy(network, ALPHA, published.ap_id) is None
    response = await fetch(network, published.ap_id, "application/activity+json")
    assert response.status_code == 404

    # At its time alpha gets exactly one Create, dated at the scheduled time
    network.clock.advance(timedelta(minutes=1))
    await network.settle()
    network.clock.advance(timedelta(hours=1))
    await network.settle()
    copy = await stored_copy(network, ALPHA, published.ap_id)
    assert copy is not None
    assert copy.published_at == when
    assert await received_types(network, ALPHA, published.ap_id) == ["Create"]
    response = await fetch(network, published.ap_id, "application/activity+json")
    assert response.status_code == 200


async def test_post_with_a_content_warning_reaches_the_follower_as_a_sensitive_note(
    network: Network,
) -> None:
    await setup_orgs(network)
    beta = network.hub(BETA)
    values = PostInput(
        title="After the flood", summary="What we lost.", body_markdown="The details.",
        content_warning="Loss and grief",
    )  # fmt: skip
    published = await publish_post(beta, "org", values)
    await network.settle()
    copy = await stored_copy(network, ALPHA, published.ap_id)
    assert copy is not None
    assert copy.document is not None
    assert copy.object_type == "Note"
    assert copy.summary == "Loss and grief"
    assert copy.document["sensitive"] is True
    assert "The details." in copy.content_html
    assert published.html_url in copy.content_html
