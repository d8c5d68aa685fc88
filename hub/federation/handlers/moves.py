"""Move: an account we follow has moved; follow the new one if it claims the old (spec §6)."""

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlmodel import col, select

from hub.activitypub.actors import parse_actor
from hub.activitypub.errors import InvalidActivity
from hub.activitypub.jsonld import id_of
from hub.context import HubContext
from hub.federation.errors import InvalidRemoteDocument
from hub.federation.fetcher import fetch_json
from hub.federation.follow_requests import find_follow, request_follow, withdraw_follow
from hub.federation.local_actors import actor_by_ap_id
from hub.federation.remote_actors import store_remote_actor
from hub.models import Actor, Follow

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class VerifiedMove:
    """A move from `old` to `new`, confirmed by `new` listing `old` in alsoKnownAs."""

    old: Actor
    new: Actor
    local_followers: tuple[Actor, ...]


async def _local_followers_of(
    ctx: HubContext, actor_ap_id: str
) -> tuple[Actor | None, list[Actor]]:
    async with ctx.sessions() as session:
        old = await actor_by_ap_id(session, actor_ap_id)
        if old is None or old.is_local:
            return None, []
        statement = (
            select(Actor)
            .join(Follow, col(Follow.follower_id) == col(Actor.id))
            .where(col(Follow.followed_id) == old.id, col(Actor.is_local))
            .where(col(Actor.deleted_at).is_(None))
        )
        return old, list((await session.exec(statement)).all())


async def verify_move(ctx: HubContext, activity: dict[str, Any]) -> VerifiedMove | None:
    """Return the move when one of ours follows the old account and the new one confirms it.

    The new actor is fetched afresh: its `alsoKnownAs` must name the old actor, as Mastodon
    requires, or anyone could take over another account's followers.

    Raises:
        RemoteError: the new actor could not be fetched or is not an acceptable actor.
    """
    old_id = str(id_of(activity["actor"]))
    new_id = id_of(activity.get("target"))
    if id_of(activity.get("object")) != old_id or new_id is None or new_id == old_id:
        return None
    if urlsplit(new_id).scheme not in ("http", "https"):
        return None
    old, followers = await _local_followers_of(ctx, old_id)
    if old is None or not followers:
        return None
    document = await fetch_json(ctx, new_id)
    try:
        parsed = parse_actor(document, fetched_url=new_id)
    except InvalidActivity as error:
        raise InvalidRemoteDocument(new_id, str(error)) from None
    if old_id not in parsed.also_known_as:
        logger.warning("move not confirmed by the new actor old=%s new=%s", old_id, new_id)
        return None
    new = await store_remote_actor(ctx, parsed)
    if new.is_local:
        return None
    return VerifiedMove(old=old, new=new, local_followers=tuple(followers))


async def receive_move(ctx: HubContext, activity: dict[str, Any]) -> None:
    """Unfollow the old account and follow the new one, for each of our actors that followed."""
    verified = await verify_move(ctx, activity)
    if verified is None:
        logger.info("move ignored id=%s", activity["id"])
        return
    now = ctx.clock()
    async with ctx.sessions() as session, session.begin():
        for follower in verified.local_followers:
            row = await find_follow(session, follower, verified.old)
            if row is not None:
                await withdraw_follow(
                    session, follower=follower, target=verified.old, row=row, now=now
                )
            await request_follow(session, follower=follower, target=verified.new, now=now)
    logger.info(
        "followed a moved account old=%s new=%s followers=%d",
        verified.old.ap_id, verified.new.ap_id, len(verified.local_followers),
    )  # fmt: skip
