"""The thin Starlette layer: routes, content negotiation, templates and error pages."""
