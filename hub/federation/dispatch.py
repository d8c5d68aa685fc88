"""Which handler applies which received activity: the one place to see what Hub understands."""

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from hub.activitypub.jsonld import id_of
from hub.activitypub.objects import POST_TYPES
from hub.context import HubContext
from hub.federation.handlers import (
    actors,
    boosts,
    follows,
    interactions,
    moderation,
    moves,
    posts,
)
from hub.models import InboxItem

logger = logging.getLogger(__name__)

Handler = Callable[[HubContext, dict[str, Any]], Awaitable[None]]

ACTOR_TYPES = frozenset({"Application", "Group", "Organization", "Person", "Service"})


async def _receive_like(ctx: HubContext, activity: dict[str, Any]) -> None:
    await interactions.receive_interaction(ctx, activity)


async def _receive_announce(ctx: HubContext, activity: dict[str, Any]) -> None:
    """Count a boost of our post, or show a boost of someone else's in the reader."""
    if not await interactions.receive_interaction(ctx, activity):
        await boosts.receive_boost(ctx, activity)


HANDLERS: dict[str, Handler] = {
    "Follow": follows.apply_follow,
    "Accept": follows.apply_accept,
    "Reject": follows.apply_reject,
    "Create": posts.apply_create,
    "Like": _receive_like,
    "Announce": _receive_announce,
    "Flag": moderation.receive_flag,
    "Block": moderation.receive_block,
    "Move": moves.receive_move,
}


async def _undo_like_or_announce(ctx: HubContext, activity: dict[str, Any]) -> None:
    await interactions.undo_interaction(ctx, activity)
    await boosts.undo_boost(ctx, activity)


async def _undo_block(ctx: HubContext, activity: dict[str, Any]) -> None:
    await moderation.undo_block(ctx, activity)


async def _undo_by_id(ctx: HubContext, activity: dict[str, Any]) -> None:
    """Undo an activity named only by its id: whichever of ours it turns out to be."""
    await follows.apply_undo(ctx, activity)
    await interactions.undo_interaction(ctx, activity)
    await boosts.undo_boost(ctx, activity)
    await moderation.undo_block(ctx, activity)


UNDO_HANDLERS: dict[str, Handler] = {
    "Follow": follows.apply_undo,
    "Like": _undo_like_or_announce,
    "Announce": _undo_like_or_announce,
    "Block": _undo_block,
}


def handler_for(activity: dict[str, Any]) -> Handler | None:
    """Return the handler of an activity, looking into Update and Delete by object."""
    kind = activity["type"]
    inner = activity.get("object")
    inner_type = inner.get("type") if isinstance(inner, dict) else None
    if kind == "Update":
        if inner_type in ACTOR_TYPES:
            return actors.apply_actor_update
        if inner_type in POST_TYPES:
            return posts.apply_post_update
        return None
    if kind == "Undo":
        return UNDO_HANDLERS.get(str(inner_type), _undo_by_id) if inner_type else _undo_by_id
    if kind == "Delete":
        if id_of(inner) == id_of(activity["actor"]):
            return actors.apply_actor_delete
        return posts.apply_post_delete
    return HANDLERS.get(kind)


async def apply_inbox_item(ctx: HubContext, item_id: int) -> None:
    """Apply one stored inbox item; unknown types are recorded and left alone."""
    async with ctx.sessions() as session:
        item = await session.get(InboxItem, item_id)
    if item is None:
        return
    handler = handler_for(item.body)
    if handler is None:
        logger.info("activity type not handled type=%s id=%s", item.activity_type, item.activity_id)
        return
    await handler(ctx, item.body)
