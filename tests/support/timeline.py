"""Put remote actors and their posts into a Hub's reader, as the inbox handlers would."""

import itertools
from collections.abc import Sequence
from typing import Any

from hub.activitypub.jsonld import PUBLIC
from hub.activitypub.objects import parse_post
from hub.context import HubContext
from hub.federation.remote_posts import store_remote_post
from hub.federation.timeline import add_timeline_entry
from hub.models import Actor, Post

_numbers = itertools.count(1)


async def add_remote_actor(ctx: HubContext, username: str, domain: str) -> Actor:
    """Store a remote actor, as the actor cache would after fetching it."""
    ap_id = f"https://{domain}/users/{username}"
    actor = Actor(
        ap_id=ap_id,
        username=username,
        domain=domain,
        actor_type="Person",
        display_name=username.title(),
        html_url=f"https://{domain}/@{username}",
        inbox_url=f"{ap_id}/inbox",
        published_at=ctx.clock(),
        fetched_at=ctx.clock(),
    )
    async with ctx.sessions() as session, session.begin():
        session.add(actor)
    return actor


def note_document(author: Actor, **fields: Any) -> dict[str, Any]:
    """Return a public Note by `author` with the given fields (and a fresh id)."""
    number = next(_numbers)
    document: dict[str, Any] = {
        "id": f"{author.ap_id}/statuses/{number}",
        "type": "Note",
        "attributedTo": author.ap_id,
        "to": [PUBLIC],
        "cc": [f"{author.ap_id}/followers"],
        "content": f"<p>Post {number}</p>",
        "published": "2026-03-01T09:00:00Z",
    }
    document.update(fields)
    return document


async def add_timeline_post(
    ctx: HubContext,
    author: Actor,
    *,
    booster: Actor | None = None,
    tags: Sequence[str] = (),
    **fields: Any,
) -> Post:
    """Store a remote post and put it in the reader, by its author or boosted by `booster`."""
    document = note_document(
        author,
        tag=[
            {"type": "Hashtag", "name": f"#{tag}", "href": f"https://x/tags/{tag}"} for tag in tags
        ],
        **fields,
    )
    now = ctx.clock()
    async with ctx.sessions() as session, session.begin():
        saved = await store_remote_post(session, author, parse_post(document), document, now)
        assert saved is not None
        post = saved[0]
        announce_id = None if booster is None else f"{booster.ap_id}/statuses/{post.id}/activity"
        await add_timeline_entry(
            session, post, booster or author, now=now, announce_ap_id=announce_id
        )
    return post
