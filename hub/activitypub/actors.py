"""Parse untrusted actor and key documents into typed values (spec §2.1, §3.3)."""

from dataclasses import dataclass
from datetime import datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from hub.activitypub.errors import InvalidActivity
from hub.activitypub.jsonld import as_list, has_as_context, id_of
from hub.activitypub.objects import parse_datetime

ACTOR_TYPES = frozenset({"Application", "Group", "Organization", "Person", "Service"})
MAX_KEYS = 10
MAX_ALIASES = 256
# Mastodon keeps at most 50 profile fields and cuts names and values at 2047 characters.
MAX_PROFILE_FIELDS = 50
MAX_PROFILE_FIELD_LENGTH = 2047


@dataclass(frozen=True)
class PublicKeyValue:
    """A key an actor publishes."""

    key_id: str
    owner: str
    pem: str


@dataclass(frozen=True)
class RemoteActorDocument:
    """The parts of a remote actor Hub keeps."""

    ap_id: str
    actor_type: str
    username: str
    domain: str
    display_name: str
    summary_html: str
    html_url: str | None
    inbox_url: str
    shared_inbox_url: str | None
    outbox_url: str | None
    followers_url: str | None
    following_url: str | None
    featured_url: str | None
    icon_url: str | None
    icon_media_type: str | None
    manually_approves_followers: bool
    discoverable: bool
    indexable: bool
    published_at: datetime | None
    public_keys: tuple[PublicKeyValue, ...]
    also_known_as: tuple[str, ...] = ()
    # Profile fields as (label, value): the value is the link's URL or the field's text.
    profile_links: tuple[tuple[str, str], ...] = ()


class _FieldValueReader(HTMLParser):
    """Collect the text and the http(s) link targets of a profile field's HTML value."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href and _http_url(href):
                self.hrefs.append(href)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _field_value(value_html: str) -> str:
    """Return a field's value as Hub stores it: a lone link's URL, else the plain text."""
    reader = _FieldValueReader()
    reader.feed(value_html[: MAX_PROFILE_FIELD_LENGTH * 4])
    reader.close()
    if len(reader.hrefs) == 1:
        return reader.hrefs[0][:MAX_PROFILE_FIELD_LENGTH]
    return " ".join("".join(reader.text).split())[:MAX_PROFILE_FIELD_LENGTH]


def parse_profile_fields(attachment: object) -> tuple[tuple[str, str], ...]:
    """Return the PropertyValue entries of an actor's `attachment` as (label, value) pairs."""
    fields = []
    for item in as_list(attachment):
        if not isinstance(item, dict) or item.get("type") != "PropertyValue":
            continue
        name, value = item.get("name"), item.get("value")
        if not isinstance(name, str) or not isinstance(value, str):
            continue
        label = " ".join(name.split())[:MAX_PROFILE_FIELD_LENGTH]
        text = _field_value(value)
        if label and text:
            fields.append((label, text))
        if len(fields) == MAX_PROFILE_FIELDS:
            break
    return tuple(fields)


def _http_url(value: object) -> str | None:
    if isinstance(value, str) and urlsplit(value).scheme in ("http", "https"):
        return value if urlsplit(value).hostname else None
    return None


def _string(document: dict[str, Any], key: str, limit: int) -> str:
    value = document.get(key)
    return value[:limit] if isinstance(value, str) else ""


def parse_public_key(value: object, *, owner: str | None = None) -> PublicKeyValue:
    """Return a key from a `publicKey` entry or a key document.

    Raises:
        InvalidActivity: missing id, owner or PEM, or an owner other than `owner`.
    """
    if not isinstance(value, dict):
        raise InvalidActivity("publicKey must be an object")
    key_id, key_owner, pem = value.get("id"), value.get("owner"), value.get("publicKeyPem")
    if not isinstance(key_id, str) or not isinstance(key_owner, str) or not isinstance(pem, str):
        raise InvalidActivity("publicKey needs id, owner and publicKeyPem")
    if owner is not None and key_owner != owner:
        raise InvalidActivity("publicKey.owner is not the actor")
    return PublicKeyValue(key_id=key_id, owner=key_owner, pem=pem)


def parse_actor(document: object, *, fetched_url: str | None = None) -> RemoteActorDocument:
    """Validate an actor document as Mastodon would, and return what Hub keeps of it.

    Raises:
        InvalidActivity: the document is not an actor Mastodon would accept.
    """
    if not isinstance(document, dict):
        raise InvalidActivity("an actor must be a JSON object")
    if not has_as_context(document):
        raise InvalidActivity("the actor lacks the ActivityStreams context")
    types = set(as_list(document.get("type")))
    actor_type = next((kind for kind in as_list(document.get("type")) if kind in ACTOR_TYPES), None)
    if actor_type is None:
        raise InvalidActivity(f"type {sorted(map(str, types))} is not an actor type")
    ap_id = _http_url(document.get("id"))
    if ap_id is None:
        raise InvalidActivity("the actor id must be an http(s) URL")
    if fetched_url is not None and ap_id != fetched_url.split("#", 1)[0]:
        raise InvalidActivity("the actor id is not the URL it was fetched from")
    inbox = _http_url(document.get("inbox"))
    if inbox is None:
        raise InvalidActivity("the actor has no inbox")
    username = document.get("preferredUsername")
    if not isinstance(username, str) or not username or len(username) > 2048:
        raise InvalidActivity("the actor has no preferredUsername")
    endpoints = document.get("endpoints")
    shared_inbox = _http_url(endpoints.get("sharedInbox")) if isinstance(endpoints, dict) else None
    shared_inbox = shared_inbox or _http_url(document.get("sharedInbox"))
    domain = urlsplit(ap_id).netloc.lower()
    url = _http_url(id_of(as_list(document.get("url"))[0]) if document.get("url") else None)
    icon = as_list(document.get("icon"))
    icon_object = icon[0] if icon and isinstance(icon[0], dict) else None
    keys = tuple(
        parse_public_key(entry, owner=ap_id)
        for entry in as_list(document.get("publicKey"))[:MAX_KEYS]
    )
    return RemoteActorDocument(
        ap_id=ap_id,
        actor_type=actor_type,
        username=username,
        domain=domain,
        display_name=_string(document, "name", 2048),
        summary_html=_string(document, "summary", 20_000),
        html_url=url if url and urlsplit(url).netloc.lower() == domain else None,
        inbox_url=inbox,
        shared_inbox_url=shared_inbox,
        outbox_url=_http_url(document.get("outbox")),
        followers_url=_http_url(document.get("followers")),
        following_url=_http_url(document.get("following")),
        featured_url=_http_url(document.get("featured")),
        icon_url=_http_url(icon_object.get("url")) if icon_object else None,
        icon_media_type=str(icon_object.get("mediaType"))[:64]
        if icon_object and icon_object.get("mediaType")
        else None,
        manually_approves_followers=document.get("manuallyApprovesFollowers") is True,
        discoverable=document.get("discoverable") is True,
        indexable=document.get("indexable") is True,
        published_at=parse_datetime(document.get("published")),
        public_keys=keys,
        profile_links=parse_profile_fields(document.get("attachment")),
        also_known_as=tuple(
            alias
            for alias in (
                _http_url(id_of(item))
                for item in as_list(document.get("alsoKnownAs"))[:MAX_ALIASES]
            )
            if alias is not None
        ),
    )
