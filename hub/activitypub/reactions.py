"""Build the reactions Hub sends about others' posts (Like, Announce) and its actor Updates."""

from datetime import datetime
from typing import Any

from hub.activitypub.jsonld import AS_CONTEXT, PUBLIC
from hub.activitypub.vocab import format_datetime

JsonObject = dict[str, Any]


def build_like(activity_id: str, actor_id: str, object_id: str, author_id: str) -> JsonObject:
    """Return a Like of a post, addressed to its author (Mastodon sends it to them alone)."""
    return {
        "@context": AS_CONTEXT,
        "id": activity_id,
        "type": "Like",
        "actor": actor_id,
        "to": [author_id],
        "object": object_id,
    }


def build_announce(
    activity_id: str,
    actor_id: str,
    object_id: str,
    *,
    author_id: str,
    followers_url: str,
    published_at: datetime,
) -> JsonObject:
    """Return a public Announce (boost) of a post, as Mastodon addresses one (spec §5.12).

    `to` is Public and `cc` the post's author and the booster's followers; the object is
    named by id only, so receivers fetch it from its origin rather than trust a copy.
    """
    return {
        "@context": AS_CONTEXT,
        "id": activity_id,
        "type": "Announce",
        "actor": actor_id,
        "published": format_datetime(published_at),
        "to": [PUBLIC],
        "cc": [author_id, followers_url],
        "object": object_id,
    }


def build_actor_update(activity_id: str, actor_document: JsonObject) -> JsonObject:
    """Return an Update carrying one of our actors' whole document, addressed to the public."""
    inner = {key: value for key, value in actor_document.items() if key != "@context"}
    return {
        "@context": actor_document.get("@context", AS_CONTEXT),
        "id": activity_id,
        "type": "Update",
        "actor": actor_document["id"],
        "to": [PUBLIC],
        "object": inner,
    }
