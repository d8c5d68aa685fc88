"""Edit and delete our posts: an Update or a Delete to everyone who received the Create."""

import contextlib
import logging
from datetime import datetime, timedelta

from sqlmodel import col, delete, select

from hub.context import HubContext
from hub.federation.post_activities import (
    mentioned_actor_ids,
    record_post_delete,
    record_post_update,
)
from hub.federation.search_index import index_post_text
from hub.models import MediaAttachment, Post
from hub.services.actors import get_local_actor
from hub.services.errors import Conflict, InvalidInput
from hub.services.listing import index_post_tags
from hub.services.markdown import find_mentions
from hub.services.media import delete_media_files
from hub.services.mentions import resolve_mentions
from hub.services.permissions import require_publish_right
from hub.services.post_building import (
    PostInput,
    Published,
    attach_media,
    attachable_media,
    clean_input,
    fill_post,
    find_own_post,
)
from hub.services.replies import find_reply_target, with_reply_author

logger = logging.getLogger(__name__)

# Mastodon applies an edit only when `updated` is newer than the last one it saw, and our
# timestamps have whole seconds.
EDIT_STEP = timedelta(seconds=1)


def next_updated_at(post: Post, now: datetime) -> datetime:
    """Return an `updated` time later than the post's last publication or edit."""
    last = post.updated_at or post.published_at
    return max(now, last + EDIT_STEP).replace(microsecond=0)


async def edit_post(
    ctx: HubContext,
    actor_name: str,
    slug: str,
    values: PostInput,
    *,
    account_id: int | None = None,
) -> Published:
    """Save new values of a post; a published one sends an Update with a later `updated`.

    The Update keeps the object id and goes to the followers, every inbox that received
    the post before, and any newly mentioned actor. A draft or scheduled post is only
    saved (a scheduled one keeps its time; publish_post changes it).

    Raises:
        NotFound, PermissionDenied, InvalidInput (a published post cannot change its
        visibility); Conflict when the post changed state meanwhile.
    """
    actor = await get_local_actor(ctx, actor_name)
    await require_publish_right(ctx, account_id, actor)
    async with ctx.sessions() as session:
        current = await find_own_post(session, actor, slug)
    state = current.state
    clean = clean_input(values, for_publishing=state != "draft")
    mentioned = await resolve_mentions(ctx, find_mentions(clean.body_markdown))
    if current.in_reply_to is not None:
        # An edited reply still names the author it answers, while that post is still here.
        with contextlib.suppress(InvalidInput):
            target = await find_reply_target(ctx, current.in_reply_to)
            mentioned = with_reply_author(mentioned, target)
    now = ctx.clock()
    async with ctx.sessions() as session, session.begin():
        post = await find_own_post(session, actor, slug)
        if post.state != state:
            raise Conflict("the post changed while it was being edited; try again")
        if state == "published" and clean.visibility != post.visibility:
            raise InvalidInput("visibility", "cannot change once the post is published")
        media = await attachable_media(
            session, clean.media_ids, post, account_id, require_alt=state != "draft"
        )
        previous_mentions = mentioned_actor_ids(post.document)
        if state == "published":
            post.updated_at = next_updated_at(post, now)
        fill_post(ctx, actor, post, clean, mentioned=mentioned, media=media)
        session.add(post)
        await attach_media(session, post, media)
        await index_post_tags(session, post)
        await index_post_text(session, post)
        if state == "published":
            await record_post_update(session, actor, post, now, previous_mentions)
    logger.info("post edited id=%s state=%s", post.ap_id, state)
    return Published(
        ap_id=post.ap_id, html_url=post.html_url or "", slug=post.slug or "", state=post.state
    )


async def delete_post(
    ctx: HubContext, actor_name: str, slug: str, *, account_id: int | None = None
) -> None:
    """Delete a post: a published one sends Delete{Tombstone} and keeps a `deleted_at`.

    Its id and page then answer 410. A draft or scheduled post never left the Hub: it is
    removed with its images.

    Raises:
        NotFound: no such post (or already deleted); PermissionDenied.
    """
    actor = await get_local_actor(ctx, actor_name)
    await require_publish_right(ctx, account_id, actor)
    now = ctx.clock()
    removed_files: list[str] = []
    async with ctx.sessions() as session, session.begin():
        post = await find_own_post(session, actor, slug)
        if post.state == "published":
            post.deleted_at = now
            session.add(post)
            await index_post_tags(session, post)
            await index_post_text(session, post)
            await record_post_delete(session, actor, post, now)
        else:
            rows = await session.exec(
                select(MediaAttachment.file_name).where(MediaAttachment.post_id == post.id)
            )
            removed_files = [name for name in rows.all() if name]
            await session.exec(
                delete(MediaAttachment).where(col(MediaAttachment.post_id) == post.id)
            )
            await session.delete(post)
    await delete_media_files(ctx, removed_files)
    logger.info("post deleted id=%s", post.ap_id)
