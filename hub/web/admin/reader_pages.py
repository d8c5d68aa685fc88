"""The reader ("From the field"): the timeline, likes and boosts, and replies from the Hub."""

from typing import Any
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from hub.models import Account, Actor
from hub.services.actors import get_local_actor
from hub.services.errors import InvalidInput, NotFound, PermissionDenied
from hub.services.interactions import REACTIONS, react
from hub.services.post_building import VISIBILITIES, PostInput
from hub.services.publishing import publish_post
from hub.services.reader import (
    ReaderItem,
    find_source_actor,
    normalise_reader_tag,
    parse_cursor,
    reader_item,
    reader_page,
)
from hub.web.admin.acting import actor_choice
from hub.web.admin.rendering import STAFF_HEADERS, redirect_with_notice, render_staff
from hub.web.app_state import hub_context
from hub.web.auth import local_path, staff_account
from hub.web.csrf import csrf_problem
from hub.web.forms import read_form, text_field
from hub.web.responses import error_response

READER_PAGE = "/admin/reader"
MAX_ENTRY_ID = 2**62
REACTION_NOTICES = {
    "like": "Liked",
    "unlike": "Like taken back:",
    "boost": "Boosted",
    "unboost": "Boost taken back:",
}
REPLY_LABELS = {"actor": "Reply as", "body": "Your reply", "visibility": "Who can see it"}
VISIBILITY_LABELS = {
    "public": "Public",
    "unlisted": "Unlisted (not in public timelines)",
    "followers": "Followers only",
}


def _entry_id(request: Request) -> int:
    raw = request.path_params["entry_id"]
    if not raw.isdigit() or int(raw) > MAX_ENTRY_ID:
        raise HTTPException(404, "no such post in the reader")
    return int(raw)


async def _acting_actor(
    request: Request, account: Account, wanted: str
) -> tuple[list[str], Actor | None]:
    ctx = hub_context(request)
    names, chosen = await actor_choice(ctx, account, wanted)
    return names, (await get_local_actor(ctx, chosen) if chosen else None)


async def reader(request: Request) -> Response:
    """Show the timeline, newest first, filtered by tag or by actor, as one of our actors."""
    account = await staff_account(request)
    ctx = hub_context(request)
    query = request.query_params
    names, acting = await _acting_actor(request, account, query.get("as", ""))
    tag = normalise_reader_tag(query.get("tag"))
    source_handle = query.get("actor", "").strip().lstrip("@")[:512]
    source = await find_source_actor(ctx, source_handle) if source_handle else None
    page = await reader_page(
        ctx, before=parse_cursor(query.get("before")), tag=tag, source=source, reading_as=acting
    )
    filters = {
        key: value
        for key, value in (
            ("as", acting.username if acting else ""),
            ("tag", tag or ""),
            ("actor", source_handle if source else ""),
        )
        if value
    }
    older_url = None
    if page.next_cursor is not None:
        older_url = f"{READER_PAGE}?{urlencode({**filters, 'before': page.next_cursor})}"
    context: dict[str, Any] = {
        "items": page.items,
        "acting_names": names,
        "acting_as": acting.username if acting else "",
        "tag": tag or "",
        "source": source_handle if source else "",
        "older_url": older_url,
        "back": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        "unfiltered_url": f"{READER_PAGE}?{urlencode({'as': filters['as']})}"
        if "as" in filters
        else READER_PAGE,
    }
    return render_staff(request, "admin/reader.html", context, account=account)


async def react_to_entry(request: Request) -> Response:
    """Like, unlike, boost or unboost a reader item as the chosen actor."""
    account = await staff_account(request)
    entry_id = _entry_id(request)
    form = await read_form(request)
    back = local_path(text_field(form, "back", max_length=2048), READER_PAGE)
    problem = csrf_problem(request, form)
    if problem is not None:
        return error_response(request, 403, problem, STAFF_HEADERS)
    action = text_field(form, "action", max_length=16)
    if action not in REACTIONS:
        raise HTTPException(400, "action must be like, unlike, boost or unboost")
    ctx = hub_context(request)
    _, acting = await _acting_actor(request, account, text_field(form, "actor", max_length=64))
    if acting is None:
        raise PermissionDenied("this account may not act as any actor")
    item = await reader_item(ctx, entry_id, reading_as=acting)
    await react(ctx, acting.username, item.post_ap_id, action, account_id=account.id)
    notice = f"{REACTION_NOTICES[action]} “{_label(item)}” as @{acting.username}."
    return redirect_with_notice(request, f"{back}#{item.anchor}", notice)


def _label(item: ReaderItem) -> str:
    return item.title or f"the post by {item.author.display_name}"


async def _reply_form(
    request: Request,
    account: Account,
    item: ReaderItem,
    values: dict[str, str],
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    names, chosen = await actor_choice(hub_context(request), account, values.get("actor", ""))
    context = {
        "item": item,
        "values": {**values, "actor": chosen},
        "actor_names": names,
        "visibility_choices": [(name, VISIBILITY_LABELS[name]) for name in VISIBILITIES],
        "errors": errors or {},
        "labels": REPLY_LABELS,
    }
    return render_staff(
        request, "admin/reply.html", context, account=account, status_code=status_code
    )


async def reply_page(request: Request) -> Response:
    """Show the reply form under the post it answers, the author's handle already written."""
    account = await staff_account(request)
    ctx = hub_context(request)
    _, acting = await _acting_actor(request, account, request.query_params.get("as", ""))
    item = await reader_item(ctx, _entry_id(request), reading_as=acting)
    values = {
        "actor": acting.username if acting else "",
        "body": f"@{item.author.handle} ",
        "visibility": item.visibility if item.visibility in VISIBILITIES else "followers",
        "content_warning": "",
    }
    return await _reply_form(request, account, item, values)


async def reply(request: Request) -> Response:
    """Publish a reply: a Note answering the post, sent to its author and to our followers."""
    account = await staff_account(request)
    ctx = hub_context(request)
    entry_id = _entry_id(request)
    form = await read_form(request)
    values = {
        "actor": text_field(form, "actor", max_length=64),
        "body": text_field(form, "body"),
        "visibility": text_field(form, "visibility", max_length=16),
        "content_warning": text_field(form, "content_warning", max_length=1000),
    }
    item = await reader_item(ctx, entry_id, reading_as=None)
    problem = csrf_problem(request, form)
    if problem is not None:
        return await _reply_form(
            request, account, item, values, errors={"form": problem}, status_code=403
        )
    post_input = PostInput(
        title="",
        body_markdown=values["body"],
        visibility=values["visibility"],
        content_warning=values["content_warning"],
        in_reply_to=item.post_ap_id,
    )
    try:
        await publish_post(ctx, values["actor"], post_input, account_id=account.id)
    except InvalidInput as error:
        field = error.field if error.field in REPLY_LABELS else "form"
        return await _reply_form(
            request, account, item, values, errors={field: error.message}, status_code=400
        )
    except (PermissionDenied, NotFound) as error:
        return await _reply_form(
            request, account, item, values, errors={"actor": str(error)}, status_code=403
        )
    notice = f"Reply sent to @{item.author.handle} as @{values['actor']}."
    target = f"{READER_PAGE}?{urlencode({'as': values['actor']})}#{item.anchor}"
    return redirect_with_notice(request, target, notice)
