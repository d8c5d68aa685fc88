"""The staff search page: words in our posts and the reader, or a post or account by address."""

from starlette.requests import Request
from starlette.responses import Response

from hub.services.lookup import NothingFound, is_reference, look_up
from hub.web.admin.rendering import render_staff
from hub.web.app_state import hub_context
from hub.web.auth import staff_account
from hub.web.search_pages import more_results_url, run_search

SEARCH_PAGE = "/admin/search"


async def search(request: Request) -> Response:
    """Search everything stored, or look up (and fetch) the post or account an address names."""
    account = await staff_account(request)
    query = request.query_params.get("q", "")
    context: dict[str, object] = {"query": query[:2048], "page": None, "found": None, "error": ""}
    status_code = 200
    if is_reference(query):
        found = await look_up(hub_context(request), query)
        context["found"] = found
        if isinstance(found, NothingFound):
            status_code = 404
    elif query.strip():
        page, error = await run_search(request, query, "staff")
        context.update(page=page, error=error, older_url=more_results_url(SEARCH_PAGE, query, page))
        status_code = 400 if error else 200
    return render_staff(
        request, "admin/search.html", context, account=account, status_code=status_code
    )
