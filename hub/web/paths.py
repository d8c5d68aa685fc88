"""Turn path parameters into the things they name, with the status a bad one deserves."""

from starlette.exceptions import HTTPException
from starlette.requests import Request

from hub.models import Actor
from hub.services.actors import find_local_actor
from hub.services.timeline import Cursor, parse_cursor
from hub.web.app_state import hub_context
from hub.web.caching import GONE_MAX_AGE

GONE_HEADERS = {"Cache-Control": f"public, max-age={GONE_MAX_AGE}"}


async def actor_from_path(request: Request) -> Actor:
    """Return the local publishing actor `{username}` names; 404 if none, 410 once deleted."""
    actor = await find_local_actor(hub_context(request), request.path_params["username"])
    if actor is None or actor.is_instance_actor:
        raise HTTPException(404, "no such actor")
    if actor.deleted_at is not None:
        raise HTTPException(410, "this actor was deleted", headers=GONE_HEADERS)
    return actor


def page_cursor(request: Request) -> Cursor | None:
    """Return the keyset cursor of `?before=`, or None on a first page.

    Raises:
        InvalidInput: a malformed cursor (the error table answers 400).
    """
    return parse_cursor(request.query_params.get("before"))
