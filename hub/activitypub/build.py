"""Build AS2 documents from local values: actors and ordered collections."""

from collections.abc import Sequence
from typing import Any

from hub.activitypub.jsonld import ACTOR_CONTEXT, AS_CONTEXT
from hub.activitypub.keys import main_key_id
from hub.activitypub.vocab import ActorProfile, format_datetime

JsonObject = dict[str, Any]


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
