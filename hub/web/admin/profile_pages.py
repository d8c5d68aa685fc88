"""The staff profile page: an actor's name, bio, links, avatar and how its posts federate."""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import Response

from hub.models import Account
from hub.services.actors import set_note_mode
from hub.services.errors import InvalidInput, NotFound, PermissionDenied
from hub.services.profiles import (
    MAX_LINKS,
    ProfileInput,
    ProfileView,
    profile_of,
    remove_avatar,
    set_avatar,
    update_profile,
)
from hub.web.admin.acting import actor_choice
from hub.web.admin.rendering import as_sentence, redirect_with_notice, render_staff
from hub.web.app_state import hub_context
from hub.web.auth import staff_account
from hub.web.csrf import csrf_problem
from hub.web.forms import read_form, text_field

PROFILE_PAGE = "/admin/profile"
POST_KINDS = (
    ("article", "Articles: title, summary and a link to the whole post"),
    ("note", "Notes: the whole text in the timeline"),
)
FIELD_LABELS = {
    "display_name": "Display name",
    "bio": "Bio",
    "links": "Links",
    "avatar": "Avatar",
    "post_kind": "Posts appear on Mastodon as",
    **{f"link_label_{n}": f"Link {n} label" for n in range(1, MAX_LINKS + 1)},
    **{f"link_value_{n}": f"Link {n} value" for n in range(1, MAX_LINKS + 1)},
}


@dataclass(frozen=True)
class ProfileForm:
    """The profile form's values, as stored or as typed."""

    display_name: str
    bio: str
    links: tuple[tuple[str, str], ...]  # always MAX_LINKS rows, empty ones included
    post_kind: str


def _padded(links: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple(links[:MAX_LINKS] + [("", "")] * (MAX_LINKS - len(links)))


def _stored_form(profile: ProfileView) -> ProfileForm:
    return ProfileForm(
        display_name=profile.display_name,
        bio=profile.bio_markdown,
        links=_padded([(link.label, link.value) for link in profile.links]),
        post_kind="note" if profile.publishes_as_note else "article",
    )


def _typed_form(form: FormData) -> ProfileForm:
    return ProfileForm(
        display_name=text_field(form, "display_name", max_length=1000),
        bio=text_field(form, "bio", max_length=20_000),
        links=_padded(
            [
                (
                    text_field(form, f"link_label_{n}", max_length=1000),
                    text_field(form, f"link_value_{n}", max_length=4096),
                )
                for n in range(1, MAX_LINKS + 1)
            ]
        ),
        post_kind=text_field(form, "post_kind", max_length=16),
    )


def _profile_path(actor: str) -> str:
    return f"{PROFILE_PAGE}?{urlencode({'as': actor})}" if actor else PROFILE_PAGE


async def _render(
    request: Request,
    account: Account,
    wanted: str,
    *,
    typed: ProfileForm | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    ctx = hub_context(request)
    names, actor = await actor_choice(ctx, account, wanted)
    profile = await profile_of(ctx, actor, account_id=account.id) if actor else None
    form = typed if typed is not None or profile is None else _stored_form(profile)
    context: dict[str, Any] = {
        "actor_names": names,
        "actor": actor,
        "profile": profile,
        "form": form,
        "errors": errors or {},
        "field_labels": FIELD_LABELS,
        "post_kinds": POST_KINDS,
        "link_rows": range(1, MAX_LINKS + 1),
    }
    return render_staff(
        request, "admin/profile.html", context, account=account, status_code=status_code
    )


async def profile_page(request: Request) -> Response:
    """Show the profile form of the actor chosen with `?as=` (else the first one)."""
    account = await staff_account(request)
    return await _render(request, account, request.query_params.get("as", "")[:64])


async def save_profile(request: Request) -> Response:
    """Save name, bio, links and post kind; every typed value stays on any error."""
    account = await staff_account(request)
    form = await read_form(request)
    actor = text_field(form, "as", max_length=64)
    typed = _typed_form(form)
    problem = csrf_problem(request, form)
    if problem is not None:
        return await _render(
            request, account, actor, typed=typed, errors={"form": problem}, status_code=403
        )
    if typed.post_kind not in dict(POST_KINDS):
        return await _render(
            request, account, actor, typed=typed,
            errors={"post_kind": "Choose Articles or Notes."}, status_code=400,
        )  # fmt: skip
    ctx = hub_context(request)
    values = ProfileInput(typed.display_name, typed.bio, typed.links)
    try:
        current = await profile_of(ctx, actor, account_id=account.id)
        changed = await update_profile(ctx, actor, values, account_id=account.id)
        as_note = typed.post_kind == "note"
        if as_note != current.publishes_as_note:
            await set_note_mode(ctx, actor, as_note=as_note, account_id=account.id)
            changed = True
    except InvalidInput as error:
        field = error.field if error.field in FIELD_LABELS else "form"
        return await _render(
            request, account, actor, typed=typed,
            errors={field: as_sentence(error.message)}, status_code=400,
        )  # fmt: skip
    except (NotFound, PermissionDenied) as error:
        return await _render(
            request, account, actor, typed=typed, errors={"form": str(error)}, status_code=403
        )
    notice = (
        f"Profile of @{actor} saved; its followers' servers are sent the change."
        if changed
        else "Nothing had changed, so nothing was sent."
    )
    return redirect_with_notice(request, _profile_path(actor), notice)


async def change_avatar(request: Request) -> Response:
    """Upload a new avatar (`action=upload`) or remove it (`action=remove`)."""
    account = await staff_account(request)
    form = await read_form(request)
    actor = text_field(form, "as", max_length=64)
    problem = csrf_problem(request, form)
    if problem is not None:
        return await _render(request, account, actor, errors={"form": problem}, status_code=403)
    ctx = hub_context(request)
    try:
        if text_field(form, "action", max_length=16) == "remove":
            removed = await remove_avatar(ctx, actor, account_id=account.id)
            notice = "Avatar removed." if removed else "There was no avatar to remove."
        else:
            upload = form.get("avatar")
            if not isinstance(upload, UploadFile) or not upload.filename:
                raise InvalidInput("avatar", "choose an image file to upload")
            data = await upload.read(ctx.settings.max_upload_bytes + 1)
            await set_avatar(
                ctx, actor, data, upload.filename, upload.content_type, account_id=account.id
            )
            notice = "Avatar saved; its followers' servers are sent the change."
    except InvalidInput as error:
        return await _render(
            request, account, actor, errors={"avatar": as_sentence(error.message)}, status_code=400
        )
    except (NotFound, PermissionDenied) as error:
        return await _render(request, account, actor, errors={"form": str(error)}, status_code=403)
    return redirect_with_notice(request, _profile_path(actor), notice)
