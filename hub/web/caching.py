"""HTTP caching for what many servers fetch at once: Cache-Control, ETag, Last-Modified, 304.

A post that federates to a few hundred servers is fetched by most of them (and by their
link-preview crawlers) within seconds. Short public lifetimes let a proxy or CDN answer
those, validators let a revisit cost a 304, and anything a signed-in person sees stays
private.
"""

import hashlib
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime

from starlette.requests import Request
from starlette.responses import Response

# Lifetimes in seconds: short, because posts and profiles can be edited.
POST_MAX_AGE = 180
ACTOR_MAX_AGE = 180
LIST_MAX_AGE = 60
FEED_MAX_AGE = 300
GONE_MAX_AGE = 60
PRIVATE = "private, no-cache"
# Headers a 304 repeats from the response it stands for (RFC 9110 §15.4.5).
NOT_MODIFIED_HEADERS = ("cache-control", "etag", "last-modified", "vary", "expires")


def is_personal(request: Request, response: Response) -> bool:
    """Return whether this response may be specific to the person asking (cookies either way)."""
    return "cookie" in request.headers or "set-cookie" in response.headers


def entity_tag(body: bytes) -> str:
    """Return a strong ETag for a response body."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def http_date(moment: datetime) -> str:
    """Return an HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`)."""
    return format_datetime(moment.replace(microsecond=0), usegmt=True)


def cacheable(
    request: Request,
    response: Response,
    *,
    max_age: int,
    last_modified: datetime | None = None,
) -> Response:
    """Mark a rendered GET response cacheable and answer 304 when the client's copy is current.

    The ETag is a hash of the body, so the JSON and HTML of one URL never share one.
    Responses to requests with cookies (a signed-in person) are never publicly cacheable.
    """
    response.headers["Cache-Control"] = (
        PRIVATE if is_personal(request, response) else f"public, max-age={max_age}"
    )
    response.headers["ETag"] = entity_tag(bytes(response.body))
    if last_modified is not None:
        response.headers["Last-Modified"] = http_date(last_modified)
    return not_modified_or(request, response)


def not_modified_or(request: Request, response: Response) -> Response:
    """Return a 304 when the client's copy of this 200 response is current, else the response.

    The response's own ETag and Last-Modified headers are the validators.
    """
    if response.status_code != 200 or not _client_copy_is_current(request, response):
        return response
    kept = {
        name: value
        for name, value in response.headers.items()
        if name.lower() in NOT_MODIFIED_HEADERS
    }
    return Response(status_code=304, headers=kept)


def _client_copy_is_current(request: Request, response: Response) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        # Weak comparison (RFC 9110 §13.1.2): a W/ prefix from an intermediary still matches.
        candidates = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in candidates or response.headers.get("etag") in candidates
    if_modified_since = request.headers.get("if-modified-since")
    last_modified = response.headers.get("last-modified")
    if if_modified_since is None or last_modified is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError, IndexError):
        return False
    if since.tzinfo is None:
        return False
    return parsedate_to_datetime(last_modified) <= since
