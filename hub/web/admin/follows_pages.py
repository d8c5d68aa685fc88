"""Following and followers of our actors: follow from the web, unfollow, requests, removal."""

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from hub.models import Account
from hub.services.actors import get_local_actor
from hub.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from hub.services.followers import (
    FOLLOWER_DECISIONS,
    decide_follower,
    follow_page,
    set_manual_approval,
)
from hub.services.following import follow_as, unfollow_as
from hub.services.reader import parse_cursor
from hub.web.admin.acting import actor_choice
from hub.web.admin.rendering import redirect_with_notice, render_staff, staff_form
from hub.web.app_state import hub_context
from hub.web.auth import staff_account
from hub.web.csrf import csrf_problem
from hub.web.forms import read_form, text_field

FOLLOWING_PAGE = "/admin/following"
FOLLOWERS_PAGE = "/admin/followers"
DECISION_NOTICES = {
    "approve": "now follows",
    "reject": "was refused and does not follow",
    "remove": "was removed and no longer follows",
}


def _with_actor(path: str, actor: str) -> str:
    return f"{path}?{urlencode({'actor': actor})}" if actor else path


async def _following(
    request: Request,
    account: Account,
    wanted: str,
    *,
    typed: str = "",
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    ctx = hub_context(request)
    names, actor = await actor_choice(ctx, account, wanted)
    before = parse_cursor(request.query_params.get("before"))
    page = await follow_page(ctx, actor, "following", before=before) if actor else None
    context: dict[str, Any] = {
        "actor_names": names,
        "actor": actor,
        "page": page,
        "typed": typed,
        "errors": errors or {},
        "older_url": None
        if page is None or page.next_cursor is None
        else f"{_with_actor(FOLLOWING_PAGE, actor)}&before={page.next_cursor}",
    }
    return render_staff(
        request, "admin/following.html", context, account=account, status_code=status_code
    )


async def following_page(request: Request) -> Response:
    """List whom an actor follows, with the form to follow someone."""
    account = await staff_account(request)
    # `?handle=` fills the form in: the staff search's Follow buttons link here with it.
    typed = request.query_params.get("handle", "")[:2048]
    return await _following(request, account, request.query_params.get("actor", ""), typed=typed)


async def follow(request: Request) -> Response:
    """Follow `@user@host` or an actor's address; what was typed stays on any error."""
    account = await staff_account(request)
    form = await read_form(request)
    actor = text_field(form, "actor", max_length=64)
    typed = text_field(form, "handle", max_length=2048)
    problem = csrf_problem(request, form)
    if problem is not None:
        return await _following(
            request, account, actor, typed=typed, errors={"form": problem}, status_code=403
        )
    try:
        view = await follow_as(hub_context(request), actor, typed, account_id=account.id)
    except InvalidInput as error:
        return await _following(
            request, account, actor, typed=typed, errors={"handle": error.message}, status_code=400
        )
    except Conflict as error:
        return await _following(
            request, account, actor, typed=typed, errors={"handle": str(error)}, status_code=409
        )
    except (NotFound, PermissionDenied) as error:
        return await _following(
            request, account, actor, typed=typed, errors={"form": str(error)}, status_code=403
        )
    if view.state == "accepted":
        notice = f"@{actor} follows @{view.handle}."
    else:
        notice = f"Follow request sent to @{view.handle}; it shows as following once they accept."
    return redirect_with_notice(request, _with_actor(FOLLOWING_PAGE, actor), notice)


async def unfollow(request: Request) -> Response:
    """Stop following an actor (sends Undo{Follow})."""
    account, form = await staff_form(request)
    actor = text_field(form, "actor", max_length=64)
    target = text_field(form, "target", max_length=2048)
    view = await unfollow_as(hub_context(request), actor, target, account_id=account.id)
    notice = f"@{actor} no longer follows @{view.handle}."
    return redirect_with_notice(request, _with_actor(FOLLOWING_PAGE, actor), notice)


async def followers_page(request: Request) -> Response:
    """List an actor's follow requests and followers, with the approval setting."""
    account = await staff_account(request)
    ctx = hub_context(request)
    names, actor = await actor_choice(ctx, account, request.query_params.get("actor", ""))
    before = parse_cursor(request.query_params.get("before"))
    context: dict[str, Any] = {"actor_names": names, "actor": actor, "older_url": None}
    if actor:
        requests = await follow_page(ctx, actor, "followers", state="pending")
        followers = await follow_page(ctx, actor, "followers", state="accepted", before=before)
        local = await get_local_actor(ctx, actor)
        context |= {
            "requests": requests,
            "followers": followers,
            "manual": local.manually_approves_followers,
        }
        if followers.next_cursor is not None:
            context["older_url"] = (
                f"{_with_actor(FOLLOWERS_PAGE, actor)}&before={followers.next_cursor}"
            )
    return render_staff(request, "admin/followers.html", context, account=account)


async def decide(request: Request) -> Response:
    """Approve or reject a follow request, or remove a follower (sends Accept or Reject)."""
    account, form = await staff_form(request)
    actor = text_field(form, "actor", max_length=64)
    decision = text_field(form, "action", max_length=16)
    if decision not in FOLLOWER_DECISIONS:
        raise InvalidInput("action", "must be approve, reject or remove")
    follower = await decide_follower(
        hub_context(request),
        actor,
        text_field(form, "follower", max_length=2048),
        decision,
        account_id=account.id,
    )
    notice = f"@{follower.handle} {DECISION_NOTICES[decision]} @{actor}."
    return redirect_with_notice(request, _with_actor(FOLLOWERS_PAGE, actor), notice)


async def approval(request: Request) -> Response:
    """Turn approval of new followers on or off (sends an Update of the actor)."""
    account, form = await staff_form(request)
    actor = text_field(form, "actor", max_length=64)
    manual = text_field(form, "manual", max_length=8) == "yes"
    approved = await set_manual_approval(
        hub_context(request), actor, manual=manual, account_id=account.id
    )
    if manual:
        notice = f"New followers of @{actor} now wait for your approval."
    else:
        notice = f"Anyone may now follow @{actor} at once."
        if approved:
            notice += f" {approved} waiting request(s) were approved."
    return redirect_with_notice(request, _with_actor(FOLLOWERS_PAGE, actor), notice)
