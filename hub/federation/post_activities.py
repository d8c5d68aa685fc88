"""Record Create, Update and Delete of our posts, addressed to everyone who should get them.

Followers come from the fan-out. The other inboxes are those of the actors a post mentions
and every inbox an earlier activity about the same post was sent to, so an Update or a
Delete reaches everyone who received the Create (spec §6, checklist 64-65).
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hub.activitypub.activities import build_create, build_delete, build_update
from hub.activitypub.jsonld import as_list
from hub.activitypub.vocab import format_datetime
from hub.federation.outbox import record_activity
from hub.models import Actor, Delivery, FanoutJob, OutgoingActivity, Post

PUBLIC_VISIBILITIES = ("public", "unlisted")


def mentioned_actor_ids(document: dict[str, Any] | None) -> list[str]:
    """Return the actor ids of the Mention tags of a post's object."""
    if document is None:
        return []
    return [
        str(tag["href"])
        for tag in as_list(document.get("tag"))
        if isinstance(tag, dict)
        and tag.get("type") == "Mention"
        and isinstance(tag.get("href"), str)
    ]


async def inboxes_of(session: AsyncSession, actor_ids: Iterable[str]) -> list[str]:
    """Return the inboxes (shared ones preferred) of known remote actors, by actor id."""
    ids = list(dict.fromkeys(actor_ids))
    if not ids:
        return []
    inbox = sa.func.coalesce(col(Actor.shared_inbox_url), col(Actor.inbox_url))
    statement = select(inbox).where(
        col(Actor.ap_id).in_(ids), col(Actor.is_local).is_(False), col(Actor.deleted_at).is_(None)
    )
    return list(dict.fromkeys(str(url) for url in (await session.exec(statement)).all()))


async def earlier_recipients(session: AsyncSession, object_ap_id: str) -> list[str]:
    """Return every inbox an earlier activity about this object went to, or will go to."""
    activity_ids = select(OutgoingActivity.id).where(OutgoingActivity.object_ap_id == object_ap_id)
    extra = await session.exec(
        select(FanoutJob.extra_inboxes).where(col(FanoutJob.activity_id).in_(activity_ids))
    )
    delivered = await session.exec(
        select(Delivery.inbox_url).where(col(Delivery.activity_id).in_(activity_ids)).distinct()
    )
    inboxes = [str(url) for urls in extra.all() for url in urls or []]
    inboxes += [str(url) for url in delivered.all()]
    return list(dict.fromkeys(inboxes))


def _require_document(post: Post) -> dict[str, Any]:
    if post.document is None:
        raise ValueError("a post needs its federated object before it is sent")
    return post.document


async def record_post_create(
    session: AsyncSession, actor: Actor, post: Post, now: datetime
) -> None:
    """Add the Create of a post and its fan-out to followers and mentioned actors."""
    document = _require_document(post)
    await record_activity(
        session,
        actor=actor,
        activity=build_create(f"{post.ap_id}/activity", document),
        now=now,
        is_public=post.visibility in PUBLIC_VISIBILITIES,
        to_followers=True,
        extra_inboxes=await inboxes_of(session, mentioned_actor_ids(document)),
    )


async def record_post_update(
    session: AsyncSession, actor: Actor, post: Post, now: datetime, previous_mentions: list[str]
) -> None:
    """Add an Update carrying the post's new object, for everyone who got it and new mentions.

    Call before adding the Update's own rows, with the Mention hrefs of the old object.
    """
    document = _require_document(post)
    extra = await earlier_recipients(session, post.ap_id)
    extra += await inboxes_of(session, previous_mentions + mentioned_actor_ids(document))
    stamp = document.get("updated", format_datetime(now))
    await record_activity(
        session,
        actor=actor,
        activity=build_update(f"{post.ap_id}#updates/{stamp}", document),
        now=now,
        is_public=False,
        to_followers=True,
        extra_inboxes=extra,
    )


async def record_post_delete(
    session: AsyncSession, actor: Actor, post: Post, now: datetime
) -> None:
    """Add a Delete{Tombstone} of the post for everyone who got it; drop it from the outbox."""
    document = post.document or {}
    extra = await earlier_recipients(session, post.ap_id)
    extra += await inboxes_of(session, mentioned_actor_ids(document))
    to = [str(item) for item in as_list(document.get("to"))]
    cc = [str(item) for item in as_list(document.get("cc"))]
    await session.exec(
        sa.update(OutgoingActivity)
        .where(col(OutgoingActivity.object_ap_id) == post.ap_id)
        .values(is_public=False)
    )
    await record_activity(
        session,
        actor=actor,
        activity=build_delete(f"{post.ap_id}#delete", actor.ap_id, post.ap_id, to, cc),
        now=now,
        is_public=False,
        to_followers=True,
        extra_inboxes=extra,
    )
