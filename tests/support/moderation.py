"""Decide on held replies by their ActivityPub id, as staff do on the replies page."""

from sqlmodel import select

from hub.context import HubContext
from hub.models import Post
from hub.services.reply_moderation import decide_reply


async def approval_of(ctx: HubContext, ap_id: str) -> str | None:
    """Return the approval state of a stored post, or None when it is not stored (yet)."""
    async with ctx.sessions() as session:
        return (await session.exec(select(Post.approval).where(Post.ap_id == ap_id))).first()


async def decide_on(ctx: HubContext, ap_id: str, decision: str = "approve") -> None:
    """Approve (or reject) the held reply with this id."""
    async with ctx.sessions() as session:
        reply_id = (await session.exec(select(Post.id).where(Post.ap_id == ap_id))).one()
    assert reply_id is not None
    await decide_reply(ctx, reply_id, decision)
