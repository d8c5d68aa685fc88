"""Conversations: the replies under a post as a tree of plain views, with its likes and boosts.

Replies are read level by level down `in_reply_to` (at most `MAX_DEPTH` levels and
`MAX_REPLIES` replies), oldest first, as a thread reads. The public sees approved, public or
unlisted replies whose author still exists; staff also see replies held for approval.
Remote HTML is sanitised when it is stored and again when a view is built, so a page never
depends on what an older version of the sanitiser let through.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hub.context import HubContext
from hub.federation.sanitising import sanitise_html
from hub.models import Actor, Interaction, MediaAttachment, Post
from hub.services.actors import ActorSummary, summarise
from hub.services.post_views import ImageView, image_view

MAX_DEPTH = 8
MAX_REPLIES = 200
SHOWN_VISIBILITIES = ("public", "unlisted")


@dataclass(frozen=True)
class ReplyView:
    """One reply as a thread shows it, with the replies to it.

    The contract of `templates/partials/thread.html`: `title`, `content_warning` and the
    author's names are plain text (escaped there); `body_html` is sanitised; `url` is an
    http(s) link to the reply where it lives.
    """

    post_id: int
    anchor: str
    ap_id: str
    url: str
    author: ActorSummary
    title: str
    content_warning: str
    body_html: str
    images: tuple[ImageView, ...]
    published_at: datetime
    edited_at: datetime | None
    language: str | None
    approval: str
    replies: tuple["ReplyView", ...] = ()


@dataclass(frozen=True)
class Conversation:
    """What a post page shows under the post: the thread and the counts."""

    replies: tuple[ReplyView, ...]
    reply_count: int
    like_count: int
    boost_count: int
    # Any like, boost or reply, shown or not: the page then changes without the post changing.
    has_reactions: bool


def _shown(include_held: bool) -> list[Any]:
    approvals = ("approved", "pending") if include_held else ("approved",)
    return [
        col(Post.deleted_at).is_(None),
        col(Post.state) == "published",
        col(Post.visibility).in_(SHOWN_VISIBILITIES),
        col(Post.approval).in_(approvals),
        col(Actor.deleted_at).is_(None),
    ]


async def reply_tree(
    ctx: HubContext, ap_id: str, *, include_held: bool = False
) -> tuple[ReplyView, ...]:
    """Return the replies under the post `ap_id`, each with its own replies, oldest first."""
    found: list[tuple[Post, Actor]] = []
    frontier = [ap_id]
    async with ctx.sessions() as session:
        for _ in range(MAX_DEPTH):
            if not frontier or len(found) >= MAX_REPLIES:
                break
            statement = (
                select(Post, Actor)
                .join(Actor, col(Actor.id) == col(Post.actor_id))
                .where(col(Post.in_reply_to).in_(frontier), *_shown(include_held))
                .order_by(col(Post.published_at), col(Post.id))
                .limit(MAX_REPLIES - len(found))
            )
            level = list((await session.exec(statement)).all())
            found.extend(level)
            frontier = [post.ap_id for post, _ in level]
        media = await _media_of(session, [post.id for post, _ in found if post.id is not None])
    return _as_tree(ctx, ap_id, found, media)


def _as_tree(
    ctx: HubContext,
    root: str,
    rows: Sequence[tuple[Post, Actor]],
    media: dict[int, list[MediaAttachment]],
) -> tuple[ReplyView, ...]:
    children: dict[str, list[tuple[Post, Actor]]] = defaultdict(list)
    for post, author in rows:
        children[post.in_reply_to or ""].append((post, author))

    def build(parent: str) -> tuple[ReplyView, ...]:
        return tuple(
            reply_view(ctx, post, author, media.get(post.id or 0, []), build(post.ap_id))
            for post, author in children.get(parent, [])
        )

    return build(root)


def reply_view(
    ctx: HubContext,
    post: Post,
    author: Actor,
    media: Sequence[MediaAttachment] = (),
    replies: tuple[ReplyView, ...] = (),
) -> ReplyView:
    """Return the view of one reply (or any post shown in a thread)."""
    assert post.id is not None  # noqa: S101 - a stored post
    edited_at = post.updated_at if post.updated_at not in (None, post.published_at) else None
    return ReplyView(
        post_id=post.id,
        anchor=f"reply-{post.id}",
        ap_id=post.ap_id,
        url=post.html_url or post.ap_id,
        author=summarise(author),
        title=post.title,
        content_warning=post.content_warning,
        body_html=post.content_html if post.is_local else sanitise_html(post.content_html),
        images=tuple(image_view(ctx.settings, item) for item in media),
        published_at=post.published_at,
        edited_at=edited_at,
        language=post.language,
        approval=post.approval,
        replies=replies,
    )


async def _media_of(session: AsyncSession, post_ids: list[int]) -> dict[int, list[MediaAttachment]]:
    by_post: dict[int, list[MediaAttachment]] = defaultdict(list)
    if not post_ids:
        return by_post
    statement = (
        select(MediaAttachment)
        .where(col(MediaAttachment.post_id).in_(post_ids))
        .order_by(col(MediaAttachment.post_id), col(MediaAttachment.position))
    )
    for attachment in (await session.exec(statement)).all():
        if attachment.post_id is not None:
            by_post[attachment.post_id].append(attachment)
    return by_post


def count_replies(replies: Sequence[ReplyView]) -> int:
    """Return how many replies a tree holds, at every depth."""
    return sum(1 + count_replies(reply.replies) for reply in replies)


async def conversation_of(ctx: HubContext, post: Post) -> Conversation:
    """Return the thread under one of our posts, with its like and boost counts."""
    replies = await reply_tree(ctx, post.ap_id)
    async with ctx.sessions() as session:
        counts: dict[str, int] = dict(
            (
                await session.exec(
                    select(Interaction.kind, sa.func.count())
                    .where(col(Interaction.post_id) == post.id)
                    .group_by(col(Interaction.kind))
                )
            ).all()
        )
        any_reply = (
            await session.exec(select(Post.id).where(col(Post.in_reply_to) == post.ap_id).limit(1))
        ).first()
    return Conversation(
        replies=replies,
        reply_count=count_replies(replies),
        like_count=counts.get("like", 0),
        boost_count=counts.get("announce", 0),
        has_reactions=bool(counts) or any_reply is not None,
    )
