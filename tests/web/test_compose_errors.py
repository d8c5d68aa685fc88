"""The compose form refuses bad input clearly: a message by the field, everything typed kept."""

import os
import re
from collections.abc import AsyncIterator
from io import BytesIO
from pathlib import Path

import httpx
import pytest
from PIL import Image
from starlette.applications import Starlette

from hub.clock import ManualClock
from hub.context import HubContext
from hub.web.app import create_app
from tests.support.compose import TYPED, local_posts, signed_in_to_compose, stored_media
from tests.support.images import image_bytes, png_claiming_size
from tests.support.keys import KeyPool
from tests.support.settings import make_settings
from tests.support.staff import csrf_from


def _noisy_png(side: int) -> bytes:
    """Return a PNG of random pixels: about 3 bytes per pixel, whatever the compression."""
    output = BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(output, format="PNG")
    return output.getvalue()


def _assert_typed_values_kept(html: str, values: dict[str, str]) -> None:
    for name in ("title", "tags", "series", "language"):
        assert f'value="{values[name]}"' in html.replace("&#34;", '"'), name
    assert values["summary"] in html
    assert "**take stock**" in html


async def test_missing_title_is_shown_by_the_field_with_everything_kept(
    staff_ctx: HubContext, browser_like: httpx.AsyncClient
) -> None:
    token = await signed_in_to_compose(staff_ctx, browser_like)
    response = await browser_like.post(
        "/admin/compose",
        data=TYPED | {"title": "  ", "action": "publish", "csrf_token": token},
    )
    assert response.status_code == 400
    assert 'id="title-error"' in response.text
    assert re.search(r'id="title"[^>]*aria-describedby="title-error"', response.text)
    assert 'href="#title"' in response.text
    _assert_typed_values_kept(response.text, TYPED | {"title": "  "})
    assert await local_posts(staff_ctx) == []


async def test_image_without_alt_text_is_refused_and_nothing_is_stored(
    staff_ctx: HubContext, browser_like: httpx.AsyncClient
) -> None:
    token = await signed_in_to_compose(staff_ctx, browser_like)
    response = await browser_like.post(
        "/admin/compose",
        data=TYPED | {"image_alt": " ", "action": "publish", "csrf_token": token},
        files={"image": ("swifts.png", image_bytes(), "image/png")},
    )
    assert response.status_code == 400
    assert 'id="image_alt-error"' in response.text
    assert "Describe the image" in response.text
    _assert_typed_values_kept(response.text, TYPED)
    assert await stored_media(staff_ctx) == []
    assert await local_posts(staff_ctx) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"%PDF-1.4 not an image at all", "a JPEG, PNG, GIF or WebP image"),
        (png_claiming_size(30_000, 30_000), "too many pixels"),
    ],
    ids=["wrong-type", "decompression-bomb"],
)
async def test_bad_image_is_refused_next_to_the_field_with_everything_kept(
    staff_ctx: HubContext, browser_like: httpx.AsyncClient, content: bytes, message: str
) -> None:
    token = await signed_in_to_compose(staff_ctx, browser_like)
    response = await browser_like.post(
        "/admin/compose",
        data=TYPED | {"image_alt": "A chart", "action": "publish", "csrf_token": token},
        files={"image": ("chart.png", content, "image/png")},
    )
    assert response.status_code == 400
    assert 'id="image-error"' in response.text
    assert message in response.text
    assert 'value="A chart"' in response.text or ">A chart</textarea>" in response.text
    _assert_typed_values_kept(response.text, TYPED)
    assert await stored_media(staff_ctx) == []
    assert await local_posts(staff_ctx) == []


@pytest.fixture
async def small_upload_app(
    database_url: str, tmp_path: Path, key_pool: KeyPool
) -> AsyncIterator[Starlette]:
    """A Hub that accepts uploads of at most 4 KiB."""
    settings = make_settings(database_url, tmp_path / "data", max_upload_bytes="4096")
    app = create_app(settings, generate_keys=key_pool, clock=ManualClock())
    async with app.router.lifespan_context(app):
        from hub.services.actors import create_actor

        await create_actor(app.state.hub, "org")
        yield app


async def test_upload_over_the_limit_is_refused_next_to_the_field(
    small_upload_app: Starlette,
) -> None:
    ctx: HubContext = small_upload_app.state.hub
    transport = httpx.ASGITransport(app=small_upload_app)
    async with httpx.AsyncClient(
        transport=transport, base_url="https://hub.test", headers={"Accept": "text/html"}
    ) as client:
        token = await signed_in_to_compose(ctx, client)
        response = await client.post(
            "/admin/compose",
            data=TYPED | {"image_alt": "Noise", "action": "publish", "csrf_token": token},
            files={"image": ("noise.png", _noisy_png(60), "image/png")},
        )
        assert response.status_code == 400
        assert 'id="image-error"' in response.text
        assert "at most" in response.text
        _assert_typed_values_kept(response.text, TYPED)
        # A body far beyond any upload is cut off without being read.
        huge = await client.post(
            "/admin/compose",
            data=TYPED | {"csrf_token": token},
            files={"image": ("huge.png", b"\0" * (5 * 1024 * 1024), "image/png")},
        )
        assert huge.status_code == 413
        assert "larger than" in huge.text
    assert await stored_media(ctx) == []


async def test_uploaded_image_is_kept_by_id_when_the_post_is_refused(
    staff_ctx: HubContext, browser_like: httpx.AsyncClient
) -> None:
    token = await signed_in_to_compose(staff_ctx, browser_like)
    refused = await browser_like.post(
        "/admin/compose",
        data=TYPED | {"title": "", "image_alt": "Swifts", "action": "publish",
                      "csrf_token": token},
        files={"image": ("swifts.png", image_bytes(), "image/png")},
    )  # fmt: skip
    assert refused.status_code == 400
    (image,) = await stored_media(staff_ctx)
    assert f'name="media_id" value="{image.id}"' in refused.text
    assert image.post_id is None
    # Sending the form again with a title publishes with the kept image, chosen only once.
    published = await browser_like.post(
        "/admin/compose",
        data=TYPED | {"media_id": str(image.id), f"alt_{image.id}": "Swifts at dusk",
                      "action": "publish", "csrf_token": csrf_from(refused.text)},
    )  # fmt: skip
    assert published.status_code == 303
    (post,) = await local_posts(staff_ctx)
    (image,) = await stored_media(staff_ctx)
    assert image.post_id == post.id
    assert image.description == "Swifts at dusk"


async def test_kept_image_without_alt_text_blocks_publishing(
    staff_ctx: HubContext, browser_like: httpx.AsyncClient
) -> None:
    token = await signed_in_to_compose(staff_ctx, browser_like)
    uploaded = await browser_like.post(
        "/admin/compose",
        data=TYPED | {"image_alt": "Swifts", "action": "upload", "csrf_token": token},
        files={"image": ("swifts.png", image_bytes(), "image/png")},
    )
    assert uploaded.status_code == 200
    (image,) = await stored_media(staff_ctx)
    response = await browser_like.post(
        "/admin/compose",
        data=TYPED | {"media_id": str(image.id), f"alt_{image.id}": "", "action": "publish",
                      "csrf_token": token},
    )  # fmt: skip
    assert response.status_code == 400
    assert f'id="alt_{image.id}-error"' in response.text
    assert await local_posts(staff_ctx) == []


@pytest.mark.parametrize("token", [None, "forged"], ids=["missing", "wrong"])
async def test_compose_without_a_valid_csrf_token_saves_nothing_and_keeps_the_text(
    staff_ctx: HubContext, browser_like: httpx.AsyncClient, token: str | None
) -> None:
    await signed_in_to_compose(staff_ctx, browser_like)
    data = TYPED | {"action": "publish"} | ({"csrf_token": token} if token else {})
    response = await browser_like.post(
        "/admin/compose", data=data, files={"image": ("a.png", image_bytes(), "image/png")}
    )
    assert response.status_code == 403
    assert "This form had expired" in response.text
    assert "choose the image again" in response.text
    _assert_typed_values_kept(response.text, TYPED)
    assert await local_posts(staff_ctx) == []
    assert await stored_media(staff_ctx) == []


async def test_signed_out_compose_shows_the_form_again_with_the_text(
    browser_like: httpx.AsyncClient,
) -> None:
    response = await browser_like.post("/admin/compose", data=TYPED | {"action": "publish"})
    assert response.status_code == 401
    assert "You were logged out" in response.text
    _assert_typed_values_kept(response.text, TYPED)


async def test_schedule_in_the_past_is_refused_by_the_field(
    staff_ctx: HubContext, browser_like: httpx.AsyncClient
) -> None:
    token = await signed_in_to_compose(staff_ctx, browser_like)
    response = await browser_like.post(
        "/admin/compose",
        data=TYPED | {"publish_at": "2020-01-01T09:30", "action": "schedule",
                      "csrf_token": token},
    )  # fmt: skip
    assert response.status_code == 400
    assert 'id="publish_at-error"' in response.text
    assert 'value="2020-01-01T09:30"' in response.text
    assert await local_posts(staff_ctx) == []


async def test_save_on_a_new_post_only_previews_it(
    staff_ctx: HubContext, browser_like: httpx.AsyncClient
) -> None:
    token = await signed_in_to_compose(staff_ctx, browser_like)
    response = await browser_like.post(
        "/admin/compose", data=TYPED | {"action": "save", "csrf_token": token}
    )
    assert response.status_code == 200
    assert 'id="preview"' in response.text
    assert await local_posts(staff_ctx) == []


async def test_preview_as_an_actor_without_a_grant_is_refused(
    staff_ctx: HubContext, browser_like: httpx.AsyncClient
) -> None:
    token = await signed_in_to_compose(staff_ctx, browser_like, actors=())
    response = await browser_like.post(
        "/admin/compose", data=TYPED | {"action": "preview", "csrf_token": token}
    )
    assert response.status_code == 403
    assert 'id="actor-error"' in response.text
    assert 'id="preview"' not in response.text
