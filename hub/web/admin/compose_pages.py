"""The compose and edit forms: preview, upload images, save a draft, publish now or later, edit."""

from zoneinfo import ZoneInfo

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from hub.context import HubContext
from hub.models import Account
from hub.services.accounts import publishable_actors
from hub.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from hub.services.media import describe_media, upload_image
from hub.services.post_building import MAX_IMAGES, clean_input
from hub.services.publishing import edit_post, publish_post, save_draft
from hub.services.staff_posts import (
    FormImage,
    compose_preview,
    form_image,
    images_for_form,
    open_post_for_editing,
)
from hub.web.admin.compose_form import (
    ACTIONS,
    ComposeForm,
    ImageChoice,
    chosen_upload,
    form_for_local_time,
)
from hub.web.admin.compose_rendering import FIELD_LABELS, PostRef, render_compose
from hub.web.admin.rendering import as_sentence, redirect_with_notice
from hub.web.app_state import hub_context
from hub.web.auth import PasswordChangeRequired, current_account, staff_account
from hub.web.csrf import csrf_problem
from hub.web.forms import read_form, text_field

POSTS_PAGE = "/admin/posts"
SIGNED_OUT = (
    "You were logged out, so nothing was saved. Log in again in another tab "
    "(/login), then come back here and submit again: everything you typed is still here."
)
FILE_NOT_KEPT = " Files are not kept when a form is refused: choose the image again."


async def compose_page(request: Request) -> Response:
    """Show an empty compose form, for the first actor the account may publish as."""
    account = await staff_account(request)
    actors = await publishable_actors(hub_context(request), account.id)
    names = [actor.username or "" for actor in actors]
    wanted = request.query_params.get("actor", "")
    form = ComposeForm(actor=wanted if wanted in names else (names[0] if names else ""))
    return await render_compose(request, account, form, [], ref=None, state=None)


async def edit_page(request: Request) -> Response:
    """Show the edit form of one of our posts, filled with its values."""
    account = await staff_account(request)
    ref = _ref_of(request)
    editable = await open_post_for_editing(
        hub_context(request), ref.actor, ref.slug, account_id=account.id
    )
    values = editable.values
    form = ComposeForm(
        actor=editable.actor,
        title=values.title,
        summary=values.summary,
        body=values.body_markdown,
        tags=", ".join(values.tags),
        series=values.series,
        visibility=values.visibility,
        content_warning=values.content_warning,
        language=values.language or "",
        publish_at=form_for_local_time(editable.scheduled_at, ZoneInfo("UTC")),
        time_zone="UTC",
        images=[ImageChoice(image.media_id, image.alt) for image in editable.images],
    )
    return await render_compose(
        request,
        account,
        form,
        list(editable.images),
        ref=PostRef(editable.actor, editable.slug),
        state=editable.state,
        extra={
            "publish_at_utc": editable.scheduled_at.isoformat() if editable.scheduled_at else ""
        },
    )


async def compose(request: Request) -> Response:
    """Handle the compose form of a new post."""
    return await _submit(request, None)


async def edit(request: Request) -> Response:
    """Handle the edit form of an existing post."""
    return await _submit(request, _ref_of(request))


def _ref_of(request: Request) -> PostRef:
    return PostRef(request.path_params["actor"], request.path_params["slug"])


async def _submit(request: Request, ref: PostRef | None) -> Response:
    ctx = hub_context(request)
    posted = await read_form(request)
    form = ComposeForm.from_form(posted)
    if ref is not None:
        form.actor = ref.actor
    upload = chosen_upload(posted)
    account = await current_account(request)
    if account is None:
        # Show the form again rather than a login page, so that nothing typed is lost.
        errors = {"form": SIGNED_OUT + (FILE_NOT_KEPT if upload else "")}
        return await render_compose(
            request, None, form, [], ref=ref, state=None, errors=errors, status_code=401
        )
    if account.must_change_password:
        raise PasswordChangeRequired
    state = None
    if ref is not None:
        state = (await open_post_for_editing(ctx, ref.actor, ref.slug, account_id=account.id)).state
    images = await images_for_form(
        ctx,
        [image.media_id for image in form.images],
        account_id=account.id,
        actor_name=form.actor,
        slug=None if ref is None else ref.slug,
    )
    problem = csrf_problem(request, posted)
    if problem is not None:
        errors = {"form": problem + (FILE_NOT_KEPT if upload else "")}
        return await render_compose(
            request, account, form, images, ref=ref, state=state, errors=errors, status_code=403
        )
    action = text_field(posted, "action", max_length=16)
    action = action if action in ACTIONS else "preview"
    publishing = action in ("publish", "schedule") or (action == "save" and state != "draft")
    form.images = [choice for choice in form.images if _has(images, choice.media_id)]
    errors = _check_values(form, publishing=publishing)
    if upload is not None:
        uploaded = await _upload(ctx, account, form, upload, errors)
        if uploaded is not None:
            images.append(uploaded)
    elif action == "upload":
        errors["image"] = "Choose an image file first."
    if not errors:
        await _save_descriptions(ctx, account, form, images, errors)
    if errors:
        return await render_compose(
            request, account, form, images, ref=ref, state=state, errors=errors, status_code=400
        )
    try:
        return await _act(request, ctx, account, form, ref, action, state, images)
    except InvalidInput as error:
        errors[error.field if error.field in FIELD_LABELS else "form"] = error.message
        status_code = 400
    except PermissionDenied as error:
        errors["actor"] = str(error)
        status_code = 403
    except (NotFound, Conflict) as error:
        errors["form"] = str(error)
        status_code = 409
    return await render_compose(
        request,
        account,
        form,
        images,
        ref=ref,
        state=state,
        errors=errors,
        status_code=status_code,
    )


def _has(images: list[FormImage], media_id: int) -> bool:
    return any(image.media_id == media_id for image in images)


def _check_values(form: ComposeForm, *, publishing: bool) -> dict[str, str]:
    """Return the problems found without saving anything: fields, then alt text."""
    errors: dict[str, str] = {}
    try:
        clean_input(form.post_input(), for_publishing=publishing)
    except InvalidInput as error:
        errors[error.field] = error.message
    if publishing:
        for position, choice in enumerate(form.kept_images, start=1):
            if not choice.alt.strip():
                errors[f"alt_{choice.media_id}"] = (
                    f"Describe image {position} for people who cannot see it."
                )
    return errors


async def _upload(
    ctx: HubContext,
    account: Account,
    form: ComposeForm,
    upload: UploadFile,
    errors: dict[str, str],
) -> FormImage | None:
    """Store the chosen image, whatever else is wrong, so it need not be chosen again."""
    if len(form.kept_images) >= MAX_IMAGES:
        errors["image"] = f"A post has at most {MAX_IMAGES} images; remove one first." + (
            FILE_NOT_KEPT
        )
        return None
    if not form.new_image_alt.strip():
        errors["image_alt"] = (
            "Describe the image for people who cannot see it, then choose the file again."
        )
        return None
    data = await upload.read(ctx.settings.max_upload_bytes + 1)
    try:
        attachment = await upload_image(
            ctx,
            data,
            filename=upload.filename or "",
            declared_type=upload.content_type,
            description=form.new_image_alt,
            account_id=account.id,
        )
    except InvalidInput as error:
        field = "image_alt" if error.field == "alt" else "image"
        errors[field] = as_sentence(error.message)
        return None
    except PermissionDenied as error:
        errors["image"] = str(error)
        return None
    form.images.append(ImageChoice(attachment.id or 0, attachment.description))
    form.new_image_alt = ""
    return form_image(ctx, attachment)


async def _save_descriptions(
    ctx: HubContext,
    account: Account,
    form: ComposeForm,
    images: list[FormImage],
    errors: dict[str, str],
) -> None:
    """Store alt text changed in the form, before the post that uses it is saved."""
    stored = {image.media_id: image.alt for image in images}
    for choice in form.kept_images:
        if stored.get(choice.media_id) == choice.alt:
            continue
        try:
            await describe_media(ctx, choice.media_id, choice.alt, account_id=account.id)
        except InvalidInput as error:
            errors[f"alt_{choice.media_id}"] = as_sentence(error.message)
        except (NotFound, PermissionDenied) as error:
            errors[f"alt_{choice.media_id}"] = as_sentence(str(error))


async def _act(
    request: Request,
    ctx: HubContext,
    account: Account,
    form: ComposeForm,
    ref: PostRef | None,
    action: str,
    state: str | None,
    images: list[FormImage],
) -> Response:
    """Carry out the button pressed; the services save all of it or nothing."""
    values = form.post_input()
    slug = None if ref is None else ref.slug
    if action == "publish":
        await publish_post(ctx, form.actor, values, account_id=account.id, slug=slug)
        return redirect_with_notice(request, POSTS_PAGE, f"Published “{form.title.strip()}”.")
    if action == "draft":
        saved = await save_draft(ctx, form.actor, values, account_id=account.id, slug=slug)
        target = PostRef(form.actor, saved.slug).edit_url
        return redirect_with_notice(request, target, "Draft saved. Nothing has been sent.")
    if action == "schedule":
        publish_at = form.publish_at_utc()
        if publish_at <= ctx.clock():
            raise InvalidInput("publish_at", "is in the past: choose a later time, or Publish now")
        await publish_post(
            ctx, form.actor, values, account_id=account.id, slug=slug, publish_at=publish_at
        )
        when = form_for_local_time(publish_at, form.zone()).replace("T", " at ")
        notice = f"Scheduled “{form.title.strip()}” for {when} ({form.time_zone})."
        return redirect_with_notice(request, POSTS_PAGE, notice)
    if action in ("preview", "upload") or ref is None:  # "save" exists only for a post
        preview = None
        if action != "upload":
            preview = await compose_preview(
                ctx, form.actor, values, account_id=account.id, slug=slug
            )
        return await render_compose(
            request, account, form, images, ref=ref, state=state, preview=preview
        )
    # What is left is "save", which only an existing post's form offers.
    await edit_post(ctx, form.actor, slug or "", values, account_id=account.id)
    notice = "Changes saved."
    if state == "published":
        notice = "Changes saved and sent to the servers that have the post."
    return redirect_with_notice(request, POSTS_PAGE, notice)
