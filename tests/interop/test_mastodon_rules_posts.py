"""The Mastodon checklist (spec §10), items 49-61 and 63-66: our posts as Mastodon reads them.

As in test_mastodon_rules.py, each test name starts with the checklist numbers it proves.
"""

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import col, update

from hub.models import Actor
from hub.services.actors import create_actor
from hub.services.errors import InvalidInput
from hub.services.followers import set_manual_approval
from hub.services.media import upload_image
from hub.services.post_editing import delete_post, edit_post
from hub.services.profiles import ProfileInput, update_profile
from hub.services.publishing import PostInput, publish, publish_post
from tests.interop.conftest import MastodonWorld
from tests.interop.fake_mastodon import Received
from tests.support.html import parse_page
from tests.support.images import image_bytes

HUB = "https://example.com"
ORG = f"{HUB}/users/org"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


async def created(world: MastodonWorld, **options: Any) -> Received:
    """Publish as org and return the one Create delivery the fake received."""
    await world.publish(**options)
    (create,) = world.mastodon.deliveries("Create")
    return create


# --- Post objects ------------------------------------------------------------------------


async def test_49_50_create_actor_author_hosts_and_public_addressing(world: MastodonWorld) -> None:
    await world.followed_by(world.alice)
    create = (await created(world)).json()
    post = create["object"]
    actor = await world.get_json(ORG)
    assert create["actor"] == post["attributedTo"] == ORG
    assert post["id"].startswith(f"{HUB}/")
    assert create["id"] != post["id"]
    for document in (create, post):
        assert PUBLIC in document["to"]
        assert actor["followers"] in document["cc"]


async def test_51_followers_only_post_is_addressed_to_followers_without_public(
    world: MastodonWorld,
) -> None:
    await world.followed_by(world.alice)
    create = (await created(world, visibility="followers")).json()
    for document in (create, create["object"]):
        assert document["to"] == [f"{ORG}/followers"]
        assert PUBLIC not in document["to"] + document.get("cc", [])


async def test_52_53_object_url_serves_the_object_and_a_page_linking_it(
    world: MastodonWorld,
) -> None:
    post_id = await world.publish()
    served = await world.get_json(post_id)
    assert served["id"] == post_id
    assert "https://www.w3.org/ns/activitystreams" in served["@context"]
    page = await world.get(post_id, {"accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html")
    link = f'<link rel="alternate" type="application/activity+json" href="{post_id}">'
    assert link in page.text
    html_page = await world.get(served["url"], {"accept": "text/html"})
    assert link in html_page.text


async def test_54_55_article_fields_and_no_updated_on_a_first_create(
    world: MastodonWorld,
) -> None:
    await world.followed_by(world.alice)
    post = (await created(world)).json()["object"]
    assert post["type"] == "Article"
    assert post["name"] == "Compost that works"
    assert post["summary"] == "Three bins."
    assert post["content"].startswith("<")
    assert post["url"].startswith(f"{HUB}/@org/")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", post["published"])
    assert "updated" not in post or post["updated"] == post["published"]


async def test_54_note_mode_has_no_summary(world: MastodonWorld) -> None:
    await create_actor(world.ctx, "notes")
    async with world.ctx.sessions() as session, session.begin():
        await session.exec(
            update(Actor)
            .where(col(Actor.ap_id) == f"{HUB}/users/notes")
            .values(publishes_as_note=True)
        )
    published = await publish(
        world.ctx, "notes", title="Short one", summary="Teaser", body_markdown="Body"
    )
    note = await world.get_json(published.ap_id)
    assert note["type"] == "Note"
    assert "summary" not in note
    assert "Short one" in note["content"]


async def test_56_hashtags_are_tagged_with_names_containing_a_letter(
    world: MastodonWorld,
) -> None:
    published = await publish(
        world.ctx, "org", title="Tagged", summary="", body_markdown="Body",
        tags=["Observatory", "year2026"],
    )  # fmt: skip
    tags = (await world.get_json(published.ap_id))["tag"]
    assert tags == [
        {"type": "Hashtag", "name": "#Observatory", "href": f"{HUB}/tags/observatory"},
        {"type": "Hashtag", "name": "#year2026", "href": f"{HUB}/tags/year2026"},
    ]
    assert all(re.search(r"[^\W\d_]", tag["name"]) for tag in tags)
    with pytest.raises(InvalidInput):
        await publish(
            world.ctx, "org", title="Numbers", summary="", body_markdown="", tags=["2026"]
        )


async def test_60_content_carries_no_images_scripts_or_frames(world: MastodonWorld) -> None:
    published = await publish(
        world.ctx, "org", title="Hostile", summary="",
        body_markdown='![a](https://x.example/a.png)\n\n<script>alert(1)</script>\n\n'
        '<iframe src="https://x.example"></iframe>\n\n<img src="https://x.example/b.png">',
    )  # fmt: skip
    content = (await world.get_json(published.ap_id))["content"]
    assert not re.search(r"<(img|script|iframe)\b", content, re.IGNORECASE)


# --- Posts as the publishing services make them ------------------------------------------

BASE83 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~"


async def test_56_body_hashtags_link_to_tag_pages(world: MastodonWorld) -> None:
    published = await publish_post(
        world.ctx, "org", PostInput(title="Linked", body_markdown="Digging in #gardening today")
    )
    document = await world.get_json(published.ap_id)
    assert {"type": "Hashtag", "name": "#gardening", "href": f"{HUB}/tags/gardening"} in document[
        "tag"
    ]
    link = re.search(
        r'<a [^>]*href="https://example\.com/tags/gardening"[^>]*>', document["content"]
    )
    assert link is not None
    assert 'rel="tag"' in link.group(0)
    assert re.search(r'class="mention hashtag"', link.group(0))


async def test_57_mentions_are_tagged_addressed_and_delivered(world: MastodonWorld) -> None:
    published = await publish_post(
        world.ctx,
        "org",
        PostInput(title="Thanks", body_markdown="Thank you @alice@mastodon.example"),
    )
    await world.settle()
    document = await world.get_json(published.ap_id)
    mention = {"type": "Mention", "href": world.alice.ap_id, "name": "@alice@mastodon.example"}
    assert mention in document["tag"]
    assert world.alice.ap_id in document["to"] + document["cc"]
    (create,) = world.mastodon.deliveries("Create")
    assert create.json()["object"]["id"] == published.ap_id


async def test_58_59_images_are_attachments_with_alt_text_and_small_blurhash(
    world: MastodonWorld,
) -> None:
    media_ids = []
    for number in range(4):
        uploaded = await upload_image(
            world.ctx, image_bytes((64, 48)), filename=f"bed{number}.png",
            declared_type="image/png", description=f"Raised bed {number}", account_id=None,
        )  # fmt: skip
        media_ids.append(uploaded.id or 0)
    values = PostInput(title="Beds", body_markdown="Four beds", media_ids=tuple(media_ids))
    published = await publish_post(world.ctx, "org", values)
    attachments = (await world.get_json(published.ap_id))["attachment"]
    assert len(attachments) == 4
    for number, attachment in enumerate(attachments):
        assert attachment["type"] in ("Image", "Document")
        assert attachment["url"].startswith(f"{HUB}/")
        assert attachment["name"] == f"Raised bed {number}"
        served = await world.get(attachment["url"], {"accept": "*/*"})
        assert served.status_code == 200
        assert served.headers["content-type"] == attachment["mediaType"]
        if "blurhash" in attachment:
            size_flag = BASE83.index(attachment["blurhash"][0])
            assert size_flag % 9 + 1 <= 5
            assert size_flag // 9 + 1 <= 5
        for value in attachment.get("focalPoint", []):
            assert -1 <= value <= 1


async def test_61_content_map_is_keyed_by_a_language_tag(world: MastodonWorld) -> None:
    published = await publish_post(
        world.ctx, "org", PostInput(title="In English", body_markdown="Hello", language="en")
    )
    document = await world.get_json(published.ap_id)
    assert list(document["contentMap"]) == ["en"]
    assert re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*", next(iter(document["contentMap"])))


async def test_54_content_warning_is_a_sensitive_note_summary(world: MastodonWorld) -> None:
    published = await publish_post(
        world.ctx, "org",
        PostInput(title="Hard news", body_markdown="Details", content_warning="Loss"),
    )  # fmt: skip
    document = await world.get_json(published.ap_id)
    assert (document["type"], document["summary"], document["sensitive"]) == ("Note", "Loss", True)


async def test_64_65_edit_sends_a_later_update_and_delete_a_tombstone_then_410(
    world: MastodonWorld,
) -> None:
    await world.followed_by(world.alice)
    published = await publish_post(world.ctx, "org", PostInput(title="First", body_markdown="v1"))
    await world.settle()
    slug = published.ap_id.rsplit("/", 1)[1]
    world.clock.advance(timedelta(minutes=5))

    await edit_post(world.ctx, "org", slug, PostInput(title="First, edited", body_markdown="v2"))
    await world.settle()
    (create,) = world.mastodon.deliveries("Create")
    (update_delivery,) = world.mastodon.deliveries("Update")
    edited = update_delivery.json()["object"]
    assert edited["id"] == published.ap_id
    assert edited["updated"] > create.json()["object"]["published"]
    assert update_delivery.url == create.url

    await delete_post(world.ctx, "org", slug)
    await world.settle()
    (delete,) = world.mastodon.deliveries("Delete")
    assert delete.json()["object"] == {"id": published.ap_id, "type": "Tombstone"}
    assert delete.url == create.url
    assert delete.verdict.is_valid
    assert (await world.get(published.ap_id)).status_code == 410


async def test_63_post_pages_carry_link_preview_tags_and_the_author_handle(
    world: MastodonWorld,
) -> None:
    uploaded = await upload_image(
        world.ctx, image_bytes((120, 80)), filename="beds.png", declared_type="image/png",
        description="Raised beds", account_id=None,
    )  # fmt: skip
    values = PostInput(
        title="Beds in bloom", summary="What grew where.", media_ids=(uploaded.id or 0,)
    )
    published = await publish_post(world.ctx, "org", values)
    post = await world.get_json(published.ap_id)
    page = parse_page((await world.get(post["url"], {"accept": "text/html"})).text)
    assert page.meta("og:title") == "Beds in bloom"
    assert page.meta("og:description") == "What grew where."
    assert page.meta("og:image") == post["attachment"][0]["url"]
    assert page.meta("fediverse:creator") == "@org@example.com"
    assert "example.com" in (await world.get_json(ORG))["attributionDomains"]


async def test_66_a_profile_change_sends_an_update_of_the_actor_to_followers(
    world: MastodonWorld,
) -> None:
    await world.followed_by(world.alice)
    await set_manual_approval(world.ctx, "org", manual=True)
    await world.settle()
    (update_delivery,) = world.mastodon.deliveries("Update")
    update_activity = update_delivery.json()
    assert update_activity["actor"] == ORG
    assert update_activity["object"]["id"] == ORG
    assert update_activity["object"]["manuallyApprovesFollowers"] is True
    assert update_delivery.verdict.is_valid


async def test_66_a_new_display_name_sends_a_signed_update_to_the_follower(
    world: MastodonWorld,
) -> None:
    await world.followed_by(world.alice)
    await world.settle()
    delivered_before = len(world.mastodon.deliveries("Update"))
    await update_profile(
        world.ctx,
        "org",
        ProfileInput("Leeds Kitchens", "We cook *together*.", (("Web", "https://k.example"),)),
        account_id=None,
    )
    await world.settle()
    (update_delivery,) = world.mastodon.deliveries("Update")[delivered_before:]
    update_activity = update_delivery.json()
    follower_inboxes = {world.alice.inbox, world.alice.document["endpoints"]["sharedInbox"]}
    assert update_delivery.url in follower_inboxes
    assert update_delivery.verdict.is_valid
    assert update_activity["actor"] == ORG
    assert update_activity["object"]["id"] == ORG
    assert update_activity["object"]["name"] == "Leeds Kitchens"
    assert "<em>together</em>" in update_activity["object"]["summary"]
    assert update_activity["object"]["attachment"][0]["type"] == "PropertyValue"
    assert (await world.get_json(ORG))["name"] == "Leeds Kitchens"
