"""The compose form: publish, draft, schedule, preview, edit and delete, with images."""

from datetime import UTC, datetime

import httpx
from sqlmodel import col, select

from hub.context import HubContext
from hub.models import OutgoingActivity
from tests.support.compose import TYPED, local_posts, signed_in_to_compose, stored_media
from tests.support.images import image_bytes
from tests.support.staff import csrf_from


async def _activity_types(ctx: HubContext) -> list[str]:
    async with ctx.sessions() as session:
        rows = await session.exec(
            select(OutgoingActivity.activity_type).order_by(col(OutgoingActivity.id))
        )
        return list(rows.all())


async def test_compose_offers_only_the_actors_the_account_may_publish_as(
    staff_ctx: HubContext, browser_like: httpx.AsyncClient
) -> None:
    from hub.services.actors import create_actor

    await create_actor(staff_ctx, "elsewhere")
    await signed_in_to_compose(staff_ctx, browser_like)
    page = await browser_like.get("/admin/compose")
    assert '<option value="org"' in page.text
    assert 'value="elsewhere"' not in page.text
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["x-frame-options"] == "DENY"


async def test_publishing_with_an_image_stores_the_post_and_its_create(
    staff_ctx: HubContext, browser_like: httpx.AsyncClient
) -> None:
    token = await signed_in_to_compose(staff_ctx, browser_like)
    response = await browser_like.post(
        "/admin/compose",
        data=TYPED | {"image_alt": "Swifts over the roof", "action": "publish",
                      "csrf_token": token},
        files={"image": ("swifts.png", image_bytes(), "image/png")},
    )  # fmt: skip
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/admin/posts"
    (post,) = await local_posts(staff_ctx)
    assert post.state == "published"
    assert post.title == TYPED["title"]
    (image,) = await stored_media(staff_ctx)
    assert image.post_id == post.id
    assert image.description == "Swifts over the roof"
    assert await _activity_types(staff_ctx) == ["Create"]
    listing = await browser_like.get("/admin/posts")
    assert "Published “Observatory Sighting #7: Taking stock”." in listing.text
    assert (await browser_like.get(f"/@org/{post.slug}")).status_code == 200


async def test_account_without_a_grant_cannot_publish_as_the_actor(
    staff_ctx: HubContext, browser_like: httpx.AsyncClient
) -> None:
    token = await signed_in_to_compose(staff_ctx, browser_like, actors=())
    response = await browser_like.post(
        "/admin/compose", data=TYPED | {"action": "publish", "csrf_token": token}
    )
    assert response.status_code == 403
    assert 'id="actor-error"' in response.text
    assert "may not publish as @org" in response.text
    assert await local_posts(staff_ctx) == []


async def test_preview_shows_the_page_and_the_mastodon_view_and_saves_nothing(
    staff_ctx: HubContext, browser_like: httpx.AsyncClient
) -> None:
    token = await signed_in_to_compose(staff_ctx, browser_like)
    response = await browser_like.post(
        "/admin/compose",
        data=TYPED | {"image_alt": "Swifts over the roof", "action": "preview",
                      "csrf_token": token},
        files={"image": ("swifts.png", image_bytes(), "image/png")},
    )  # fmt: skip
    assert response.status_code == 200
    preview = response.text.split('id="preview"', 1)[1].split("<form", 1)[0]
    assert "<strong>take stock</strong>" in preview
    assert "In brief" in preview
    assert "As a Mastodon user sees it" in preview
    assert 'alt="Swifts over the roof"' in preview
    assert "https://hub.test/@org/preview" in preview
    assert await local_posts(staff_ctx) == []


async def test_draft_is_saved_without_sending_anything(
    staff_ctx: HubContext, browser_like: httpx.AsyncClient
) -> None:
    token = await signed_in_to_compose(staff_ctx, browser_like)
    response = await browser_like.post(
        "/admin/compose", data=TYPED | {"action": "draft", "csrf_token": token}
    )
    assert response.status_code == 303
    (post,) = await local_posts(staff_ctx)
    assert post.state == "draft"
    assert response.headers["location"] == f"/admin/posts/org/{post.slug}/edit"
    assert await _activity_types(staff_ctx) == []
    edit = await browser_like.get(response.headers["location"])
    assert "Draft saved" in edit.text
    assert f'value="{TYPED["title"]}"' in edit.text
    assert (await browser_like.get(f"/@org/{post.slug}")).status_code == 404


async def test_schedule_stores_the_local_time_in_utc(
    staff_ctx: HubContext, browser_like: httpx.AsyncClient
) -> None:
    token = await signed_in_to_compose(staff_ctx, browser_like)
    response = await browser_like.post(
        "/admin/compose",
        data=TYPED | {"publish_at": "2026-11-02T09:30", "time_zone": "America/New_York",
                      "action": "schedule", "csrf_token": token},
    )  # fmt: skip
    assert response.status_code == 303, response.text
    (post,) = await local_posts(staff_ctx)
    assert post.state == "scheduled"
    assert post.scheduled_at == datetime(2026, 11, 2, 14, 30, tzinfo=UTC)
    assert await _activity_types(staff_ctx) == []


async def test_edit_sends_update_and_delete_leaves_410(
    staff_ctx: HubContext, browser_like: httpx.AsyncClient
) -> None:
    token = await signed_in_to_compose(staff_ctx, browser_like)
    await browser_like.post("/admin/compose", data=TYPED | {"action": "publish",
                                                           "csrf_token": token})  # fmt: skip
    (post,) = await local_posts(staff_ctx)
    edit_url = f"/admin/posts/org/{post.slug}/edit"
    form = await browser_like.get(edit_url)
    assert "Save changes" in form.text
    saved = await browser_like.post(
        edit_url,
        data=TYPED | {"title": "Taking stock, revised", "action": "save",
                      "csrf_token": csrf_from(form.text)},
    )  # fmt: skip
    assert saved.status_code == 303
    assert await _activity_types(staff_ctx) == ["Create", "Update"]
    page = await browser_like.get(f"/@org/{post.slug}")
    assert "Taking stock, revised" in page.text
    confirm = await browser_like.get(f"/admin/posts/org/{post.slug}/delete")
    assert "cannot be undone" in confirm.text
    deleted = await browser_like.post(
        f"/admin/posts/org/{post.slug}/delete", data={"csrf_token": csrf_from(confirm.text)}
    )
    assert deleted.status_code == 303
    assert await _activity_types(staff_ctx) == ["Create", "Update", "Delete"]
    assert (await browser_like.get(f"/@org/{post.slug}")).status_code == 410


async def test_delete_without_a_token_keeps_the_post(
    staff_ctx: HubContext, browser_like: httpx.AsyncClient
) -> None:
    token = await signed_in_to_compose(staff_ctx, browser_like)
    await browser_like.post("/admin/compose", data=TYPED | {"action": "publish",
                                                           "csrf_token": token})  # fmt: skip
    (post,) = await local_posts(staff_ctx)
    response = await browser_like.post(f"/admin/posts/org/{post.slug}/delete", data={})
    assert response.status_code == 403
    assert (await browser_like.get(f"/@org/{post.slug}")).status_code == 200


async def test_someone_elses_post_cannot_be_opened_for_editing(
    staff_ctx: HubContext, browser_like: httpx.AsyncClient
) -> None:
    from hub.services.actors import create_actor
    from hub.services.publishing import PostInput, publish_post

    await create_actor(staff_ctx, "elsewhere")
    published = await publish_post(staff_ctx, "elsewhere", PostInput(title="Not yours"))
    await signed_in_to_compose(staff_ctx, browser_like)
    assert (
        await browser_like.get(f"/admin/posts/elsewhere/{published.slug}/edit")
    ).status_code == 403
    token = csrf_from((await browser_like.get("/admin/compose")).text)
    response = await browser_like.post(
        f"/admin/posts/elsewhere/{published.slug}/delete", data={"csrf_token": token}
    )
    assert response.status_code == 403
