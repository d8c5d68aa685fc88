"""Discovery endpoints: WebFinger, host-meta and NodeInfo (spec §1)."""

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from hub import __version__
from hub.activitypub import nodeinfo
from hub.activitypub.webfinger import (
    JRD_JSON,
    AcctResource,
    InvalidResource,
    build_host_meta_json,
    build_host_meta_xrd,
    build_jrd,
    parse_resource,
)
from hub.services.actors import find_local_actor, find_local_actor_by_url
from hub.services.stats import usage_counts
from hub.web.app_state import hub_context
from hub.web.page_cache import rendered_for_visitors
from hub.web.responses import json_document

FOUND_MAX_AGE = 3 * 24 * 3600  # Mastodon caches its own WebFinger hits for 3 days
MISS_MAX_AGE = 180


def _webfinger_error(status_code: int, reason: str) -> Response:
    return JSONResponse(
        {"error": reason},
        status_code=status_code,
        headers={
            "Access-Control-Allow-Origin": "*",
            "Cache-Control": f"public, max-age={MISS_MAX_AGE}",
        },
    )


async def webfinger(request: Request) -> Response:
    """Resolve `acct:user@host`, `user@host` or an actor URL to a JRD (spec §1.2)."""
    # Every server that sees a handle for the first time asks; the answer rarely changes.
    return await rendered_for_visitors(
        request, ("webfinger", str(request.url)), lambda: _resolve(request)
    )


async def _resolve(request: Request) -> Response:
    ctx = hub_context(request)
    resource = request.query_params.get("resource")
    if resource is None:
        return _webfinger_error(400, "the resource parameter is required")
    try:
        parsed = parse_resource(resource)
    except InvalidResource as error:
        return _webfinger_error(400, str(error))
    if isinstance(parsed, AcctResource):
        if parsed.host != ctx.settings.host.lower():
            return _webfinger_error(404, "that account is not on this server")
        actor = await find_local_actor(ctx, parsed.username)
    else:
        actor = await find_local_actor_by_url(ctx, parsed.url)
    if actor is None:
        return _webfinger_error(404, "no such account")
    if actor.deleted_at is not None:
        return _webfinger_error(410, "that account was deleted")
    document = build_jrd(
        username=actor.username,
        host=ctx.settings.host,
        actor_id=actor.ap_id,
        profile_url=actor.html_url or actor.ap_id,
    )
    return json_document(document, media_type=JRD_JSON, max_age=FOUND_MAX_AGE)


async def host_meta(request: Request) -> Response:
    """Serve host-meta as XRD, or as JSON when JSON is asked for (as Mastodon does)."""
    base_url = hub_context(request).settings.base_url
    accept = request.headers.get("accept", "")
    headers = {
        "Access-Control-Allow-Origin": "*",
        "Cache-Control": f"public, max-age={FOUND_MAX_AGE}",
    }
    if "json" in accept and "xml" not in accept:
        return JSONResponse(build_host_meta_json(base_url), headers=headers)
    return Response(
        build_host_meta_xrd(base_url), media_type="application/xrd+xml", headers=headers
    )


async def nodeinfo_discovery(request: Request) -> Response:
    """Serve `/.well-known/nodeinfo`, linking both schema versions."""
    document = nodeinfo.build_discovery(hub_context(request).settings.base_url)
    return json_document(document, media_type="application/json", max_age=FOUND_MAX_AGE)


async def nodeinfo_document(request: Request) -> Response:
    """Serve NodeInfo 2.0 or 2.1 with the profile Content-Type of its version."""
    version = request.path_params["version"]
    if version not in nodeinfo.SUPPORTED_VERSIONS:
        return JSONResponse({"error": "unsupported NodeInfo version"}, status_code=404)
    ctx = hub_context(request)
    usage = await usage_counts(ctx)
    document = nodeinfo.build_nodeinfo(
        version,
        software_version=__version__,
        usage=usage,
        node_name=ctx.settings.instance_name,
        open_registrations=False,
    )
    return json_document(document, media_type=nodeinfo.content_type(version), max_age=1800)
