"""Update and Delete of remote actors: refresh the cache, or forget the actor's follows."""

import logging
from typing import Any

from sqlmodel import col, delete, update

from hub.activitypub.jsonld import id_of
from hub.context import HubContext
from hub.federation.local_actors import actor_by_ap_id
from hub.federation.remote_actors import get_remote_actor
from hub.federation.timeline import remove_actor_from_timeline
from hub.models import Actor, ActorBlock, Follow, Interaction, Post

logger = logging.getLogger(__name__)


async def apply_actor_update(ctx: HubContext, activity: dict[str, Any]) -> None:
    """Re-fetch an actor that announced a change to itself (keys, name, inbox)."""
    actor_id = str(id_of(activity["actor"]))
    if id_of(activity.get("object")) != actor_id:
        logger.info("actor update for someone else ignored id=%s", activity["id"])
        return
    await get_remote_actor(ctx, actor_id, refresh=True)


async def apply_actor_delete(ctx: HubContext, activity: dict[str, Any]) -> None:
    """Forget a deleted actor: follows both ways, likes, boosts, blocks; hide its posts.

    Its posts and boosts leave the reader.

    Its posts include its replies to ours, which thereby leave our posts' `replies`.
    """
    actor_id = str(id_of(activity["actor"]))
    now = ctx.clock()
    async with ctx.sessions() as session, session.begin():
        actor = await actor_by_ap_id(session, actor_id)
        if actor is None or actor.is_local:
            return
        ctx.public_keys.clear()  # its keys no longer verify anything (rare: clear them all)
        await session.exec(
            delete(Follow).where(
                (col(Follow.follower_id) == actor.id) | (col(Follow.followed_id) == actor.id)
            )
        )
        await session.exec(delete(Interaction).where(col(Interaction.actor_id) == actor.id))
        await session.exec(delete(ActorBlock).where(col(ActorBlock.blocker_id) == actor.id))
        assert actor.id is not None  # noqa: S101 - a stored row
        await remove_actor_from_timeline(session, actor.id)
        await session.exec(
            update(Post)
            .where(col(Post.actor_id) == actor.id, col(Post.deleted_at).is_(None))
            .values(deleted_at=now)
        )
        await session.exec(update(Actor).where(col(Actor.id) == actor.id).values(deleted_at=now))
    logger.info("remote actor deleted actor=%s", actor_id)
