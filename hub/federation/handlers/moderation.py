"""Flag and Block from other servers: moderation reports, and actors that block ours (spec §7)."""

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlmodel import col, delete, select

from hub.activitypub.jsonld import as_list, id_of
from hub.context import HubContext
from hub.db import insert_ignoring_conflicts
from hub.federation.local_actors import actor_by_ap_id, local_actor_by_ap_id
from hub.federation.remote_actors import get_remote_actor
from hub.models import Actor, ActorBlock, Follow, Post, Report

logger = logging.getLogger(__name__)

MAX_REPORT_TARGETS = 100
MAX_REPORT_COMMENT = 10_000
MAX_ID_LENGTH = 2048


@dataclass(frozen=True)
class VerifiedReport:
    """A Flag that names at least one of our actors or posts."""

    ap_id: str
    reporter: Actor
    target_ap_ids: tuple[str, ...]
    comment: str


def _report_targets(activity: dict[str, Any]) -> tuple[str, ...]:
    targets: list[str] = []
    for item in as_list(activity.get("object"))[:MAX_REPORT_TARGETS]:
        target = id_of(item)
        if target and len(target) <= MAX_ID_LENGTH and urlsplit(target).scheme in ("http", "https"):
            targets.append(target)
    return tuple(dict.fromkeys(targets))


async def verify_flag(ctx: HubContext, activity: dict[str, Any]) -> VerifiedReport | None:
    """Return the report when it concerns something of ours; None otherwise."""
    targets = _report_targets(activity)
    if not targets:
        return None
    async with ctx.sessions() as session:
        our_actors = select(Actor.id).where(col(Actor.ap_id).in_(targets), col(Actor.is_local))
        our_posts = select(Post.id).where(col(Post.ap_id).in_(targets), col(Post.is_local))
        concerns_us = (await session.exec(our_actors)).first() is not None or (
            await session.exec(our_posts)
        ).first() is not None
    if not concerns_us:
        return None
    # Mastodon reports from its instance actor, which need not follow anyone here.
    reporter = await get_remote_actor(ctx, str(id_of(activity["actor"])))
    content = activity.get("content")
    comment = content[:MAX_REPORT_COMMENT] if isinstance(content, str) else ""
    return VerifiedReport(
        ap_id=activity["id"], reporter=reporter, target_ap_ids=targets, comment=comment
    )


async def receive_flag(ctx: HubContext, activity: dict[str, Any]) -> None:
    """Record a moderation report about our actors or posts, once per Flag id."""
    verified = await verify_flag(ctx, activity)
    if verified is None:
        logger.info("flag about nothing of ours ignored id=%s", activity["id"])
        return
    async with ctx.sessions() as session, session.begin():
        await insert_ignoring_conflicts(
            session,
            Report,
            {
                "ap_id": verified.ap_id,
                "reporter_actor_id": verified.reporter.id,
                "target_ap_ids": list(verified.target_ap_ids),
                "comment": verified.comment,
                "created_at": ctx.clock(),
            },
            conflict_columns=["ap_id"],
        )
    logger.info(
        "report received id=%s reporter=%s targets=%d",
        verified.ap_id, verified.reporter.ap_id, len(verified.target_ap_ids),
    )  # fmt: skip


@dataclass(frozen=True)
class VerifiedBlock:
    """A remote actor blocks one of our actors."""

    ap_id: str
    blocker: Actor
    blocked: Actor


async def verify_block(ctx: HubContext, activity: dict[str, Any]) -> VerifiedBlock | None:
    """Return the block when its object is one of our publishing actors."""
    async with ctx.sessions() as session:
        blocked = await local_actor_by_ap_id(session, id_of(activity.get("object")))
    if blocked is None or blocked.is_instance_actor:
        return None
    blocker = await get_remote_actor(ctx, str(id_of(activity["actor"])))
    if blocker.is_local:
        return None
    return VerifiedBlock(ap_id=activity["id"], blocker=blocker, blocked=blocked)


async def receive_block(ctx: HubContext, activity: dict[str, Any]) -> None:
    """Remember the block and end the follows between the two actors, both ways.

    Nothing more is delivered to the blocker's inbox while the block lasts (fan-out skips
    it), and its follows are gone, so our posts no longer reach it through followers.
    """
    verified = await verify_block(ctx, activity)
    if verified is None:
        logger.info("block of nobody here ignored id=%s", activity["id"])
        return
    blocker_id, blocked_id = verified.blocker.id, verified.blocked.id
    async with ctx.sessions() as session, session.begin():
        await insert_ignoring_conflicts(
            session,
            ActorBlock,
            {
                "ap_id": verified.ap_id,
                "blocker_id": blocker_id,
                "blocked_id": blocked_id,
                "created_at": ctx.clock(),
            },
            conflict_columns=["blocker_id", "blocked_id"],
        )
        await session.exec(
            delete(Follow).where(
                ((col(Follow.follower_id) == blocker_id) & (col(Follow.followed_id) == blocked_id))
                | (
                    (col(Follow.follower_id) == blocked_id)
                    & (col(Follow.followed_id) == blocker_id)
                )
            )
        )
    logger.info("blocked by remote actor blocker=%s blocked=%s",
                verified.blocker.ap_id, verified.blocked.ap_id)  # fmt: skip


async def undo_block(ctx: HubContext, activity: dict[str, Any]) -> int:
    """Lift the block an Undo names (embedded Block, or only its id); return how many."""
    undone = activity.get("object")
    undone_id = id_of(undone)
    async with ctx.sessions() as session, session.begin():
        blocker = await actor_by_ap_id(session, str(id_of(activity["actor"])))
        if blocker is None or undone_id is None:
            return 0
        statement = delete(ActorBlock).where(col(ActorBlock.blocker_id) == blocker.id)
        blocked = None
        if isinstance(undone, dict) and undone.get("type") == "Block":
            blocked = await local_actor_by_ap_id(session, id_of(undone.get("object")))
        if blocked is not None:
            statement = statement.where(col(ActorBlock.blocked_id) == blocked.id)
        else:
            statement = statement.where(col(ActorBlock.ap_id) == undone_id)
        result = await session.exec(statement)
        count = int(getattr(result, "rowcount", 0) or 0)
    if count:
        logger.info("block lifted blocker=%s", blocker.ap_id)
    return count
