"""The admin page for accounts: invite someone, and grant or revoke the right to publish."""

from typing import Any

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from hub.models import Account
from hub.services.accounts import (
    grant_publishing,
    invite_account,
    list_accounts,
    publishable_actors,
    revoke_publishing,
)
from hub.services.errors import Conflict, InvalidInput, NotFound
from hub.web.admin.rendering import redirect_with_notice, render_staff
from hub.web.app_state import hub_context
from hub.web.auth import staff_account
from hub.web.csrf import csrf_problem
from hub.web.forms import read_form, text_field, text_fields

ACCOUNTS_PAGE = "/admin/accounts"


async def _page(
    request: Request,
    account: Account,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    created: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    ctx = hub_context(request)
    accounts = await list_accounts(ctx, by_account_id=account.id)
    actors = await publishable_actors(ctx, account.id)
    context = {
        "accounts": accounts,
        "actor_names": [actor.username or "" for actor in actors],
        "values": values or {"email": "", "is_admin": False, "actors": []},
        "errors": errors or {},
        "created": created,
    }
    return render_staff(
        request, "admin/accounts.html", context, account=account, status_code=status_code
    )


async def accounts_page(request: Request) -> Response:
    """List accounts and their grants, with the form to invite a new one (admins only)."""
    account = await staff_account(request)
    return await _page(request, account)


def _invite_values(form: FormData) -> dict[str, Any]:
    return {
        "email": text_field(form, "email", max_length=320),
        "is_admin": text_field(form, "is_admin") == "yes",
        "actors": text_fields(form, "actors", max_length=64),
    }


async def create_account(request: Request) -> Response:
    """Invite an account; its one-time password is shown once, on the page this returns."""
    account = await staff_account(request)
    form = await read_form(request)
    values = _invite_values(form)
    problem = csrf_problem(request, form)
    if problem is not None:
        return await _page(
            request, account, values=values, errors={"form": problem}, status_code=403
        )
    try:
        invited = await invite_account(
            hub_context(request),
            values["email"],
            is_admin=values["is_admin"],
            actor_names=tuple(values["actors"]),
            by_account_id=account.id,
        )
    except InvalidInput as error:
        return await _page(
            request, account, values=values, errors={error.field: error.message}, status_code=400
        )
    except Conflict as error:
        return await _page(
            request, account, values=values, errors={"email": str(error)}, status_code=409
        )
    created = {"email": invited.account.email, "password": invited.one_time_password}
    return await _page(request, account, created=created, status_code=201)


async def change_grant(request: Request) -> Response:
    """Grant or revoke one account's right to publish as one actor."""
    account = await staff_account(request)
    raw_id = request.path_params["account_id"]
    if not raw_id.isdigit() or len(raw_id) > 18:
        raise HTTPException(404, "no such account")
    form = await read_form(request)
    problem = csrf_problem(request, form)
    if problem is not None:
        return await _page(request, account, errors={"form": problem}, status_code=403)
    actor_name = text_field(form, "actor", max_length=64)
    action = text_field(form, "action", max_length=16)
    ctx = hub_context(request)
    try:
        if action == "grant":
            await grant_publishing(ctx, int(raw_id), actor_name, by_account_id=account.id)
        elif action == "revoke":
            await revoke_publishing(ctx, int(raw_id), actor_name, by_account_id=account.id)
        else:
            raise InvalidInput("action", "must be grant or revoke")
    except (InvalidInput, NotFound) as error:
        return await _page(request, account, errors={"form": str(error)}, status_code=400)
    verb = "may now publish" if action == "grant" else "may no longer publish"
    return redirect_with_notice(request, ACCOUNTS_PAGE, f"That account {verb} as @{actor_name}.")
