"""Our public activities by id (a boost's Announce), so their ids can be dereferenced."""

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from hub.services.interactions import public_activity
from hub.web.app_state import hub_context
from hub.web.caching import POST_MAX_AGE, cacheable
from hub.web.paths import actor_from_path
from hub.web.responses import activity_json


async def activity(request: Request) -> Response:
    """Serve a public activity of one of our actors as AS2 JSON; 404 once it was undone."""
    token = request.path_params["token"]
    if not token.isalnum() or len(token) > 64:
        raise HTTPException(404, "no such activity")
    local_actor = await actor_from_path(request)
    document = await public_activity(
        hub_context(request), f"{local_actor.ap_id}/activities/{token}"
    )
    if document is None:
        raise HTTPException(404, "no such activity")
    return cacheable(request, activity_json(document), max_age=POST_MAX_AGE)
