"""Publish scheduled posts when they fall due: state, Create and fan-out in one transaction.

The worker runs `publish_due_posts` as one of its passes (injected by the app and the
`hub worker` command, as the inbox handlers are).

Each post moves from `scheduled` to `published` by a conditional UPDATE inside the
transaction that records its Create. A second worker racing for the same post updates no
row (PostgreSQL makes it wait for the first and re-check; SQLite has one writer), so every
post is sent exactly once, and never before its time.
"""

import logging

import sqlalchemy as sa
from sqlmodel import col, select

from hub.context import HubContext
from hub.federation.post_activities import record_post_create
from hub.models import Actor, Post

logger = logging.getLogger(__name__)

BATCH_SIZE = 25


async def publish_due_posts(ctx: HubContext, *, limit: int = BATCH_SIZE) -> int:
    """Publish up to `limit` scheduled posts whose time has come; return how many."""
    now = ctx.clock()
    async with ctx.sessions() as session:
        due = await session.exec(
            select(Post.id)
            .where(col(Post.is_local), col(Post.state) == "scheduled")
            .where(col(Post.scheduled_at) <= now, col(Post.deleted_at).is_(None))
            .order_by(col(Post.scheduled_at), col(Post.id))
            .limit(limit)
        )
        post_ids = [int(post_id) for post_id in due.all() if post_id is not None]
    published = 0
    for post_id in post_ids:
        async with ctx.sessions() as session, session.begin():
            moved = await session.exec(
                sa.update(Post)
                .where(col(Post.id) == post_id, col(Post.state) == "scheduled")
                .where(col(Post.scheduled_at) <= now)
                .values(state="published", scheduled_at=None)
            )
            if moved.rowcount != 1:
                continue  # another worker published it, or it was unscheduled meanwhile
            # Pending posts alone keep `scheduled_at`, so the index scan stays small.
            post = await session.get(Post, post_id)
            actor = None if post is None else await session.get(Actor, post.actor_id)
            if post is None or actor is None:
                continue
            await record_post_create(session, actor, post, now)
        published += 1
        logger.info("scheduled post published id=%s", post.ap_id)
    return published
