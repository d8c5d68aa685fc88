"""Build the activities Hub sends: Follow, Accept, Reject, Undo, Create, Update, Delete."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hub.activitypub.jsonld import AS_CONTEXT, OBJECT_CONTEXT, PUBLIC
from hub.activitypub.vocab import format_datetime

JsonObject = dict[str, Any]


@dataclass(frozen=True)
class ArticleValues:
    """A local post as the federated object needs it."""

    ap_id: str
    html_url: str
    author_id: str
    followers_url: str
    title: str
    summary: str
    content_html: str
    published_at: datetime
    updated_at: datetime | None
    tags: tuple[tuple[str, str], ...]  # (name without '#', tag page URL)
    visibility: str
    as_note: bool
    language: str | None = None


def build_follow(activity_id: str, actor_id: str, object_id: str) -> JsonObject:
    """Return a Follow of `object_id` by `actor_id` (no to/cc, as Mastodon sends it)."""
    return {
        "@context": AS_CONTEXT,
        "id": activity_id,
        "type": "Follow",
        "actor": actor_id,
        "object": object_id,
    }


def build_response_to_follow(
    kind: str, activity_id: str, actor_id: str, follow: JsonObject
) -> JsonObject:
    """Return an Accept or Reject that embeds the Follow with its original id (spec §4.2)."""
    return {
        "@context": AS_CONTEXT,
        "id": activity_id,
        "type": kind,
        "actor": actor_id,
        "to": [follow["actor"]],
        "object": {
            "id": follow["id"],
            "type": "Follow",
            "actor": follow["actor"],
            "object": follow["object"],
        },
    }


def build_undo(activity_id: str, actor_id: str, undone: JsonObject, to: list[str]) -> JsonObject:
    """Return an Undo embedding the activity it takes back."""
    inner = {key: value for key, value in undone.items() if key != "@context"}
    return {
        "@context": AS_CONTEXT,
        "id": activity_id,
        "type": "Undo",
        "actor": actor_id,
        "to": to,
        "object": inner,
    }


def audience(visibility: str, followers_url: str) -> tuple[list[str], list[str]]:
    """Return (to, cc) for a visibility, as Mastodon addresses statuses (spec §5.6)."""
    if visibility == "public":
        return [PUBLIC], [followers_url]
    if visibility == "unlisted":
        return [followers_url], [PUBLIC]
    return [followers_url], []


def build_article(values: ArticleValues) -> JsonObject:
    """Return the Article (or, in Note mode, a Note with the title and link inline)."""
    to, cc = audience(values.visibility, values.followers_url)
    hashtags = [{"type": "Hashtag", "name": f"#{name}", "href": href} for name, href in values.tags]
    document: JsonObject = {
        "@context": OBJECT_CONTEXT,
        "id": values.ap_id,
        "type": "Note" if values.as_note else "Article",
        "attributedTo": values.author_id,
        "url": values.html_url,
        "published": format_datetime(values.published_at),
        "to": to,
        "cc": cc,
        "tag": hashtags,
    }
    if values.as_note:
        link = f'<p><a href="{values.html_url}">{_escape(values.html_url)}</a></p>'
        document["content"] = f"<p><strong>{_escape(values.title)}</strong></p>"
        document["content"] += values.content_html + link
    else:
        document["name"] = values.title
        document["summary"] = values.summary
        document["content"] = values.content_html
    if values.language:
        document["contentMap"] = {values.language: document["content"]}
    if values.updated_at is not None and values.updated_at != values.published_at:
        document["updated"] = format_datetime(values.updated_at)
    return document


def build_create(activity_id: str, post: JsonObject) -> JsonObject:
    """Return a Create wrapping an object, with the object's author and audience."""
    return _wrap("Create", activity_id, post)


def build_update(activity_id: str, post: JsonObject) -> JsonObject:
    """Return an Update carrying the whole new object."""
    return _wrap("Update", activity_id, post)


def build_delete(
    activity_id: str, actor_id: str, object_id: str, to: list[str], cc: list[str]
) -> JsonObject:
    """Return a Delete with a Tombstone of the same id."""
    return {
        "@context": AS_CONTEXT,
        "id": activity_id,
        "type": "Delete",
        "actor": actor_id,
        "to": to,
        "cc": cc,
        "object": {"id": object_id, "type": "Tombstone"},
    }


def build_tombstone(object_id: str, deleted_at: datetime) -> JsonObject:
    """Return the Tombstone served (with 410) at a deleted post's URL."""
    return {
        "@context": AS_CONTEXT,
        "id": object_id,
        "type": "Tombstone",
        "deleted": format_datetime(deleted_at),
    }


def _wrap(kind: str, activity_id: str, post: JsonObject) -> JsonObject:
    inner = {key: value for key, value in post.items() if key != "@context"}
    return {
        "@context": post.get("@context", AS_CONTEXT),
        "id": activity_id,
        "type": kind,
        "actor": post["attributedTo"],
        "published": post["published"],
        "to": post["to"],
        "cc": post["cc"],
        "object": inner,
    }


def _escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )
