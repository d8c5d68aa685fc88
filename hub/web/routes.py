"""The whole route table in one place."""

from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from hub.web import activitypub_endpoints, inbox_endpoints, media_endpoints, pages, wellknown
from hub.web.templating import STATIC_DIR


def build_routes() -> list[Route | Mount]:
    """Return every route of the app."""
    return [
        Route("/", pages.home, methods=["GET"], name="home"),
        Route("/.well-known/webfinger", wellknown.webfinger, methods=["GET"]),
        Route("/.well-known/host-meta", wellknown.host_meta, methods=["GET"]),
        Route("/.well-known/nodeinfo", wellknown.nodeinfo_discovery, methods=["GET"]),
        Route("/nodeinfo/{version}", wellknown.nodeinfo_document, methods=["GET"]),
        Route("/actor", activitypub_endpoints.instance_actor, methods=["GET"]),
        Route("/inbox", inbox_endpoints.shared_inbox, methods=["POST"]),
        Route("/actor/inbox", inbox_endpoints.instance_inbox, methods=["POST"]),
        Route("/users/{username}/inbox", inbox_endpoints.actor_inbox, methods=["POST"]),
        Route("/users/{username}/posts/{slug}", activitypub_endpoints.post, methods=["GET"]),
        Route(
            "/users/{username}/posts/{slug}/{collection}",
            activitypub_endpoints.post_reactions,
            methods=["GET"],
        ),
        Route("/@{username}/{slug}", activitypub_endpoints.post, methods=["GET"]),
        Route("/@{username}", activitypub_endpoints.actor, methods=["GET"], name="profile"),
        Route("/users/{username}", activitypub_endpoints.actor, methods=["GET"]),
        Route("/users/{username}/{collection}", activitypub_endpoints.collection, methods=["GET"]),
        Route("/media/{file_name}", media_endpoints.media, methods=["GET", "HEAD"]),
        Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"),
    ]
