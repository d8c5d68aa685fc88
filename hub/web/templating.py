"""Jinja2 set-up: the template folder, and rendering pages from plain view values."""

from datetime import datetime
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from hub.db import PROJECT_ROOT

TEMPLATES_DIR = PROJECT_ROOT / "templates"
STATIC_DIR: Path = PROJECT_ROOT / "static"


def format_date(value: datetime) -> str:
    """Return a date as people read it on a page: `7 March 2026` (times are UTC)."""
    return f"{value.day} {value:%B %Y}"


def create_templates() -> Jinja2Templates:
    """Return the app's template renderer (autoescaping on)."""
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    templates.env.filters["date"] = format_date
    return templates


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render a template with the Hub's name and the request in the context."""
    templates: Jinja2Templates = request.app.state.templates
    hub = request.app.state.hub
    page_context = {
        "instance_name": hub.settings.instance_name,
        "host": hub.settings.host,
        # Only whether a session exists: public pages are shared by caches, so they say no more.
        "signed_in": "account_id" in request.scope.get("session", {}),
    }
    page_context.update(context)
    response = templates.TemplateResponse(
        request, template, page_context, status_code=status_code, headers=headers
    )
    assert isinstance(response, HTMLResponse)  # noqa: S101 - TemplateResponse is HTML
    return response
