"""The public search page: words found in this Hub's public posts."""

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from hub.services.errors import InvalidInput
from hub.services.search import SearchPage, SearchScope, parse_search_cursor, search_posts
from hub.web.app_state import hub_context
from hub.web.caching import LIST_MAX_AGE, cacheable
from hub.web.templating import render

FIELD_NAMES = {"q": "the words searched for", "before": "the page position"}


def more_results_url(path: str, query: str, page: SearchPage | None) -> str | None:
    """Return the URL of the next page of results, if there is one."""
    if page is None or page.next_cursor is None:
        return None
    return f"{path}?{urlencode({'q': query, 'before': page.next_cursor})}"


async def run_search(
    request: Request, query: str, scope: SearchScope
) -> tuple[SearchPage | None, str]:
    """Search for the request's words; return the page, or an error for the person."""
    try:
        before = parse_search_cursor(request.query_params.get("before"))
        page = await search_posts(hub_context(request), query, scope=scope, before=before)
    except InvalidInput as error:
        subject = FIELD_NAMES.get(error.field, error.field)
        return None, f"The search could not run: {subject} {error.message}."
    return page, ""


async def search(request: Request) -> Response:
    """Search our public posts for every word typed."""
    query = request.query_params.get("q", "")
    page, error = await run_search(request, query, "public") if query.strip() else (None, "")
    response = render(
        request,
        "search.html",
        {
            "query": query[:500],
            "page": page,
            "error": error,
            "older_url": more_results_url(request.url.path, query, page),
        },
        status_code=400 if error else 200,
        headers={"Vary": "Cookie"},
    )
    return cacheable(request, response, max_age=LIST_MAX_AGE)
