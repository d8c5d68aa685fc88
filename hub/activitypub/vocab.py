"""Typed values for the local domain data the builders turn into AS2 JSON."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ActorUrls:
    """The endpoints of one of our actors, all absolute URLs."""

    ap_id: str
    html_url: str
    inbox_url: str
    outbox_url: str
    followers_url: str
    following_url: str
    featured_url: str
    shared_inbox_url: str


@dataclass(frozen=True)
class ActorProfile:
    """What an actor document says about one of our actors."""

    urls: ActorUrls
    actor_type: str
    username: str
    display_name: str
    summary_html: str
    public_key_pem: str
    published_at: datetime
    manually_approves_followers: bool
    discoverable: bool
    indexable: bool
    attribution_domain: str
    icon_url: str | None = None
    icon_media_type: str | None = None
    # Profile links as (label, value); a value is an http(s) URL or plain text.
    links: tuple[tuple[str, str], ...] = ()


def format_datetime(value: datetime) -> str:
    """Return an ISO 8601 UTC timestamp with a Z suffix and whole seconds, as Mastodon emits."""
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")
