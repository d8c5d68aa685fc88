"""Parse untrusted Note and Article objects into typed values (spec §5, §9.2)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from hub.activitypub.errors import InvalidActivity
from hub.activitypub.jsonld import PUBLIC_ALIASES, as_list, id_of

POST_TYPES = frozenset({"Note", "Article", "Page"})
MAX_TEXT_LENGTH = 512 * 1024
# Mastodon keeps the first four media entries of a post (spec §5.7, §9.3).
MAX_ATTACHMENTS = 4
MAX_ALT_TEXT_LENGTH = 10_000
MAX_URL_LENGTH = 2048


@dataclass(frozen=True)
class RemoteMedia:
    """One media attachment of a remote post: where it is, what it is, and its alt text."""

    url: str
    media_type: str
    description: str
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
    content_warning: str = ""
    is_sensitive: bool = False
    attachments: tuple[RemoteMedia, ...] = ()


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


def _http_url(value: object) -> str | None:
    if isinstance(value, str) and len(value) <= MAX_URL_LENGTH:
        parts = urlsplit(value)
        if parts.scheme in ("http", "https") and parts.hostname:
            return value
    return None


def parse_attachments(document: dict[str, Any]) -> tuple[RemoteMedia, ...]:
    """Return the media of a post as Mastodon reads them: any entry with a `url` (spec §5.7).

    The url may be a string, a Link or a list of either (the first is used); the alt text
    is `summary`, else `name`. Entries with only `href` are links, not media.
    """
    media: list[RemoteMedia] = []
    for entry in as_list(document.get("attachment")):
        if len(media) == MAX_ATTACHMENTS:
            break
        if not isinstance(entry, dict) or entry.get("url") is None:
            continue
        first_url = as_list(entry["url"])[0] if as_list(entry["url"]) else None
        url = _http_url(first_url.get("href") if isinstance(first_url, dict) else first_url)
        if url is None:
            continue
        media_type = entry.get("mediaType")
        if not isinstance(media_type, str) and isinstance(first_url, dict):
            media_type = first_url.get("mediaType")
        alt = entry.get("summary") if isinstance(entry.get("summary"), str) else entry.get("name")
        blurhash = entry.get("blurhash")
        media.append(
            RemoteMedia(
                url=url,
                media_type=media_type[:64] if isinstance(media_type, str) else "",
                description=alt[:MAX_ALT_TEXT_LENGTH] if isinstance(alt, str) else "",
                blurhash=blurhash if isinstance(blurhash, str) and len(blurhash) <= 128 else None,
            )
        )
    return tuple(media)


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
    if urlsplit(ap_id).netloc != urlsplit(author_id).netloc:
        raise InvalidActivity("the object id and its author are on different hosts")
    if expected_author is not None and author_id != expected_author:
        raise InvalidActivity("the object is attributed to someone other than the actor")
    url = document.get("url")
    html_url = id_of(as_list(url)[0]) if url else None
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
    # On a Note, `summary` is also a content warning; on an Article it is the teaser (§5.1).
    is_note = object_type == "Note"
    return RemotePost(
        ap_id=ap_id,
        object_type=str(object_type),
        author_id=author_id,
        title=_text(document, "name"),
        summary=summary,
        content_html=_text(document, "content"),
        html_url=html_url,
        in_reply_to=id_of(document.get("inReplyTo")),
        published_at=parse_datetime(document.get("published")),
        updated_at=parse_datetime(document.get("updated")),
        visibility=visibility_of(document),
        tags=tags,
        language=language[:16] if isinstance(language, str) else None,
        content_warning=summary if is_note else "",
        is_sensitive=document.get("sensitive") is True,
        attachments=parse_attachments(document),
    )
