"""Build AS2 documents from local values: actors and ordered collections."""

import html
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from hub.activitypub.jsonld import ACTOR_CONTEXT, AS_CONTEXT
from hub.activitypub.keys import main_key_id
from hub.activitypub.vocab import ActorProfile, format_datetime

JsonObject = dict[str, Any]
# What Mastodon puts on profile-field links; `me` lets it verify the link (spec §2.1).
PROFILE_LINK_REL = "me nofollow noopener noreferrer"


def is_profile_url(value: str) -> bool:
    """Return whether a profile link's value is an absolute http(s) URL (shown as a link)."""
    if not value or any(character.isspace() for character in value):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def profile_link_text(value: str) -> str:
    """Return how a profile link's value reads: a URL without its scheme, else the value."""
    return value.split("://", 1)[1] if is_profile_url(value) else value


def build_profile_field_value(value: str) -> str:
    """Return a profile field's `value` HTML: an http(s) URL as a link, anything else as text."""
    if not is_profile_url(value):
        return html.escape(value, quote=False)
    return (
        f'<a href="{html.escape(value)}" rel="{PROFILE_LINK_REL}" target="_blank">'
        f"{html.escape(profile_link_text(value), quote=False)}</a>"
    )


def build_profile_fields(links: Sequence[tuple[str, str]]) -> list[JsonObject]:
    """Return profile links as schema.org PropertyValue entries, as Mastodon's `attachment`."""
    return [
        {"type": "PropertyValue", "name": label, "value": build_profile_field_value(value)}
        for label, value in links
    ]


def build_actor(profile: ActorProfile) -> JsonObject:
    """Return the actor document Mastodon expects (spec §2.1, §2.6); never the private key."""
    urls = profile.urls
    document: JsonObject = {
        "@context": ACTOR_CONTEXT,
        "id": urls.ap_id,
        "type": profile.actor_type,
        "preferredUsername": profile.username,
        "name": profile.display_name or profile.username,
        "summary": profile.summary_html,
        "url": urls.html_url,
        "inbox": urls.inbox_url,
        "outbox": urls.outbox_url,
        "followers": urls.followers_url,
        "following": urls.following_url,
        "featured": urls.featured_url,
        "endpoints": {"sharedInbox": urls.shared_inbox_url},
        "manuallyApprovesFollowers": profile.manually_approves_followers,
        "discoverable": profile.discoverable,
        "indexable": profile.indexable,
        "published": format_datetime(profile.published_at),
        "attributionDomains": [profile.attribution_domain],
        "attachment": build_profile_fields(profile.links),
        "publicKey": {
            "id": main_key_id(urls.ap_id),
            "owner": urls.ap_id,
            "publicKeyPem": profile.public_key_pem,
        },
    }
    if profile.icon_url:
        document["icon"] = {
            "type": "Image",
            "mediaType": profile.icon_media_type or "image/png",
            "url": profile.icon_url,
        }
    return document


def build_ordered_collection(
    collection_id: str, total_items: int, *, first_page_url: str | None
) -> JsonObject:
    """Return an OrderedCollection head; `first` is omitted only when the list is hidden."""
    document: JsonObject = {
        "@context": AS_CONTEXT,
        "id": collection_id,
        "type": "OrderedCollection",
        "totalItems": total_items,
    }
    if first_page_url is not None:
        document["first"] = first_page_url
    return document


def build_ordered_collection_page(
    page_id: str,
    collection_id: str,
    items: Sequence[str | JsonObject],
    *,
    next_page_url: str | None,
    total_items: int | None = None,
) -> JsonObject:
    """Return one OrderedCollectionPage of a collection; `totalItems` only when given.

    The count belongs to the collection (its head carries it); a page leaves it out so
    that serving a page never counts the whole collection.
    """
    document: JsonObject = {
        "@context": AS_CONTEXT,
        "id": page_id,
        "type": "OrderedCollectionPage",
        "partOf": collection_id,
        "orderedItems": list(items),
    }
    if total_items is not None:
        document["totalItems"] = total_items
    if next_page_url is not None:
        document["next"] = next_page_url
    return document
