"""Replies held for approval: list them for the people who may decide, approve or reject them.

A reply is held when it joins one of our conversations from an actor none of ours follows
(`hold_replies_from_strangers`). Deciding is for admins and for accounts that may publish
as the actor whose post the conversation is under.
"""

import logging
from dataclasses import dataclass
from typing import Literal

from sqlmodel import col, select

from hub.context import HubContext
from hub.federation.threads import our_post_above
from hub.models import Actor, Post
from hub.services.conversations import ReplyView, reply_view
from hub.services.errors import InvalidInput, NotFound, PermissionDenied
from hub.services.permissions import require_publish_right

logger = logging.getLogger(__name__)

Decision = Literal["approve", "reject"]
DECISIONS: dict[str, str] = {"approve": "approved", "reject": "rejected"}
MAX_LISTED = 100


@dataclass(frozen=True)
class HeldReply:
    """A reply waiting for a decision, with the post of ours whose conversation it joins."""

    reply: ReplyView
    post_title: str
    post_url: str
    is_direct: bool  # a reply to our post itself, not to another reply under it


async def held_replies(ctx: HubContext, account_id: int | None) -> list[HeldReply]:
    """Return the held replies the account may decide on, oldest first (at most 100)."""
    statement = (
        select(Post, Actor)
        .join(Actor, col(Actor.id) == col(Post.actor_id))
        .where(col(Post.approval) == "pending", col(Post.deleted_at).is_(None))
        .where(col(Actor.deleted_at).is_(None))
        .order_by(col(Post.published_at), col(Post.id))
        .limit(MAX_LISTED)
    )
    async with ctx.sessions() as session:
        rows = (await session.exec(statement)).all()
    held: list[HeldReply] = []
    for reply, author in rows:
        ours = await our_post_above(ctx, reply.in_reply_to)
        if ours is None or not await _may_decide(ctx, account_id, ours):
            continue
        held.append(
            HeldReply(
                reply=reply_view(ctx, reply, author),
                post_title=ours.title,
                post_url=ours.html_url or ours.ap_id,
                is_direct=reply.in_reply_to == ours.ap_id,
            )
        )
    return held


async def _may_decide(ctx: HubContext, account_id: int | None, ours: Post) -> bool:
    async with ctx.sessions() as session:
        actor = await session.get(Actor, ours.actor_id)
    if actor is None:
        return False
    try:
        await require_publish_right(ctx, account_id, actor)
    except PermissionDenied:
        return False
    return True


async def decide_reply(
    ctx: HubContext, reply_id: int, decision: str, *, account_id: int | None = None
) -> Post:
    """Approve (show it) or reject (never show it) a held reply; return it.

    Raises:
        InvalidInput: the decision is neither approve nor reject.
        NotFound: no held reply with that id (already decided, deleted, or never held).
        PermissionDenied: the account may not publish as the actor of the post above it.
    """
    approval = DECISIONS.get(decision)
    if approval is None:
        raise InvalidInput("decision", "must be approve or reject")
    async with ctx.sessions() as session:
        reply = await session.get(Post, reply_id)
    if reply is None or reply.approval != "pending" or reply.deleted_at is not None:
        raise NotFound("no such reply waiting for approval")
    ours = await our_post_above(ctx, reply.in_reply_to)
    if ours is None:
        raise NotFound("no such reply waiting for approval")
    async with ctx.sessions() as session:
        actor = await session.get(Actor, ours.actor_id)
    if actor is None:
        raise NotFound("no such reply waiting for approval")
    await require_publish_right(ctx, account_id, actor)
    async with ctx.sessions() as session, session.begin():
        stored = await session.get(Post, reply_id)
        if stored is None or stored.approval != "pending":
            raise NotFound("no such reply waiting for approval")
        stored.approval = approval
        session.add(stored)
    logger.info("reply %s id=%s", approval, reply.ap_id)
    return stored
