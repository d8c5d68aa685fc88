"""Like and Announce of our posts, and their Undo: counted, never shown as posts (spec §7)."""

import logging
from dataclasses import dataclass
from typing import Any

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hub.activitypub.jsonld import id_of
from hub.context import HubContext
from hub.db import insert_ignoring_conflicts
from hub.federation.local_actors import actor_by_ap_id
from hub.federation.notifications import record_notification
from hub.federation.remote_actors import get_remote_actor
from hub.models import Actor, Interaction, Post
from hub.models.notifications import NotificationKind

logger = logging.getLogger(__name__)

KIND_OF_ACTIVITY = {"Like": "like", "Announce": "announce"}
NOTIFICATION_OF_KIND: dict[str, NotificationKind] = {"like": "like", "announce": "boost"}


@dataclass(frozen=True)
class VerifiedInteraction:
    """A Like or Announce of one of our published posts by a known remote actor."""

    ap_id: str
    kind: str
    actor: Actor
    post: Post


async def local_post_by_ap_id(session: AsyncSession, ap_id: str | None) -> Post | None:
    """Return our published, not deleted post with this id, if any."""
    if ap_id is None:
        return None
    statement = select(Post).where(
        Post.ap_id == ap_id,
        col(Post.is_local),
        Post.state == "published",
        col(Post.deleted_at).is_(None),
    )
    return (await session.exec(statement)).first()


async def verify_interaction(
    ctx: HubContext, activity: dict[str, Any]
) -> VerifiedInteraction | None:
    """Return the interaction when it names one of our posts; None when it is not ours."""
    async with ctx.sessions() as session:
        post = await local_post_by_ap_id(session, id_of(activity.get("object")))
    if post is None or post.visibility not in ("public", "unlisted"):
        return None
    actor = await get_remote_actor(ctx, str(id_of(activity["actor"])))
    if actor.is_local:
        return None
    return VerifiedInteraction(
        ap_id=activity["id"], kind=KIND_OF_ACTIVITY[activity["type"]], actor=actor, post=post
    )


async def apply_interaction(ctx: HubContext, verified: VerifiedInteraction) -> bool:
    """Record the interaction once per actor and post; return whether it was new.

    A new one notifies the post's author's staff, in the same transaction.
    """
    now = ctx.clock()
    async with ctx.sessions() as session, session.begin():
        inserted = await insert_ignoring_conflicts(
            session,
            Interaction,
            {
                "ap_id": verified.ap_id,
                "kind": verified.kind,
                "actor_id": verified.actor.id,
                "object_ap_id": verified.post.ap_id,
                "post_id": verified.post.id,
                "created_at": now,
            },
            conflict_columns=["kind", "actor_id", "object_ap_id"],
        )
        post_author = await session.get(Actor, verified.post.actor_id)
        if inserted and post_author is not None:
            record_notification(
                session,
                kind=NOTIFICATION_OF_KIND[verified.kind],
                local_actor=post_author,
                remote_actor=verified.actor,
                now=now,
                post_id=verified.post.id,
                activity_ap_id=verified.ap_id,
            )
    return inserted


async def receive_interaction(ctx: HubContext, activity: dict[str, Any]) -> bool:
    """Count a Like or Announce of one of our posts; return False when the object is not ours."""
    verified = await verify_interaction(ctx, activity)
    if verified is None:
        logger.info("%s of something not ours id=%s", activity["type"], activity["id"])
        return False
    inserted = await apply_interaction(ctx, verified)
    logger.info(
        "%s recorded post=%s actor=%s new=%s",
        verified.kind, verified.post.ap_id, verified.actor.ap_id, inserted,
    )  # fmt: skip
    return True


async def undo_interaction(ctx: HubContext, activity: dict[str, Any]) -> int:
    """Remove the Like or Announce an Undo names, by its id or by (kind, object); return count.

    Mastodon embeds the undone activity; other servers may name only its id.
    """
    undone = activity.get("object")
    undone_id = id_of(undone)
    async with ctx.sessions() as session, session.begin():
        actor = await actor_by_ap_id(session, str(id_of(activity["actor"])))
        if actor is None or undone_id is None:
            return 0
        by_actor = delete(Interaction).where(col(Interaction.actor_id) == actor.id)
        removed = await session.exec(by_actor.where(col(Interaction.ap_id) == undone_id))
        count = int(getattr(removed, "rowcount", 0) or 0)
        if count == 0 and isinstance(undone, dict) and undone.get("type") in KIND_OF_ACTIVITY:
            object_id = id_of(undone.get("object"))
            removed = await session.exec(
                by_actor.where(
                    col(Interaction.kind) == KIND_OF_ACTIVITY[undone["type"]],
                    col(Interaction.object_ap_id) == object_id,
                )
            )
            count = int(getattr(removed, "rowcount", 0) or 0)
    if count:
        logger.info("interaction undone id=%s actor=%s", undone_id, actor.ap_id)
    return count
