"""Public HTML pages: the home page and actor profiles."""

from starlette.requests import Request
from starlette.responses import Response

from hub.models import Actor
from hub.services.actors import (
    list_local_actors,
    primary_actor,
    summarise,
)
from hub.services.collections import collection_total
from hub.web.app_state import hub_context
from hub.web.templating import render

HTML_HEADERS = {"Vary": "Accept"}


async def home(request: Request) -> Response:
    """Show the Hub's organisation, its handle, and the other actors that publish here."""
    ctx = hub_context(request)
    organisation = await primary_actor(ctx)
    actors = await list_local_actors(ctx)
    return render(
        request,
        "home.html",
        {
            "organisation": None if organisation is None else summarise(organisation),
            "actors": actors,
        },
        headers=HTML_HEADERS,
    )


async def render_profile(request: Request, actor: Actor) -> Response:
    """Render an actor's profile page with its handle and how to follow it from Mastodon."""
    ctx = hub_context(request)
    return render(
        request,
        "profile.html",
        {
            "actor": summarise(actor),
            "summary_html": actor.summary_html,
            "followers": await collection_total(ctx, actor, "followers"),
            "following": await collection_total(ctx, actor, "following"),
        },
        headers=HTML_HEADERS,
    )
