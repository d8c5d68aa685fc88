"""Build the activities Hub sends: Follow, Accept, Reject, Undo, Create, Update, Delete."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hub.activitypub.jsonld import AS_CONTEXT, OBJECT_CONTEXT, PUBLIC
from hub.activitypub.vocab import format_datetime

JsonObject = dict[str, Any]

# Mastodon keeps the first four attachments of a post and drops the rest (spec §5.7).
MAX_ATTACHMENTS = 4


@dataclass(frozen=True)
class AttachmentValues:
    """An image of a post as the federated object lists it (spec §5.7)."""

    url: str  # absolute
    media_type: str
    description: str  # alt text
    width: int | None = None
    height: int | None = None
    blurhash: str | None = None


@dataclass(frozen=True)
class MentionValues:
    """An actor a post mentions (spec §5.5)."""

    ap_id: str
    handle: str  # user@host, without the leading @


@dataclass(frozen=True)
class ArticleValues:
    """A local post as the federated object needs it.

    `summary` is plain text (escaped here); `content_html` is safe HTML whose hashtags and
    mentions are already links. A non-empty `content_warning` makes a Note whatever
    `as_note` says, because Mastodon only hides a Note's content behind its `summary`.
    """

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
    content_warning: str = ""
    attachments: tuple[AttachmentValues, ...] = ()
    mentions: tuple[MentionValues, ...] = ()
    series: str = ""
    series_url: str | None = None
    in_reply_to: str | None = None  # the id of the post this one answers


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


def audience(
    visibility: str, followers_url: str, mentioned: Sequence[str] = ()
) -> tuple[list[str], list[str]]:
    """Return (to, cc) for a visibility, as Mastodon addresses statuses (spec §5.6).

    Mentioned actors join `cc`, or `to` for followers-only posts, which have no `cc`.
    """
    extra = list(dict.fromkeys(mentioned))
    if visibility == "public":
        return [PUBLIC], [followers_url, *extra]
    if visibility == "unlisted":
        return [followers_url], [PUBLIC, *extra]
    return [followers_url, *extra], []


def build_article(values: ArticleValues) -> JsonObject:
    """Return the Article, or a Note in Note mode or when the post carries a content warning.

    Article (spec §5.1, §5.11): `name`, plain-text `summary`, the whole body as `content`.
    Note: the title, summary, body and link inside `content`, no `name`; `summary` only
    as a content warning, then with `sensitive: true` (spec §5.7, checklist 54).
    Reply: a Note with `inReplyTo` whose `content` is the body alone, as in a conversation.
    """
    is_reply = values.in_reply_to is not None
    is_note = values.as_note or bool(values.content_warning) or is_reply
    to, cc = audience(
        values.visibility, values.followers_url, [mention.ap_id for mention in values.mentions]
    )
    tags: list[JsonObject] = [
        {"type": "Hashtag", "name": f"#{name}", "href": href} for name, href in values.tags
    ]
    tags += [
        {"type": "Mention", "href": mention.ap_id, "name": f"@{mention.handle}"}
        for mention in values.mentions
    ]
    document: JsonObject = {
        "@context": OBJECT_CONTEXT,
        "id": values.ap_id,
        "type": "Note" if is_note else "Article",
        "attributedTo": values.author_id,
        "url": values.html_url,
        "published": format_datetime(values.published_at),
        "to": to,
        "cc": cc,
        "sensitive": bool(values.content_warning),
        "tag": tags,
    }
    series_line = ""
    if values.series:
        series_name = _escape(values.series)
        if values.series_url:
            series_name = f'<a href="{_escape(values.series_url)}">{series_name}</a>'
        series_line = f"<p>Part of the series {series_name}.</p>"
    if is_reply:
        document["inReplyTo"] = values.in_reply_to
        content = values.content_html
        if values.content_warning:
            document["summary"] = _escape(values.content_warning)
    elif is_note:
        content = f"<p><strong>{_escape(values.title)}</strong></p>"
        if values.summary:
            content += f"<p>{_escape(values.summary)}</p>"
        link = _escape(values.html_url)
        content += values.content_html + series_line + f'<p><a href="{link}">{link}</a></p>'
        if values.content_warning:
            document["summary"] = _escape(values.content_warning)
    else:
        document["name"] = values.title
        document["summary"] = _escape(values.summary)
        content = values.content_html + series_line
    document["content"] = content
    if values.language:
        document["contentMap"] = {values.language: content}
    if values.attachments:
        document["attachment"] = [
            _attachment(attachment) for attachment in values.attachments[:MAX_ATTACHMENTS]
        ]
    if values.updated_at is not None and values.updated_at > values.published_at:
        document["updated"] = format_datetime(values.updated_at)
    return document


def _attachment(values: AttachmentValues) -> JsonObject:
    attachment: JsonObject = {
        "type": "Image",
        "mediaType": values.media_type,
        "url": values.url,
        "name": values.description,
    }
    if values.width and values.height:
        attachment["width"] = values.width
        attachment["height"] = values.height
    if values.blurhash:
        attachment["blurhash"] = values.blurhash
    return attachment


def build_create(activity_id: str, post: JsonObject) -> JsonObject:
    """Return a Create wrapping an object, with the object's author and audience."""
    return _wrap("Create", activity_id, post)


def build_update(activity_id: str, post: JsonObject) -> JsonObject:
    """Return an Update carrying the whole new object, dated at its `updated` time."""
    return _wrap("Update", activity_id, post, published=post.get("updated"))


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


def _wrap(
    kind: str, activity_id: str, post: JsonObject, *, published: str | None = None
) -> JsonObject:
    inner = {key: value for key, value in post.items() if key != "@context"}
    return {
        "@context": post.get("@context", AS_CONTEXT),
        "id": activity_id,
        "type": kind,
        "actor": post["attributedTo"],
        "published": published or post["published"],
        "to": post["to"],
        "cc": post["cc"],
        "object": inner,
    }


def _escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )
