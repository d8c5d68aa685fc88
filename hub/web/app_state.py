"""Typed access to the HubContext an app carries on `app.state`."""

from starlette.requests import Request

from hub.context import HubContext


def hub_context(request: Request) -> HubContext:
    """Return the HubContext of the app serving this request."""
    ctx = request.app.state.hub
    assert isinstance(ctx, HubContext)  # noqa: S101 - set by create_app
    return ctx
