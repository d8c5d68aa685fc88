"""POST endpoints of the personal and shared inboxes: read a capped body, hand it to federation."""

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from hub.activitypub.json_limits import MAX_JSON_BYTES
from hub.federation.inbox import Accepted, IncomingRequest, accept_incoming
from hub.services.actors import find_local_actor
from hub.web.app_state import hub_context


async def read_capped_body(request: Request, limit: int) -> bytes | None:
    """Return the body, or None as soon as it grows past `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _headers_as_signed(request: Request) -> dict[str, str]:
    """Return header values exactly as received, repeated headers joined as HTTP allows."""
    headers: dict[str, str] = {}
    for raw_name, raw_value in request.scope["headers"]:
        name = raw_name.decode("latin-1").lower()
        value = raw_value.decode("latin-1")
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return headers


async def _receive(request: Request, recipient: str | None) -> Response:
    body = await read_capped_body(request, MAX_JSON_BYTES)
    if body is None:
        return JSONResponse({"error": f"body is larger than {MAX_JSON_BYTES} bytes"}, 413)
    incoming = IncomingRequest(
        method=request.method,
        # The raw path, as the sender signed it, not the decoded one routing uses.
        path=request.scope.get("raw_path", request.url.path.encode()).decode("latin-1"),
        query=request.scope.get("query_string", b"").decode("latin-1"),
        headers=_headers_as_signed(request),
        body=body,
        recipient=recipient,
    )
    outcome = await accept_incoming(hub_context(request), incoming)
    if isinstance(outcome, Accepted):
        worker = getattr(request.app.state, "worker", None)
        if worker is not None and not outcome.duplicate:
            worker.wake()
        return Response(status_code=202)
    return JSONResponse({"error": outcome.reason}, status_code=outcome.status)


async def shared_inbox(request: Request) -> Response:
    """Receive at `/inbox`, where Mastodon sends one copy per server."""
    return await _receive(request, recipient=None)


async def actor_inbox(request: Request) -> Response:
    """Receive at `/users/{name}/inbox`; 404 for actors we do not have."""
    actor = await find_local_actor(hub_context(request), request.path_params["username"])
    if actor is None or actor.deleted_at is not None:
        return JSONResponse({"error": "no such actor"}, status_code=404)
    return await _receive(request, recipient=actor.username)


async def instance_inbox(request: Request) -> Response:
    """Receive at `/actor/inbox` (Mastodon sends Flags from its instance actor)."""
    return await _receive(request, recipient=None)
