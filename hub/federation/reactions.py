"""Record our actors' likes and boosts of others' posts, and their Undo, with the delivery.

Each function works in the caller's transaction: the Interaction row that shows the state
on the reader and the activity with its fan-out commit together. A Like (and its Undo) goes
to the author's personal inbox only (spec §10 item 48); a boost goes to our followers and to
the author, as Mastodon sends one (spec §5.12).
"""

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hub.activitypub.activities import build_undo
from hub.activitypub.jsonld import PUBLIC
from hub.activitypub.reactions import build_announce, build_like
from hub.federation.outbox import record_activity
from hub.models import Actor, Interaction, OutgoingActivity, Post


async def _existing(
    session: AsyncSession, actor: Actor, post: Post, kind: str
) -> Interaction | None:
    statement = select(Interaction).where(
        Interaction.kind == kind,
        Interaction.actor_id == actor.id,
        Interaction.object_ap_id == post.ap_id,
    )
    return (await session.exec(statement)).first()


def _add_interaction(actor: Actor, post: Post, kind: str, ap_id: str, now: datetime) -> Interaction:
    assert actor.id is not None  # noqa: S101 - a stored actor
    return Interaction(
        ap_id=ap_id,
        kind=kind,
        actor_id=actor.id,
        object_ap_id=post.ap_id,
        post_id=post.id,
        created_at=now,
    )


async def record_like(
    session: AsyncSession, *, actor: Actor, post: Post, author: Actor, now: datetime
) -> bool:
    """Like a post as `actor`; return False when it already liked it (nothing is sent)."""
    if await _existing(session, actor, post, "like") is not None:
        return False
    like = build_like(
        f"{actor.ap_id}#likes/{uuid.uuid4().hex}", actor.ap_id, post.ap_id, author.ap_id
    )
    session.add(_add_interaction(actor, post, "like", like["id"], now))
    await record_activity(
        session,
        actor=actor,
        activity=like,
        now=now,
        is_public=False,
        to_followers=False,
        extra_inboxes=[author.inbox_url],
    )
    return True


async def record_unlike(
    session: AsyncSession, *, actor: Actor, post: Post, author: Actor, now: datetime
) -> bool:
    """Take back `actor`'s like of a post with Undo{Like}; False when it had not liked it."""
    existing = await _existing(session, actor, post, "like")
    if existing is None:
        return False
    undo = build_undo(
        f"{actor.ap_id}#undo/{uuid.uuid4().hex}",
        actor.ap_id,
        build_like(existing.ap_id, actor.ap_id, post.ap_id, author.ap_id),
        to=[author.ap_id],
    )
    await session.exec(delete(Interaction).where(col(Interaction.id) == existing.id))
    await record_activity(
        session,
        actor=actor,
        activity=undo,
        now=now,
        is_public=False,
        to_followers=False,
        extra_inboxes=[author.inbox_url],
    )
    return True


def _announce(
    actor: Actor, post: Post, author: Actor, ap_id: str, now: datetime
) -> dict[str, object]:
    return build_announce(
        ap_id,
        actor.ap_id,
        post.ap_id,
        author_id=author.ap_id,
        followers_url=actor.followers_url or f"{actor.ap_id}/followers",
        published_at=now,
    )


async def record_boost(
    session: AsyncSession, *, actor: Actor, post: Post, author: Actor, now: datetime
) -> bool:
    """Boost a public or unlisted post as `actor`; False when it already boosted it.

    The Announce joins our actor's public outbox, and its id can be fetched.
    """
    if await _existing(session, actor, post, "announce") is not None:
        return False
    announce = _announce(actor, post, author, f"{actor.ap_id}/activities/{uuid.uuid4().hex}", now)
    session.add(_add_interaction(actor, post, "announce", str(announce["id"]), now))
    await record_activity(
        session,
        actor=actor,
        activity=announce,
        now=now,
        is_public=True,
        to_followers=True,
        extra_inboxes=[author.inbox_url],
    )
    return True


async def record_unboost(
    session: AsyncSession, *, actor: Actor, post: Post, author: Actor, now: datetime
) -> bool:
    """Take back a boost with Undo{Announce} to the same audience; False when there was none."""
    existing = await _existing(session, actor, post, "announce")
    if existing is None:
        return False
    undo = build_undo(
        f"{actor.ap_id}#undo/{uuid.uuid4().hex}",
        actor.ap_id,
        _announce(actor, post, author, existing.ap_id, existing.created_at),
        to=[PUBLIC],
    )
    await session.exec(delete(Interaction).where(col(Interaction.id) == existing.id))
    await session.exec(
        sa.update(OutgoingActivity)
        .where(col(OutgoingActivity.ap_id) == existing.ap_id)
        .values(is_public=False)
    )
    await record_activity(
        session,
        actor=actor,
        activity=undo,
        now=now,
        is_public=False,
        to_followers=True,
        extra_inboxes=[author.inbox_url],
    )
    return True
