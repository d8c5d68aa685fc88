"""Image uploads: sniffed, bounded, stripped of metadata, resized, stored, served."""

from io import BytesIO
from pathlib import Path

import blurhash  # type: ignore[import-untyped]  # pure-Python package without type hints
import httpx
import pytest
from PIL import ExifTags, Image
from sqlmodel import select

from hub.context import HubContext
from hub.models import MediaAttachment
from hub.services.accounts import create_account
from hub.services.actors import create_actor
from hub.services.errors import InvalidInput, NotFound, PermissionDenied
from hub.services.media import describe_media, media_folder, media_url, upload_image
from tests.support.images import animated_gif, image_bytes, jpeg_with_gps, png_claiming_size

PASSWORD = "correct horse battery staple"


async def upload(
    ctx: HubContext, data: bytes, description: str = "A red square"
) -> MediaAttachment:
    """Upload as the system, as the command line does."""
    return await upload_image(
        ctx, data, filename="photo", declared_type="image/png", description=description,
        account_id=None,
    )  # fmt: skip


def stored_image(ctx: HubContext, attachment: MediaAttachment) -> Image.Image:
    """Open the stored file of an upload."""
    assert attachment.file_name is not None
    return Image.open(BytesIO((media_folder(ctx) / attachment.file_name).read_bytes()))


async def nothing_stored(ctx: HubContext) -> bool:
    """Return whether no upload row and no file exist."""
    async with ctx.sessions() as session:
        rows = (await session.exec(select(MediaAttachment))).all()
    folder = media_folder(ctx)
    files = list(folder.iterdir()) if folder.exists() else []
    return not rows and not files


async def test_exif_and_gps_are_gone_and_orientation_is_applied(ctx: HubContext) -> None:
    attachment = await upload(ctx, jpeg_with_gps(size=(80, 40), orientation=6))
    stored = stored_image(ctx, attachment)
    assert stored.format == "JPEG"
    assert (stored.width, stored.height) == (40, 80)  # rotated upright, as the camera meant
    assert (attachment.width, attachment.height) == (40, 80)
    assert dict(stored.getexif()) == {}
    assert stored.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
    assert "comment" not in stored.info
    raw = (media_folder(ctx) / str(attachment.file_name)).read_bytes()
    assert b"Secret Lane" not in raw
    assert b"Pocket Camera" not in raw
    assert attachment.media_type == "image/jpeg"


async def test_large_image_is_brought_down_to_2048_pixels(ctx: HubContext) -> None:
    attachment = await upload(ctx, image_bytes(size=(3000, 1000)))
    assert (attachment.width, attachment.height) == (2048, 683)
    assert stored_image(ctx, attachment).size == (2048, 683)


async def test_upload_records_size_and_a_small_blurhash(ctx: HubContext) -> None:
    # Checklist 59
    attachment = await upload(ctx, image_bytes(size=(64, 48), image_format="WEBP"))
    assert attachment.media_type == "image/webp"
    assert attachment.size_bytes == (media_folder(ctx) / str(attachment.file_name)).stat().st_size
    assert attachment.blurhash is not None
    x_components, y_components = blurhash.components(attachment.blurhash)
    assert (x_components, y_components) == (4, 3)
    assert str(attachment.file_name).endswith(".webp")
    assert attachment.description == "A red square"


async def test_animated_gif_keeps_its_first_frame_as_png(ctx: HubContext) -> None:
    attachment = await upload(ctx, animated_gif())
    stored = stored_image(ctx, attachment)
    assert stored.format == "PNG"
    assert getattr(stored, "n_frames", 1) == 1
    assert stored.convert("RGB").getpixel((0, 0)) == (200, 30, 30)


async def test_upload_over_the_size_limit_is_refused_and_nothing_saved(ctx: HubContext) -> None:
    too_big = image_bytes() + b"\x00" * ctx.settings.max_upload_bytes
    with pytest.raises(InvalidInput) as refused:
        await upload(ctx, too_big)
    assert refused.value.field == "image"
    assert "MiB" in refused.value.message
    assert await nothing_stored(ctx)


@pytest.mark.parametrize(
    "data",
    [
        b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
        b"%PDF-1.7\n%...",
        image_bytes(image_format="BMP"),
        image_bytes(image_format="TIFF"),
    ],
    ids=["svg", "pdf", "bmp", "tiff"],
)
async def test_other_file_types_are_refused_whatever_they_claim(
    ctx: HubContext, data: bytes
) -> None:
    with pytest.raises(InvalidInput) as refused:
        await upload(ctx, data)
    assert refused.value.field == "image"
    assert refused.value.message == "must be a JPEG, PNG, GIF or WebP image"
    assert await nothing_stored(ctx)


@pytest.mark.parametrize(
    ("width", "height"),
    [(30_000, 30_000), (12_000, 9_000), (8_000, 6_000)],
    ids=["over-twice-pillow-limit", "over-pillow-limit", "over-our-limit"],
)
async def test_decompression_bombs_are_refused(ctx: HubContext, width: int, height: int) -> None:
    with pytest.raises(InvalidInput) as refused:
        await upload(ctx, png_claiming_size(width, height))
    assert refused.value.field == "image"
    assert "pixels" in refused.value.message
    assert await nothing_stored(ctx)


async def test_damaged_image_is_refused(ctx: HubContext) -> None:
    data = image_bytes(size=(200, 200), image_format="JPEG")
    with pytest.raises(InvalidInput) as refused:
        await upload(ctx, data[: len(data) // 2])
    assert refused.value.message == "could not be read; the file may be damaged"
    assert await nothing_stored(ctx)


async def test_account_without_a_grant_cannot_upload(ctx: HubContext) -> None:
    account = await create_account(ctx, "guest@example.org", PASSWORD)
    with pytest.raises(PermissionDenied):
        await upload_image(
            ctx, image_bytes(), filename="a.png", declared_type=None, description="",
            account_id=account.id,
        )  # fmt: skip
    assert await nothing_stored(ctx)


async def test_alt_text_is_set_by_the_uploader_only(ctx: HubContext) -> None:
    actor = await create_actor(ctx, "org")
    assert actor.id is not None
    writer = await create_account(ctx, "writer@example.org", PASSWORD, grant_actor_ids=(actor.id,))
    other = await create_account(ctx, "other@example.org", PASSWORD, grant_actor_ids=(actor.id,))
    attachment = await upload_image(
        ctx, image_bytes(), filename="a.png", declared_type=None, description="",
        account_id=writer.id,
    )  # fmt: skip
    assert attachment.id is not None
    await describe_media(ctx, attachment.id, "  Raised beds at dawn ", account_id=writer.id)
    with pytest.raises(PermissionDenied):
        await describe_media(ctx, attachment.id, "Mine now", account_id=other.id)
    with pytest.raises(InvalidInput) as too_long:
        await describe_media(ctx, attachment.id, "x" * 1501, account_id=writer.id)
    assert too_long.value.field == "alt"
    with pytest.raises(NotFound):
        await describe_media(ctx, attachment.id + 1, "Nothing", account_id=None)
    async with ctx.sessions() as session:
        stored = await session.get(MediaAttachment, attachment.id)
    assert stored is not None
    assert stored.description == "Raised beds at dawn"


async def test_media_is_served_with_its_type_and_immutable_caching(
    ctx: HubContext, client: httpx.AsyncClient
) -> None:
    # Checklist 58: the file is served with a matching Content-Type
    attachment = await upload(ctx, image_bytes(image_format="PNG"))
    url = media_url(ctx, attachment)
    assert url == f"https://hub.test/media/{attachment.file_name}"
    response = await client.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert Image.open(BytesIO(response.content)).size == (64, 48)


def place_stray_files(folder: Path) -> None:
    """Put a file without a row in the media folder, and a secret beside it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "AAAAAAAAAAAAAAAAAAAAAA.png").write_bytes(image_bytes())
    (folder.parent / "hub.toml").write_text("secret_key = 'x'")


@pytest.mark.parametrize(
    "path",
    [
        "/media/AAAAAAAAAAAAAAAAAAAAAA.png",
        "/media/..%2fhub.db",
        "/media/%2e%2e%2f%2e%2e%2fhub.toml",
        "/media/hub.db",
    ],
    ids=["no-row", "encoded-traversal", "dot-traversal", "other-file"],
)
async def test_only_uploaded_files_are_served(
    ctx: HubContext, client: httpx.AsyncClient, path: str
) -> None:
    place_stray_files(media_folder(ctx))
    response = await client.get(path)
    assert response.status_code == 404


def image_in_mode(mode: str, image_format: str, **options: object) -> bytes:
    """Return a small image in a given Pillow mode."""
    output = BytesIO()
    Image.new(mode, (50, 40)).save(output, format=image_format, **options)
    return output.getvalue()


@pytest.mark.parametrize(
    ("data", "stored_mode"),
    [
        (image_in_mode("I;16", "PNG"), "RGB"),
        (image_in_mode("P", "PNG", transparency=0), "RGBA"),
        (image_in_mode("CMYK", "JPEG"), "RGB"),
        (image_in_mode("LA", "PNG"), "LA"),
    ],
    ids=["16-bit-png", "palette-with-transparency", "cmyk-jpeg", "grey-with-alpha"],
)
async def test_unusual_colour_modes_are_stored_in_web_modes(
    ctx: HubContext, data: bytes, stored_mode: str
) -> None:
    attachment = await upload(ctx, data)
    assert stored_image(ctx, attachment).mode == stored_mode
