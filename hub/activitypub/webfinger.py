"""WebFinger (RFC 7033) resources and JRD documents, as Mastodon reads and writes them."""

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from hub.activitypub.errors import ProtocolError
from hub.activitypub.jsonld import ACTIVITY_JSON

# Mastodon's USERNAME_ONLY_RE (spec §1.1): a remote server rejects any other preferredUsername.
USERNAME_PATTERN = re.compile(r"^[a-z0-9_]+([.-]+[a-z0-9_]+)*$", re.IGNORECASE)
MAX_RESOURCE_LENGTH = 2048
PROFILE_PAGE_REL = "http://webfinger.net/rel/profile-page"
JRD_JSON = "application/jrd+json"


class InvalidResource(ProtocolError):
    """A WebFinger resource that is neither an acct: handle nor an http(s) URL."""


@dataclass(frozen=True)
class AcctResource:
    """`acct:username@host`, with the host keeping any `:port`."""

    username: str
    host: str


@dataclass(frozen=True)
class UrlResource:
    """An http(s) URL given as the resource, such as an actor id or a profile page."""

    url: str


def is_valid_username(username: str) -> bool:
    """Return whether Mastodon accepts this preferredUsername."""
    return len(username) <= MAX_RESOURCE_LENGTH and bool(USERNAME_PATTERN.match(username))


def parse_resource(resource: str) -> AcctResource | UrlResource:
    """Parse a WebFinger `resource`: `acct:user@host`, `user@host`, `@user@host` or a URL.

    Raises:
        InvalidResource: the value has none of those shapes.
    """
    value = resource.strip()
    if not value or len(value) > MAX_RESOURCE_LENGTH:
        raise InvalidResource("resource is empty or too long")
    lowered = value.lower()
    if lowered.startswith(("http://", "https://")):
        parts = urlsplit(value)
        if not parts.hostname:
            raise InvalidResource("resource URL has no host")
        return UrlResource(url=value)
    if lowered.startswith("acct:"):
        value = value[len("acct:") :]
    value = value.removeprefix("@")
    username, separator, host = value.partition("@")
    if not separator or not username or not host or "@" in host or "/" in host:
        raise InvalidResource("resource must be acct:user@host or a URL")
    if not is_valid_username(username):
        raise InvalidResource("resource has an invalid username")
    return AcctResource(username=username.lower(), host=host.lower())


def parse_handle(handle: str) -> AcctResource:
    """Parse a `@user@host` or `user@host` handle typed by a person.

    Raises:
        InvalidResource: it is not a handle.
    """
    parsed = parse_resource(handle)
    if not isinstance(parsed, AcctResource):
        raise InvalidResource("not a user@host handle")
    return parsed


def build_jrd(*, username: str, host: str, actor_id: str, profile_url: str) -> dict[str, Any]:
    """Return the JRD for one of our actors; the self href is the actor id byte for byte."""
    return {
        "subject": f"acct:{username}@{host}",
        "aliases": [actor_id, profile_url],
        "links": [
            {"rel": PROFILE_PAGE_REL, "type": "text/html", "href": profile_url},
            {"rel": "self", "type": ACTIVITY_JSON, "href": actor_id},
        ],
    }


def self_link(jrd: object) -> str | None:
    """Return the actor id a remote JRD's `self` link names, or None (spec §1.1 type rules)."""
    if not isinstance(jrd, dict):
        return None
    links = jrd.get("links")
    if not isinstance(links, list):
        return None
    accepted_types = {
        ACTIVITY_JSON,
        'application/ld+json; profile="https://www.w3.org/ns/activitystreams"',
    }
    for link in links:
        if (
            isinstance(link, dict)
            and link.get("rel") == "self"
            and link.get("type") in accepted_types
            and isinstance(link.get("href"), str)
        ):
            return str(link["href"])
    return None


def build_host_meta_xrd(base_url: str) -> str:
    """Return the host-meta XRD whose lrdd template points at our WebFinger endpoint."""
    template = f"{base_url}/.well-known/webfinger?resource={{uri}}"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">\n'
        f'  <Link rel="lrdd" template="{template}"/>\n'
        "</XRD>\n"
    )


def build_host_meta_json(base_url: str) -> dict[str, Any]:
    """Return the JSON form of host-meta."""
    return {
        "links": [{"rel": "lrdd", "template": f"{base_url}/.well-known/webfinger?resource={{uri}}"}]
    }
