"""The staff page of replies held for approval, and approving or rejecting one."""

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from hub.services.errors import InvalidInput, NotFound
from hub.services.reply_moderation import decide_reply, held_replies
from hub.web.admin.rendering import redirect_with_notice, render_staff
from hub.web.app_state import hub_context
from hub.web.auth import staff_account
from hub.web.csrf import csrf_problem
from hub.web.forms import read_form, text_field

REPLIES_PAGE = "/admin/replies"
NOTICES = {
    "approve": "Approved: the reply now shows under the post.",
    "reject": "Rejected: the reply will not be shown.",
}


async def _page(
    request: Request, errors: dict[str, str] | None = None, status_code: int = 200
) -> Response:
    account = await staff_account(request)
    held = await held_replies(hub_context(request), account.id)
    return render_staff(
        request,
        "admin/replies.html",
        {"held": held, "errors": errors or {}},
        account=account,
        status_code=status_code,
    )


async def replies_page(request: Request) -> Response:
    """List the replies waiting for approval that this account may decide on."""
    return await _page(request)


async def decide(request: Request) -> Response:
    """Approve or reject one held reply."""
    account = await staff_account(request)
    raw_id = request.path_params["reply_id"]
    if not raw_id.isdigit() or len(raw_id) > 18:
        raise HTTPException(404, "no such reply")
    form = await read_form(request)
    problem = csrf_problem(request, form)
    if problem is not None:
        return await _page(request, {"form": problem}, status_code=403)
    decision = text_field(form, "decision", max_length=16)
    try:
        await decide_reply(hub_context(request), int(raw_id), decision, account_id=account.id)
    except (InvalidInput, NotFound) as error:
        return await _page(request, {"form": str(error)}, status_code=400)
    return redirect_with_notice(request, REPLIES_PAGE, NOTICES[decision])
