"""Rendering the compose and edit forms: the values as typed, the images, a preview."""

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from hub.context import HubContext
from hub.models import Account
from hub.services.accounts import publishable_actors
from hub.services.staff_posts import ComposePreview, FormImage
from hub.web.admin.compose_form import VISIBILITY_CHOICES, ComposeForm
from hub.web.admin.rendering import render_staff
from hub.web.app_state import hub_context

FIELD_LABELS = {
    "actor": "Publish as",
    "title": "Title",
    "summary": "In brief",
    "body": "Body",
    "tags": "Tags",
    "series": "Series",
    "visibility": "Who can see it",
    "content_warning": "Content warning",
    "language": "Language",
    "image": "Add an image",
    "image_alt": "Description of the new image",
    "alt": "Images",
    "publish_at": "Publish at",
}
STATE_LABELS = {
    "draft": "a draft",
    "scheduled": "scheduled",
    "published": "published",
}


@dataclass(frozen=True)
class PostRef:
    """The post an edit form is about."""

    actor: str
    slug: str

    @property
    def edit_url(self) -> str:
        """Return the URL of its edit form."""
        return f"/admin/posts/{self.actor}/{self.slug}/edit"


async def render_compose(
    request: Request,
    account: Account | None,
    form: ComposeForm,
    images: list[FormImage],
    *,
    ref: PostRef | None,
    state: str | None,
    errors: dict[str, str] | None = None,
    preview: ComposePreview | None = None,
    extra: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    ctx = hub_context(request)
    if account is not None:
        actors = await publishable_actors(ctx, account.id)
        choices = [
            (actor.username or "", f"@{actor.username} ({actor.display_name or actor.username})")
            for actor in actors
        ]
    else:
        choices = [(form.actor, f"@{form.actor}")]
    typed_alt = {choice.media_id: choice for choice in form.images}
    image_rows = [
        {
            "media_id": image.media_id,
            "url": image.url,
            "width": image.width,
            "height": image.height,
            "alt": typed_alt[image.media_id].alt if image.media_id in typed_alt else image.alt,
            "remove": image.media_id in typed_alt and typed_alt[image.media_id].remove,
        }
        for image in images
    ]
    image_labels = {
        f"alt_{row['media_id']}": f"Image {number} description"
        for number, row in enumerate(image_rows, start=1)
    }
    context: dict[str, Any] = {
        "page_title": "Write a post" if ref is None else "Edit the post",
        "mode": "new" if ref is None else "edit",
        "state": state,
        "state_label": STATE_LABELS.get(state or "", ""),
        "action_url": "/admin/compose" if ref is None else ref.edit_url,
        "delete_url": "" if ref is None else f"/admin/posts/{ref.actor}/{ref.slug}/delete",
        "form": form,
        "actor_choices": choices,
        "visibility_choices": VISIBILITY_CHOICES,
        "images": image_rows,
        "errors": errors or {},
        "field_labels": FIELD_LABELS | image_labels,
        "preview": None if preview is None else preview_context(ctx, preview, form.actor),
        "max_upload_bytes": ctx.settings.max_upload_bytes,
        "max_upload_mb": round(ctx.settings.max_upload_bytes / 1048576, 1),
        "publish_at_utc": "",
    }
    context.update(extra or {})
    return render_staff(
        request, "admin/compose.html", context, account=account, status_code=status_code
    )


def preview_context(ctx: HubContext, preview: ComposePreview, actor: str) -> dict[str, Any]:
    view = preview.preview.mastodon
    return {
        "page": preview.page,
        "author_name": preview.page.author.display_name,
        "author_handle": preview.page.author.handle,
        "mastodon": view,
        "tags": [tag.name for tag in preview.page.tags],
        "instance": ctx.settings.host,
        "actor": actor,
    }
