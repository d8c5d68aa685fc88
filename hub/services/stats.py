"""Counts the Hub reports about itself (NodeInfo, status pages)."""

from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import col, select

from hub.activitypub.nodeinfo import Usage
from hub.context import HubContext
from hub.models import Actor, Post


async def usage_counts(ctx: HubContext) -> Usage:
    """Return local publishing actors and posts, with activity windows for NodeInfo."""
    now = ctx.clock()
    async with ctx.sessions() as session:
        actors = (
            await session.exec(
                select(sa.func.count())
                .select_from(Actor)
                .where(col(Actor.is_local), col(Actor.is_instance_actor).is_(False))
                .where(col(Actor.deleted_at).is_(None))
            )
        ).one()
        posts = (
            await session.exec(
                select(sa.func.count())
                .select_from(Post)
                .where(col(Post.is_local), col(Post.deleted_at).is_(None))
            )
        ).one()

        async def active_since(days: int) -> int:
            statement = (
                select(sa.func.count(sa.distinct(col(Post.actor_id))))
                .where(col(Post.is_local), col(Post.published_at) >= now - timedelta(days=days))
                .where(col(Post.deleted_at).is_(None))
            )
            return (await session.exec(statement)).one()

        half_year = await active_since(180)
        month = await active_since(30)
    return Usage(
        total_users=actors, active_half_year=half_year, active_month=month, local_posts=posts
    )
