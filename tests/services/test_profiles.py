"""Staff edit an actor's profile: checked, rendered, sanitised, stored, and announced."""

from io import BytesIO

import pytest
from PIL import ExifTags, Image
from sqlmodel import col, select

from hub.activitypub.jsonld import ACTOR_CONTEXT
from hub.context import HubContext
from hub.models import MediaAttachment, OutgoingActivity
from hub.services.actors import actor_document, create_actor, get_local_actor
from hub.services.errors import InvalidInput, PermissionDenied
from hub.services.media import media_folder
from hub.services.profiles import (
    ProfileInput,
    profile_of,
    remove_avatar,
    set_avatar,
    update_profile,
)
from tests.support.html import parse_page
from tests.support.images import image_bytes, jpeg_with_gps, png_claiming_size
from tests.support.staff import make_account

LONG_URL = "https://a.example/" + "p" * 2048
BIO = "We run **community kitchens** in [Leeds](https://leeds.example/kitchens)."


async def _updates(ctx: HubContext) -> list[OutgoingActivity]:
    async with ctx.sessions() as session:
        rows = await session.exec(
            select(OutgoingActivity).where(OutgoingActivity.activity_type == "Update")
        )
        return list(rows.all())


async def _avatar_file(ctx: HubContext) -> Image.Image:
    actor = await get_local_actor(ctx, "org")
    assert actor.icon_url is not None
    name = actor.icon_url.rsplit("/", 1)[1]
    return Image.open(BytesIO((media_folder(ctx) / name).read_bytes()))


async def test_name_bio_and_links_are_stored_and_the_actor_update_queued(ctx: HubContext) -> None:
    await create_actor(ctx, "org")
    links = (("Website", "https://kitchens.example/about"), ("Pronouns", "they/them"))

    changed = await update_profile(
        ctx, "org", ProfileInput("  Leeds   Kitchens ", BIO, links), account_id=None
    )

    assert changed is True
    actor = await get_local_actor(ctx, "org")
    assert actor.display_name == "Leeds Kitchens"
    assert actor.summary_source == BIO
    assert "<strong>community kitchens</strong>" in actor.summary_html
    assert '<a href="https://leeds.example/kitchens"' in actor.summary_html
    (update,) = await _updates(ctx)
    assert update.object_ap_id == actor.ap_id
    assert update.body["object"]["name"] == "Leeds Kitchens"
    assert update.body["object"]["summary"] == actor.summary_html
    view = await profile_of(ctx, "org", account_id=None)
    assert view.bio_markdown == BIO
    assert [(link.label, link.value) for link in view.links] == list(links)


async def test_links_become_property_values_with_html_values(ctx: HubContext) -> None:
    await create_actor(ctx, "org")
    links = (("Website", "https://kitchens.example/a?b=1&c=2"), ("Motto", "<Soup> & bread"))
    await update_profile(ctx, "org", ProfileInput("Org", "", links), account_id=None)

    document = await actor_document(ctx, await get_local_actor(ctx, "org"))

    assert document["attachment"] == [
        {
            "type": "PropertyValue",
            "name": "Website",
            "value": '<a href="https://kitchens.example/a?b=1&amp;c=2" '
            'rel="me nofollow noopener noreferrer" target="_blank">'
            "kitchens.example/a?b=1&amp;c=2</a>",
        },
        {"type": "PropertyValue", "name": "Motto", "value": "&lt;Soup&gt; &amp; bread"},
    ]
    terms = ACTOR_CONTEXT[-1]
    assert terms["schema"] == "http://schema.org#"
    assert terms["PropertyValue"] == "schema:PropertyValue"
    assert terms["value"] == "schema:value"


async def test_hostile_bio_html_is_removed_and_the_source_kept(ctx: HubContext) -> None:
    await create_actor(ctx, "org")
    hostile = (
        '<script>alert("x")</script><img src=x onerror=alert(1)> '
        "[click](javascript:alert(1)) <iframe src=https://evil.example></iframe> plain words"
    )
    await update_profile(ctx, "org", ProfileInput("Org", hostile, ()), account_id=None)

    actor = await get_local_actor(ctx, "org")
    elements = parse_page(actor.summary_html).elements
    assert {element.tag for element in elements} == {"p"}  # the markup stays visible text
    assert all(not name.startswith("on") for e in elements for name in e.attrs)
    assert "javascript:" not in " ".join(e.attrs.get("href", "") for e in elements)
    assert "&lt;script&gt;" in actor.summary_html
    assert "plain words" in actor.summary_html
    assert actor.summary_source == hostile


async def test_saving_the_same_profile_again_sends_no_update(ctx: HubContext) -> None:
    await create_actor(ctx, "org")
    values = ProfileInput("Org", BIO, (("Website", "https://kitchens.example"),))
    assert await update_profile(ctx, "org", values, account_id=None) is True

    assert await update_profile(ctx, "org", values, account_id=None) is False

    assert len(await _updates(ctx)) == 1


@pytest.mark.parametrize(
    ("values", "field"),
    [
        (ProfileInput("x" * 101, "", ()), "display_name"),
        (ProfileInput("Org", "b" * 5001, ()), "bio"),
        (ProfileInput("Org", "", tuple((f"L{n}", f"v{n}") for n in range(5))), "links"),
        (ProfileInput("Org", "", (("l" * 256, "value"),)), "link_label_1"),
        (ProfileInput("Org", "", (("", ""), ("Site", LONG_URL))), "link_value_2"),
        (ProfileInput("Org", "", (("Website", ""),)), "link_value_1"),
        (ProfileInput("Org", "", (("", "https://kitchens.example"),)), "link_label_1"),
        (ProfileInput("Org", "", (("Website", "https://"),)), "link_value_1"),
    ],
    ids=[
        "long-name", "long-bio", "five-links", "long-label", "long-value", "label-alone",
        "value-alone", "incomplete-url",
    ],
)  # fmt: skip
async def test_bad_input_names_its_field_and_changes_nothing(
    ctx: HubContext, values: ProfileInput, field: str
) -> None:
    await create_actor(ctx, "org", display_name="Before")

    with pytest.raises(InvalidInput) as raised:
        await update_profile(ctx, "org", values, account_id=None)

    assert raised.value.field == field
    assert raised.value.message
    assert (await get_local_actor(ctx, "org")).display_name == "Before"
    assert await _updates(ctx) == []


async def test_limits_themselves_are_accepted_and_empty_link_rows_dropped(ctx: HubContext) -> None:
    await create_actor(ctx, "org")
    links = (("", ""), *((f"L{n}", "v" * 2048) for n in range(4)), ("  ", "  "))
    await update_profile(ctx, "org", ProfileInput("n" * 100, "b" * 5000, links), account_id=None)
    actor = await get_local_actor(ctx, "org")
    assert len(actor.display_name) == 100
    assert [label for label, _ in actor.profile_links] == ["L0", "L1", "L2", "L3"]


async def test_an_account_without_the_grant_may_not_edit(ctx: HubContext) -> None:
    await create_actor(ctx, "org", display_name="Before")
    await create_actor(ctx, "other")
    outsider = await make_account(ctx, actors=("other",))
    with pytest.raises(PermissionDenied):
        await update_profile(ctx, "org", ProfileInput("After", "", ()), account_id=outsider.id)
    with pytest.raises(PermissionDenied):
        await set_avatar(ctx, "org", image_bytes(), "a.png", "image/png", account_id=outsider.id)
    with pytest.raises(PermissionDenied):
        await remove_avatar(ctx, "org", account_id=outsider.id)
    assert (await get_local_actor(ctx, "org")).display_name == "Before"
    granted = await make_account(ctx, "granted@hub.test", actors=("org",))
    await update_profile(ctx, "org", ProfileInput("After", "", ()), account_id=granted.id)
    assert (await get_local_actor(ctx, "org")).display_name == "After"


async def test_avatar_is_shrunk_to_400_keeping_its_aspect(ctx: HubContext) -> None:
    await create_actor(ctx, "org")

    url = await set_avatar(
        ctx, "org", image_bytes(size=(1600, 800)), "big.png", "image/png", account_id=None
    )

    actor = await get_local_actor(ctx, "org")
    assert actor.icon_url == url
    assert url.startswith("https://hub.test/media/")
    assert actor.icon_media_type == "image/png"
    assert (await _avatar_file(ctx)).size == (400, 200)
    document = await actor_document(ctx, actor)
    assert document["icon"] == {"type": "Image", "mediaType": "image/png", "url": url}
    (update,) = await _updates(ctx)
    assert update.body["object"]["icon"]["url"] == url


async def test_avatar_loses_its_exif_and_gps(ctx: HubContext) -> None:
    await create_actor(ctx, "org")
    await set_avatar(ctx, "org", jpeg_with_gps(), "me.jpg", "image/jpeg", account_id=None)
    stored = await _avatar_file(ctx)
    assert dict(stored.getexif()) == {}
    assert stored.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
    assert "comment" not in stored.info


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"%PDF-1.4 not an image", "JPEG, PNG, GIF or WebP"),
        (png_claiming_size(50_000, 50_000), "pixels"),
    ],
    ids=["empty", "not-an-image", "decompression-bomb"],
)
async def test_bad_avatar_files_are_refused_clearly(
    ctx: HubContext, data: bytes, words: str
) -> None:
    await create_actor(ctx, "org")
    with pytest.raises(InvalidInput) as raised:
        await set_avatar(ctx, "org", data, "x.png", "image/png", account_id=None)
    assert raised.value.field == "avatar"
    assert words in raised.value.message
    assert (await get_local_actor(ctx, "org")).icon_url is None
    assert await _updates(ctx) == []


async def test_replacing_then_removing_the_avatar_deletes_the_old_files(ctx: HubContext) -> None:
    await create_actor(ctx, "org")
    first = await set_avatar(ctx, "org", image_bytes(), "a.png", "image/png", account_id=None)
    second = await set_avatar(
        ctx, "org", image_bytes(image_format="JPEG"), "b.jpg", "image/jpeg", account_id=None
    )
    assert first != second
    assert not (media_folder(ctx) / first.rsplit("/", 1)[1]).exists()

    assert await remove_avatar(ctx, "org", account_id=None) is True

    actor = await get_local_actor(ctx, "org")
    assert actor.icon_url is None
    assert "icon" not in await actor_document(ctx, actor)
    assert list(media_folder(ctx).iterdir()) == []
    async with ctx.sessions() as session:
        assert (await session.exec(select(col(MediaAttachment.id)))).all() == []
    assert len(await _updates(ctx)) == 3
    assert await remove_avatar(ctx, "org", account_id=None) is False


async def test_a_bio_set_as_html_alone_is_offered_as_text_and_kept_when_unchanged(
    ctx: HubContext,
) -> None:
    await create_actor(
        ctx, "org", display_name="Org", summary_html="<p>Soup &amp; bread</p><p>Since 1990</p>"
    )
    view = await profile_of(ctx, "org", account_id=None)
    assert view.bio_markdown == "Soup & bread\n\nSince 1990"

    changed = await update_profile(
        ctx, "org", ProfileInput("Org", view.bio_markdown, ()), account_id=None
    )

    assert changed is False
    assert (await get_local_actor(ctx, "org")).summary_html.startswith("<p>Soup &amp; bread")
    assert await _updates(ctx) == []
