"""Response helpers: ActivityPub JSON, JRD and short error bodies, with the right headers."""

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from hub.activitypub.jsonld import ACTIVITY_JSON
from hub.web.negotiation import negotiate
from hub.web.templating import render


class ActivityJSONResponse(JSONResponse):
    """AS2 JSON served as `application/activity+json`, which every Mastodon accepts."""

    media_type = ACTIVITY_JSON

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def activity_json(document: dict[str, Any], *, max_age: int = 60) -> ActivityJSONResponse:
    """Return an AS2 document with `Vary: Accept` so caches never mix it with the HTML page."""
    return ActivityJSONResponse(
        document,
        headers={"Vary": "Accept", "Cache-Control": f"public, max-age={max_age}"},
    )


def json_document(
    document: dict[str, Any], *, media_type: str, max_age: int, cors: bool = True
) -> Response:
    """Return a JSON document of the given media type with a cache lifetime."""
    headers = {"Cache-Control": f"public, max-age={max_age}"}
    if cors:
        headers["Access-Control-Allow-Origin"] = "*"
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(body, media_type=media_type, headers=headers)


def error_response(
    request: Request, status_code: int, reason: str, headers: dict[str, str] | None = None
) -> Response:
    """Return a short error: JSON `{"error": reason}` for machines, a small page for people."""
    if negotiate(request.headers.get("accept")) == "html" and request.method != "POST":
        return render(
            request,
            "error.html",
            {"status_code": status_code, "reason": reason},
            status_code=status_code,
            headers=headers,
        )
    return JSONResponse({"error": reason}, status_code=status_code, headers=headers)
