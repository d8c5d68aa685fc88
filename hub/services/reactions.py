"""Likes, boosts and replies our posts received: counts and the collections that show them."""

from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa
from sqlmodel import col, select

from hub.context import HubContext
from hub.models import Interaction, Post

PAGE_SIZE = 20
ReactionCollection = Literal["likes", "shares", "replies"]
REACTION_COLLECTIONS: tuple[ReactionCollection, ...] = ("likes", "shares", "replies")
KIND_OF_COLLECTION = {"likes": "like", "shares": "announce"}


@dataclass(frozen=True)
class ReplyPage:
    """One page of the replies to a post: reply ids, newest first, and the next cursor."""

    items: list[str]
    next_cursor: int | None
    total: int


def _visible_replies(post: Post) -> Any:
    # Replies held for approval, or rejected, are never listed (nor counted).
    return (
        col(Post.in_reply_to) == post.ap_id,
        col(Post.deleted_at).is_(None),
        col(Post.visibility).in_(("public", "unlisted")),
        col(Post.approval) == "approved",
    )


async def reaction_total(ctx: HubContext, post: Post, name: ReactionCollection) -> int:
    """Return how many likes, boosts or visible replies a post has (`totalItems`)."""
    async with ctx.sessions() as session:
        if name == "replies":
            statement = select(sa.func.count()).select_from(Post).where(*_visible_replies(post))
        else:
            statement = (
                select(sa.func.count())
                .select_from(Interaction)
                .where(
                    Interaction.post_id == post.id,
                    Interaction.kind == KIND_OF_COLLECTION[name],
                )
            )
        return (await session.exec(statement)).one()


async def reply_page(ctx: HubContext, post: Post, *, before: int | None) -> ReplyPage:
    """Return the newest visible replies older than the cursor `before` (an internal row id)."""
    total = await reaction_total(ctx, post, "replies")
    statement = select(Post.id, Post.ap_id).where(*_visible_replies(post))
    if before is not None:
        statement = statement.where(col(Post.id) < before)
    statement = statement.order_by(col(Post.id).desc()).limit(PAGE_SIZE + 1)
    async with ctx.sessions() as session:
        rows = (await session.exec(statement)).all()
    shown = rows[:PAGE_SIZE]
    next_cursor = shown[-1][0] if len(rows) > PAGE_SIZE and shown else None
    return ReplyPage(items=[ap_id for _, ap_id in shown], next_cursor=next_cursor, total=total)


def reaction_collection_id(post: Post, name: ReactionCollection) -> str:
    """Return the id of one of a post's reaction collections."""
    return f"{post.ap_id}/{name}"


async def with_reactions(ctx: HubContext, post: Post, document: dict[str, Any]) -> dict[str, Any]:
    """Return a post's object with current `likes`, `shares` and `replies` (spec §5.8).

    Mastodon 4.4+ shows `likes.totalItems` and `shares.totalItems` of remote posts, and
    reads the first page of `replies` when it discovers a post.
    """
    served = dict(document)
    for name in ("likes", "shares"):
        served[name] = {
            "id": reaction_collection_id(post, name),
            "type": "Collection",
            "totalItems": await reaction_total(ctx, post, name),
        }
    replies_id = reaction_collection_id(post, "replies")
    served["replies"] = {
        "id": replies_id,
        "type": "OrderedCollection",
        "totalItems": await reaction_total(ctx, post, "replies"),
        "first": f"{replies_id}?page=true",
    }
    return served
