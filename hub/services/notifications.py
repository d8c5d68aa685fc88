"""Staff notifications: what remote actors did to the actors an account may publish as."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import col, select, update

from hub.context import HubContext
from hub.models import Actor, Notification, Post
from hub.services.accounts import publishable_actors
from hub.services.actors import ActorSummary, summarise
from hub.services.reader import html_to_text, web_link

PAGE_SIZE = 30
# The navigation shows "99+" beyond this; counting further would only cost time.
UNREAD_COUNT_CAP = 100
EXCERPT_LENGTH = 200
MAX_CURSOR = 2**62


@dataclass(frozen=True)
class NotificationView:
    """One notification as the page shows it; texts are plain (templates escape them)."""

    notification_id: int
    kind: str
    local_actor: str  # our actor's username
    remote_actor: ActorSummary
    remote_link: str | None
    post_title: str
    post_excerpt: str
    post_link: str | None
    is_read: bool
    created_at: datetime


@dataclass(frozen=True)
class NotificationPage:
    """One page of notifications, newest first, and the cursor of the next one."""

    items: tuple[NotificationView, ...]
    next_cursor: int | None
    newest_id: int | None


async def _actor_ids(ctx: HubContext, account_id: int | None) -> list[int]:
    return [actor.id for actor in await publishable_actors(ctx, account_id) if actor.id is not None]


async def unread_count(ctx: HubContext, account_id: int | None) -> int:
    """Return how many notifications the account has not read, up to UNREAD_COUNT_CAP."""
    actor_ids = await _actor_ids(ctx, account_id)
    if not actor_ids:
        return 0
    unread = (
        select(Notification.id)
        .where(col(Notification.is_read).is_(False))
        .where(col(Notification.local_actor_id).in_(actor_ids))
        .limit(UNREAD_COUNT_CAP)
        .subquery()
    )
    async with ctx.sessions() as session:
        return (await session.exec(select(sa.func.count()).select_from(unread))).one()


async def notification_page(
    ctx: HubContext,
    account_id: int | None,
    *,
    before: int | None = None,
    page_size: int = PAGE_SIZE,
) -> NotificationPage:
    """Return the account's newest notifications below the cursor (a notification id)."""
    actor_ids = await _actor_ids(ctx, account_id)
    if not actor_ids:
        return NotificationPage(items=(), next_cursor=None, newest_id=None)
    statement = select(Notification).where(col(Notification.local_actor_id).in_(actor_ids))
    if before is not None:
        statement = statement.where(col(Notification.id) < before)
    statement = statement.order_by(col(Notification.id).desc()).limit(page_size + 1)
    async with ctx.sessions() as session:
        found = list((await session.exec(statement)).all())
        shown = found[:page_size]
        ids = {row.local_actor_id for row in shown} | {row.remote_actor_id for row in shown}
        actors = {
            actor.id: actor
            for actor in (await session.exec(select(Actor).where(col(Actor.id).in_(ids)))).all()
        }
        post_ids = {row.post_id for row in shown if row.post_id is not None}
        posts = {
            post.id: post
            for post in (await session.exec(select(Post).where(col(Post.id).in_(post_ids)))).all()
        }
    items = []
    for row in shown:
        local, remote = actors.get(row.local_actor_id), actors.get(row.remote_actor_id)
        if local is None or remote is None or row.id is None:
            continue
        post = None if row.post_id is None else posts.get(row.post_id)
        items.append(_view(row, local, remote, post))
    next_cursor = shown[-1].id if len(found) > page_size and shown else None
    newest_id = shown[0].id if shown else None
    return NotificationPage(items=tuple(items), next_cursor=next_cursor, newest_id=newest_id)


def _view(row: Notification, local: Actor, remote: Actor, post: Post | None) -> NotificationView:
    summary = summarise(remote)
    excerpt = ""
    title = ""
    link = None
    if post is not None and post.deleted_at is None:
        title = post.title
        excerpt = html_to_text(post.content_html)
        if len(excerpt) > EXCERPT_LENGTH:
            excerpt = excerpt[: EXCERPT_LENGTH - 1].rsplit(" ", 1)[0] + "…"
        link = web_link(post.html_url) or web_link(post.ap_id)
    return NotificationView(
        notification_id=row.id or 0,
        kind=row.kind,
        local_actor=local.username,
        remote_actor=summary,
        remote_link=web_link(summary.html_url) or web_link(remote.ap_id),
        post_title=title,
        post_excerpt=excerpt,
        post_link=link,
        is_read=row.is_read,
        created_at=row.created_at,
    )


async def mark_read(ctx: HubContext, account_id: int | None, *, up_to: int) -> None:
    """Mark the account's notifications up to id `up_to` read (newer ones stay unread)."""
    actor_ids = await _actor_ids(ctx, account_id)
    if not actor_ids:
        return
    async with ctx.sessions() as session, session.begin():
        await session.exec(
            update(Notification)
            .where(col(Notification.local_actor_id).in_(actor_ids))
            .where(col(Notification.id) <= up_to, col(Notification.is_read).is_(False))
            .values(is_read=True)
        )
