"""The staff list of posts (drafts, scheduled, published), and deleting a post."""

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from hub.services.publishing import delete_post
from hub.services.staff_posts import list_staff_posts, open_post_for_editing
from hub.web.admin.rendering import STAFF_HEADERS, redirect_with_notice, render_staff
from hub.web.app_state import hub_context
from hub.web.auth import staff_account
from hub.web.csrf import csrf_problem
from hub.web.forms import read_form

POSTS_PAGE = "/admin/posts"


async def admin_home(_request: Request) -> Response:
    """Send `/admin` to the list of posts."""
    return RedirectResponse(POSTS_PAGE, status_code=303, headers=STAFF_HEADERS)


async def posts_page(request: Request) -> Response:
    """List the posts of every actor the account may publish as, by state."""
    account = await staff_account(request)
    rows = await list_staff_posts(hub_context(request), account.id)
    groups = [
        ("drafts", "Drafts", [row for row in rows if row.state == "draft"]),
        ("scheduled", "Scheduled", [row for row in rows if row.state == "scheduled"]),
        ("published", "Published", [row for row in rows if row.state == "published"]),
    ]
    return render_staff(request, "admin/posts.html", {"groups": groups}, account=account)


async def delete_page(request: Request) -> Response:
    """Ask to confirm deleting a post, saying what deleting does."""
    account = await staff_account(request)
    editable = await open_post_for_editing(
        hub_context(request),
        request.path_params["actor"],
        request.path_params["slug"],
        account_id=account.id,
    )
    return render_staff(request, "admin/delete.html", {"post": editable}, account=account)


async def delete(request: Request) -> Response:
    """Delete the post (a published one sends Delete; its URL then answers 410)."""
    account = await staff_account(request)
    ctx = hub_context(request)
    actor, slug = request.path_params["actor"], request.path_params["slug"]
    editable = await open_post_for_editing(ctx, actor, slug, account_id=account.id)
    form = await read_form(request)
    problem = csrf_problem(request, form)
    if problem is not None:
        context = {"post": editable, "errors": {"form": problem}}
        return render_staff(request, "admin/delete.html", context, account=account, status_code=403)
    await delete_post(ctx, actor, slug, account_id=account.id)
    return redirect_with_notice(request, POSTS_PAGE, f"Deleted “{editable.values.title}”.")
