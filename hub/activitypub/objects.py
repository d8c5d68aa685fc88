"""Parse untrusted Note and Article objects into typed values (spec §5, §9.2)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from hub.activitypub.errors import InvalidActivity
from hub.activitypub.jsonld import PUBLIC_ALIASES, as_list, id_of

POST_TYPES = frozenset({"Note", "Article", "Page"})
MAX_TEXT_LENGTH = 512 * 1024
# Mastodon keeps four media of a post and reads alt text up to 10 000 characters (spec §5.7).
MAX_ATTACHMENTS = 4
MAX_DESCRIPTION_LENGTH = 10_000
MAX_URL_LENGTH = 2048


@dataclass(frozen=True)
class RemoteAttachment:
    """A media attachment of a remote post: where the file is and what it shows."""

    url: str
    media_type: str
    description: str
    width: int | None
    height: int | None
    blurhash: str | None


@dataclass(frozen=True)
class RemotePost:
    """A remote post as we store it; `content_html` is not yet sanitised."""

    ap_id: str
    object_type: str
    author_id: str
    title: str
    summary: str
    content_html: str
    html_url: str | None
    in_reply_to: str | None
    published_at: datetime | None
    updated_at: datetime | None
    visibility: str
    tags: tuple[str, ...]
    language: str | None
    attachments: tuple[RemoteAttachment, ...] = ()
    content_warning: str = ""
    is_sensitive: bool = False


def parse_datetime(value: object) -> datetime | None:
    """Parse an xsd:dateTime as AS2 uses it; None when absent or malformed."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _text(document: dict[str, Any], key: str) -> str:
    value = document.get(key)
    if value is None:
        mapped = document.get(f"{key}Map")
        if isinstance(mapped, dict):
            value = next((text for text in mapped.values() if isinstance(text, str)), None)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidActivity(f"{key} must be a string")
    return value[:MAX_TEXT_LENGTH]


def visibility_of(document: dict[str, Any]) -> str:
    """Return public, unlisted, followers or direct from to/cc, as Mastodon reads them."""
    to = {id_of(item) for item in as_list(document.get("to"))}
    cc = {id_of(item) for item in as_list(document.get("cc"))}
    if to & PUBLIC_ALIASES:
        return "public"
    if cc & PUBLIC_ALIASES:
        return "unlisted"
    attributed = (
        id_of(as_list(document.get("attributedTo"))[0]) if document.get("attributedTo") else None
    )
    followers_like = {item for item in to | cc if item and item.endswith("/followers")}
    if followers_like or (attributed and any(item == f"{attributed}/followers" for item in to)):
        return "followers"
    return "direct"


def http_url_of(value: object) -> str | None:
    """Return an http(s) URL given as a string or a Link (`href`); None for anything else.

    Pages link to these, so a `javascript:` or `data:` URL must never get through.
    """
    url = value.get("href") or value.get("id") if isinstance(value, dict) else value
    if not isinstance(url, str) or len(url) > MAX_URL_LENGTH:
        return None
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def _dimension(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= 100_000:
        return value
    return None


def parse_attachments(value: object) -> tuple[RemoteAttachment, ...]:
    """Return the first media attachments with an http(s) `url`, as Mastodon reads them.

    `url` may be a string, a Link or a list (the first is used); alt text is `summary`,
    else `name`. Entries without a usable URL (such as Links with `href`) are skipped.
    """
    found: list[RemoteAttachment] = []
    for item in as_list(value):
        if len(found) == MAX_ATTACHMENTS:
            break
        if not isinstance(item, dict):
            continue
        first = next(iter(as_list(item.get("url"))), None)
        url = first.get("href") if isinstance(first, dict) else first
        if not isinstance(url, str) or len(url) > MAX_URL_LENGTH:
            continue
        if urlsplit(url).scheme not in ("http", "https"):
            continue
        media_type = item.get("mediaType")
        if not isinstance(media_type, str) and isinstance(first, dict):
            media_type = first.get("mediaType")
        description = item.get("summary") or item.get("name") or ""
        blurhash = item.get("blurhash")
        found.append(
            RemoteAttachment(
                url=url,
                media_type=media_type[:64] if isinstance(media_type, str) else "",
                description=description[:MAX_DESCRIPTION_LENGTH]
                if isinstance(description, str)
                else "",
                width=_dimension(item.get("width")),
                height=_dimension(item.get("height")),
                blurhash=blurhash[:128] if isinstance(blurhash, str) else None,
            )
        )
    return tuple(found)


def parse_post(document: object, *, expected_author: str | None = None) -> RemotePost:
    """Validate a Note/Article/Page and return its values.

    Raises:
        InvalidActivity: wrong type, missing id, author not on the object's host, bad fields.
    """
    if not isinstance(document, dict):
        raise InvalidActivity("the object must be embedded, not a reference")
    object_type = document.get("type")
    if object_type not in POST_TYPES:
        raise InvalidActivity(f"unsupported object type {object_type!r}")
    ap_id = id_of(document)
    authors = as_list(document.get("attributedTo"))
    author_id = id_of(authors[0]) if authors else None
    if not ap_id or not author_id:
        raise InvalidActivity("the object needs an id and attributedTo")
    if http_url_of(ap_id) is None or http_url_of(author_id) is None:
        # Pages link to ids: `javascript://host/%0A…` has a host too, so check the scheme.
        raise InvalidActivity("the object id and attributedTo must be http(s) URLs")
    if urlsplit(ap_id).netloc != urlsplit(author_id).netloc:
        raise InvalidActivity("the object id and its author are on different hosts")
    if expected_author is not None and author_id != expected_author:
        raise InvalidActivity("the object is attributed to someone other than the actor")
    html_url = http_url_of(next(iter(as_list(document.get("url"))), None))
    tags = tuple(
        str(tag["name"]).lstrip("#")[:100]
        for tag in as_list(document.get("tag"))
        if isinstance(tag, dict)
        and tag.get("type") == "Hashtag"
        and isinstance(tag.get("name"), str)
    )
    content_map = document.get("contentMap")
    language = next(iter(content_map), None) if isinstance(content_map, dict) else None
    summary = _text(document, "summary")
    return RemotePost(
        ap_id=ap_id,
        object_type=str(object_type),
        author_id=author_id,
        title=_text(document, "name"),
        summary=summary,
        content_html=_text(document, "content"),
        html_url=html_url,
        in_reply_to=http_url_of(id_of(document.get("inReplyTo"))),
        published_at=parse_datetime(document.get("published")),
        updated_at=parse_datetime(document.get("updated")),
        visibility=visibility_of(document),
        tags=tags,
        language=language[:16] if isinstance(language, str) else None,
        attachments=parse_attachments(document.get("attachment")),
        # On a Note, `summary` is also a content warning; on an Article, the teaser (§5.1).
        content_warning=summary if object_type == "Note" else "",
        is_sensitive=document.get("sensitive") is True,
    )
