"""Accept-header negotiation between ActivityPub JSON and HTML (spec §1.5)."""

from typing import Literal

Representation = Literal["json", "html"]

JSON_TYPES = frozenset({"application/activity+json", "application/ld+json", "application/json"})
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/*", "*/*"})
MAX_ACCEPT_LENGTH = 4096


def negotiate(accept: str | None) -> Representation | None:
    """Pick JSON when any ActivityPub type is acceptable, else HTML; None when neither is.

    JSON wins even when HTML is also listed with a higher q, because Mastodon's search sends
    `application/ld+json; profile=…, application/activity+json, text/html;q=0.1` and its plain
    fetches list no q at all: any server asking for AS2 at all wants AS2.
    """
    if accept is None or not accept.strip():
        return "html"
    if len(accept) > MAX_ACCEPT_LENGTH:
        return None
    wants_html = False
    for media_type, quality in _media_ranges(accept):
        if quality <= 0:
            continue
        if media_type in JSON_TYPES:
            return "json"
        if media_type in HTML_TYPES:
            wants_html = True
    return "html" if wants_html else None


def _media_ranges(accept: str) -> list[tuple[str, float]]:
    ranges = []
    for item in accept.split(","):
        media_type, *parameters = (part.strip() for part in item.split(";"))
        if "/" not in media_type:
            continue
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value.strip())
                except ValueError:
                    quality = 0.0
        ranges.append((media_type.lower(), quality))
    return ranges
