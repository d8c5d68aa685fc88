"""The public "follow this organisation" page: send visitors to their own server to confirm."""

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from hub.services.actors import summarise
from hub.services.errors import InvalidInput
from hub.services.remote_follow import authorize_interaction_url, server_host
from hub.web.caching import LIST_MAX_AGE, cacheable
from hub.web.paths import actor_from_path
from hub.web.templating import render

MAX_TYPED_LENGTH = 500


async def follow_page(request: Request) -> Response:
    """Ask for the visitor's server, then redirect to its remote-interaction page."""
    actor = await actor_from_path(request)
    typed = request.query_params.get("server")
    context = {"actor": summarise(actor), "typed": "", "error": ""}
    if typed is not None:
        typed = typed[:MAX_TYPED_LENGTH]
        try:
            host = server_host(typed)
        except InvalidInput as error:
            context |= {"typed": typed, "error": error.message}
            return render(
                request,
                "follow.html",
                context,
                status_code=400,
                headers={"Cache-Control": "no-store"},
            )
        return RedirectResponse(
            authorize_interaction_url(host, actor.ap_id),
            status_code=303,
            headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
        )
    response = render(request, "follow.html", context, headers={"Vary": "Cookie"})
    return cacheable(request, response, max_age=LIST_MAX_AGE)
