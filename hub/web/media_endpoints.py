"""Serve uploaded images at /media/{file_name}, with long immutable cache headers."""

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from hub.services.media import find_media_file
from hub.web.app_state import hub_context

# A stored file never changes (a new upload gets a new random name), so caches keep it.
IMMUTABLE = "public, max-age=31536000, immutable"


async def media(request: Request) -> Response:
    """Send one of our stored images with its Content-Type; 404 for any other name."""
    found = await find_media_file(hub_context(request), request.path_params["file_name"])
    if found is None:
        raise HTTPException(404, "no such file")
    return FileResponse(
        found.path,
        media_type=found.media_type,
        headers={"Cache-Control": IMMUTABLE, "X-Content-Type-Options": "nosniff"},
    )
