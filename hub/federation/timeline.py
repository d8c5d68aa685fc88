"""Keep the reader's timeline in step with what arrives: entries for posts and boosts, tags.

Every function works inside the caller's transaction, the one that stored the post or
applied the activity, so the timeline never shows something that was not stored.
"""

from datetime import datetime

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hub.db import insert_ignoring_conflicts
from hub.models import Actor, Post, TimelineEntry, TimelineTag

MAX_TAG_LENGTH = 100
# Visibilities the reader shows: a direct message is a notification, not a timeline item.
TIMELINE_VISIBILITIES = ("public", "unlisted", "followers")


def timeline_tags_of(post: Post) -> list[str]:
    """Return a post's tags as the reader filters by them: lowercase, without '#', unique."""
    names = {name.strip().lstrip("#").lower()[:MAX_TAG_LENGTH] for name in post.tags}
    return sorted(names - {""})


async def add_timeline_entry(
    session: AsyncSession,
    post: Post,
    source: Actor,
    *,
    now: datetime,
    announce_ap_id: str | None = None,
) -> bool:
    """Put a post in the timeline as `source`'s (its author's post, or a boost by `source`).

    Returns whether an entry was added; a post already there from the same source is kept
    where it is (a replayed Create or a repeated boost does not move it to the top).
    """
    if post.visibility not in TIMELINE_VISIBILITIES or post.deleted_at is not None:
        return False
    is_boost = announce_ap_id is not None
    inserted = await insert_ignoring_conflicts(
        session,
        TimelineEntry,
        {
            "post_id": post.id,
            "source_actor_id": source.id,
            "is_boost": is_boost,
            "announce_ap_id": announce_ap_id,
            "created_at": now,
        },
        conflict_columns=["post_id", "source_actor_id"],
    )
    if not inserted:
        return False
    entry_id = (
        await session.exec(
            select(TimelineEntry.id).where(
                TimelineEntry.post_id == post.id, TimelineEntry.source_actor_id == source.id
            )
        )
    ).one()
    assert entry_id is not None  # noqa: S101 - a stored row
    session.add_all(TimelineTag(tag=name, entry_id=entry_id) for name in timeline_tags_of(post))
    return True


async def refresh_timeline_tags(session: AsyncSession, post: Post) -> None:
    """Make the tags of every entry of `post` its current tags (after an Update)."""
    entry_ids = list(
        (await session.exec(select(TimelineEntry.id).where(TimelineEntry.post_id == post.id))).all()
    )
    if not entry_ids:
        return
    await session.exec(delete(TimelineTag).where(col(TimelineTag.entry_id).in_(entry_ids)))
    names = timeline_tags_of(post)
    session.add_all(
        TimelineTag(tag=name, entry_id=entry_id)
        for entry_id in entry_ids
        if entry_id is not None
        for name in names
    )


async def remove_post_from_timeline(session: AsyncSession, post_id: int) -> None:
    """Remove a post and every boost of it from the timeline (it was deleted)."""
    await session.exec(delete(TimelineEntry).where(col(TimelineEntry.post_id) == post_id))


async def remove_source_from_timeline(session: AsyncSession, actor_id: int) -> None:
    """Remove the posts and boosts an actor put in the timeline (we stopped following it)."""
    await session.exec(delete(TimelineEntry).where(col(TimelineEntry.source_actor_id) == actor_id))


async def remove_actor_from_timeline(session: AsyncSession, actor_id: int) -> None:
    """Remove everything an actor put in the timeline, and its posts boosted by others."""
    await remove_source_from_timeline(session, actor_id)
    await session.exec(
        delete(TimelineEntry).where(
            col(TimelineEntry.post_id).in_(select(Post.id).where(Post.actor_id == actor_id))
        )
    )


async def remove_boost(
    session: AsyncSession, booster: Actor, *, announce_ap_id: str | None, object_ap_id: str | None
) -> int:
    """Remove a boost from the timeline, named by its Announce id or by the boosted post."""
    removed = 0
    if announce_ap_id is not None:
        result = await session.exec(
            delete(TimelineEntry).where(
                col(TimelineEntry.source_actor_id) == booster.id,
                col(TimelineEntry.is_boost),
                col(TimelineEntry.announce_ap_id) == announce_ap_id,
            )
        )
        removed = int(getattr(result, "rowcount", 0) or 0)
    if removed == 0 and object_ap_id is not None:
        result = await session.exec(
            delete(TimelineEntry).where(
                col(TimelineEntry.source_actor_id) == booster.id,
                col(TimelineEntry.is_boost),
                col(TimelineEntry.post_id).in_(select(Post.id).where(Post.ap_id == object_ap_id)),
            )
        )
        removed = int(getattr(result, "rowcount", 0) or 0)
    return removed
