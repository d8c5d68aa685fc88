"""Remote actors and posts stored as if received, through the same code that stores them."""

import itertools
from datetime import datetime
from typing import Any

from hub.activitypub.jsonld import AS_CONTEXT, PUBLIC
from hub.activitypub.objects import parse_post
from hub.context import HubContext
from hub.federation.remote_posts import store_remote_post
from hub.models import Actor, Post
from hub.models.posts import Approval
from tests.support.posts import START

_numbers = itertools.count(1)


async def add_remote_actor(
    ctx: HubContext, username: str = "alice", domain: str = "mastodon.example", **fields: Any
) -> Actor:
    """Store a remote actor as the actor cache would (no keys: it never signs here)."""
    ap_id = f"https://{domain}/users/{username}"
    actor = Actor(
        ap_id=ap_id,
        username=username,
        domain=domain,
        actor_type="Person",
        display_name=fields.pop("display_name", username.title()),
        html_url=fields.pop("html_url", f"https://{domain}/@{username}"),
        inbox_url=f"{ap_id}/inbox",
        published_at=START,
        fetched_at=START,
        **fields,
    )
    async with ctx.sessions() as session, session.begin():
        session.add(actor)
    return actor


def note_document(
    author: Actor,
    *,
    content: str,
    name: str = "",
    summary: str = "",
    in_reply_to: str | None = None,
    published_at: datetime = START,
    number: int | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """Return a public Note (or, with `name`, an Article) by a remote actor, as it federates."""
    ap_id = f"{author.ap_id}/statuses/{number or next(_numbers)}"
    document: dict[str, Any] = {
        "@context": AS_CONTEXT,
        "id": ap_id,
        "type": "Article" if name else "Note",
        "attributedTo": author.ap_id,
        "content": content,
        "published": published_at.isoformat().replace("+00:00", "Z"),
        "url": ap_id.replace("/users/", "/@").replace("/statuses/", "/"),
        "to": [PUBLIC],
        "cc": [f"{author.ap_id}/followers"],
    }
    if name:
        document["name"] = name
    if summary:
        document["summary"] = summary
    if in_reply_to:
        document["inReplyTo"] = in_reply_to
    document.update(extra)
    return document


async def add_remote_post(
    ctx: HubContext, author: Actor, *, approval: Approval = "approved", **note: Any
) -> Post:
    """Store a remote post (see `note_document`) the way a received Create stores it."""
    document = note_document(author, **note)
    async with ctx.sessions() as session, session.begin():
        saved = await store_remote_post(
            session, author, parse_post(document), document, ctx.clock(), approval=approval
        )
    assert saved is not None
    return saved[0]
