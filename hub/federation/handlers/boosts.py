"""Announces of others' posts by actors we follow: boosts in the reader, and their Undo.

The boosted object is never taken from the Announce itself: it is our stored copy, or it is
fetched from its origin (spec §5.12), so a booster cannot put words in another's mouth.
"""

import logging
from typing import Any

from sqlmodel import select

from hub.activitypub.jsonld import id_of
from hub.activitypub.objects import parse_post
from hub.context import HubContext
from hub.federation.errors import InvalidRemoteDocument
from hub.federation.fetcher import FetchBudget, fetch_json
from hub.federation.local_actors import actor_by_ap_id
from hub.federation.remote_actors import get_remote_actor
from hub.federation.remote_posts import is_followed_locally, store_remote_post
from hub.federation.timeline import add_timeline_entry, remove_boost
from hub.models import Post

logger = logging.getLogger(__name__)

BOOSTABLE_VISIBILITIES = ("public", "unlisted")


async def receive_boost(ctx: HubContext, activity: dict[str, Any]) -> None:
    """Show a boost by an actor we follow in the reader, fetching the post when we lack it."""
    object_id = id_of(activity.get("object"))
    booster = await get_remote_actor(ctx, str(id_of(activity["actor"])))
    if object_id is None or booster.is_local or not await is_followed_locally(ctx, booster):
        logger.info("boost by an actor nobody here follows ignored id=%s", activity["id"])
        return
    async with ctx.sessions() as session:
        stored = (await session.exec(select(Post).where(Post.ap_id == object_id))).first()
    if stored is not None and (stored.is_local or stored.deleted_at is not None):
        return
    now = ctx.clock()
    if stored is not None:
        async with ctx.sessions() as session, session.begin():
            if stored.visibility in BOOSTABLE_VISIBILITIES:
                await add_timeline_entry(
                    session, stored, booster, now=now, announce_ap_id=str(activity["id"])
                )
        return
    budget = FetchBudget()
    document = await fetch_json(ctx, object_id, budget=budget)
    post = parse_post(document)
    if post.ap_id != object_id:
        raise InvalidRemoteDocument(object_id, "the fetched object has another id")
    if post.visibility not in BOOSTABLE_VISIBILITIES:
        logger.info("boost of a post that is not public ignored id=%s", activity["id"])
        return
    author = await get_remote_actor(ctx, post.author_id, budget=budget)
    async with ctx.sessions() as session, session.begin():
        saved = await store_remote_post(session, author, post, document, now)
        if saved is not None:
            await add_timeline_entry(
                session, saved[0], booster, now=now, announce_ap_id=str(activity["id"])
            )
    logger.info("boost stored id=%s booster=%s", activity["id"], booster.ap_id)


async def undo_boost(ctx: HubContext, activity: dict[str, Any]) -> int:
    """Take a boost out of the reader, named by its Announce id or by the boosted post."""
    undone = activity.get("object")
    object_id = id_of(undone.get("object")) if isinstance(undone, dict) else None
    async with ctx.sessions() as session, session.begin():
        booster = await actor_by_ap_id(session, str(id_of(activity["actor"])))
        if booster is None or booster.is_local:
            return 0
        return await remove_boost(
            session, booster, announce_ap_id=id_of(undone), object_ap_id=object_id
        )
