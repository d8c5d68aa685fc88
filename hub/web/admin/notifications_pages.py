"""Staff notifications: the list, newest first, and marking what was seen as read."""

from starlette.requests import Request
from starlette.responses import Response

from hub.services.notifications import mark_read, notification_page
from hub.services.reader import parse_cursor
from hub.web.admin.rendering import redirect_with_notice, render_staff, staff_form
from hub.web.app_state import hub_context
from hub.web.auth import staff_account
from hub.web.forms import text_field

NOTIFICATIONS_PAGE = "/admin/notifications"
MAX_ID = 2**62


async def notifications(request: Request) -> Response:
    """List the notifications of the actors the account may publish as; unread ones marked."""
    account = await staff_account(request)
    page = await notification_page(
        hub_context(request), account.id, before=parse_cursor(request.query_params.get("before"))
    )
    older_url = None
    if page.next_cursor is not None:
        older_url = f"{NOTIFICATIONS_PAGE}?before={page.next_cursor}"
    context = {"page": page, "older_url": older_url}
    return render_staff(request, "admin/notifications.html", context, account=account)


async def mark_all_read(request: Request) -> Response:
    """Mark every notification up to the newest one shown as read."""
    account, form = await staff_form(request)
    raw = text_field(form, "up_to", max_length=20)
    if raw.isdigit() and int(raw) <= MAX_ID:
        await mark_read(hub_context(request), account.id, up_to=int(raw))
    return redirect_with_notice(request, NOTIFICATIONS_PAGE, "Marked as read.")
