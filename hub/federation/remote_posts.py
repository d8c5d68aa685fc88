"""Remote posts: sanitise and store them, and fetch one by its id with the checks Mastodon makes."""

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hub.activitypub.errors import InvalidActivity
from hub.activitypub.jsonld import id_of
from hub.activitypub.objects import RemotePost, http_url_of, parse_post
from hub.context import HubContext
from hub.federation.errors import InvalidRemoteDocument
from hub.federation.fetcher import FetchBudget, fetch_document
from hub.federation.remote_actors import get_remote_actor
from hub.federation.sanitising import sanitise_html
from hub.federation.search_index import index_post_text
from hub.models import Actor, Follow, MediaAttachment, Post
from hub.models.posts import Approval

logger = logging.getLogger(__name__)

MAX_TITLE_LENGTH = 1000


@dataclass(frozen=True)
class FetchedPost:
    """A remote post fetched by its id: its author (cached), its values and its document."""

    author: Actor
    post: RemotePost
    document: dict[str, Any]


async def is_followed_locally(ctx: HubContext, author: Actor) -> bool:
    """Return whether one of our actors follows (or has asked to follow) this actor."""
    async with ctx.sessions() as session:
        return await followed_locally(session, author)


async def followed_locally(session: AsyncSession, author: Actor) -> bool:
    """Return whether one of our actors follows this actor, in the caller's session."""
    statement = (
        select(Follow.id)
        .join(Actor, col(Follow.follower_id) == col(Actor.id))
        .where(Follow.followed_id == author.id, col(Actor.is_local))
        .limit(1)
    )
    return (await session.exec(statement)).first() is not None


async def store_remote_post(
    session: AsyncSession,
    author: Actor,
    post: RemotePost,
    document: Any,
    now: datetime,
    *,
    approval: Approval = "approved",
) -> tuple[Post, bool] | None:
    """Insert or replace a remote post, sanitised, with its media and searchable words.

    Works in the caller's transaction. `approval` applies to a new post only: an edit keeps
    the decision already taken. Returns the stored row and whether it is new; None when the
    id belongs to one of our posts or to another author's (a post is only ever replaced by
    its own author).
    """
    assert author.id is not None  # noqa: S101 - a stored actor
    stored = (await session.exec(select(Post).where(Post.ap_id == post.ap_id))).first()
    if stored is not None and (stored.is_local or stored.actor_id != author.id):
        return None
    is_new = stored is None
    if stored is None:
        stored = Post(ap_id=post.ap_id, actor_id=author.id, published_at=now, approval=approval)
    stored.object_type = post.object_type
    stored.title = post.title[:MAX_TITLE_LENGTH]  # plain text; templates escape it
    stored.summary = sanitise_html(post.summary)
    stored.content_html = sanitise_html(post.content_html)
    stored.html_url = post.html_url
    stored.in_reply_to = post.in_reply_to
    stored.visibility = post.visibility
    stored.language = post.language
    stored.tags = list(post.tags)
    stored.document = document if isinstance(document, dict) else None
    stored.published_at = post.published_at or stored.published_at
    stored.updated_at = post.updated_at
    stored.content_warning = post.content_warning[:MAX_TITLE_LENGTH]
    stored.is_sensitive = post.is_sensitive or bool(post.content_warning)
    session.add(stored)
    await session.flush()
    await _replace_media(session, stored, post, now, is_new=is_new)
    await index_post_text(session, stored, is_new=is_new)
    return stored, is_new


async def _replace_media(
    session: AsyncSession, stored: Post, post: RemotePost, now: datetime, *, is_new: bool
) -> None:
    """Keep the post's remote media rows equal to the attachments of its latest version."""
    assert stored.id is not None  # noqa: S101 - flushed by the caller
    if not is_new:
        await session.exec(delete(MediaAttachment).where(col(MediaAttachment.post_id) == stored.id))
    for position, attachment in enumerate(post.attachments):
        session.add(
            MediaAttachment(
                post_id=stored.id,
                position=position,
                is_local=False,
                remote_url=attachment.url,
                media_type=attachment.media_type,
                description=attachment.description,
                width=attachment.width,
                height=attachment.height,
                blurhash=attachment.blurhash,
                created_at=now,
            )
        )


async def fetch_object(ctx: HubContext, url: str, *, budget: FetchBudget) -> dict[str, Any]:
    """Fetch an ActivityPub object by URL and make sure it is the object that URL names.

    As Mastodon does (spec §1.5, §9.4): a document whose `id` is not the URL asked for is
    fetched again by its `id`, once, and must then match exactly; and the `id` must be on
    the host the document finally came from (after redirects).

    Raises:
        RemoteError: the fetch failed, or the document is not the object it claims to be.
    """
    final_url, document = await fetch_document(ctx, url, budget=budget)
    ap_id = http_url_of(id_of(document))
    if ap_id != url:
        if ap_id is None:
            raise InvalidRemoteDocument(final_url, "the document has no http(s) id")
        final_url, document = await fetch_document(ctx, ap_id, budget=budget)
        if id_of(document) != ap_id:
            raise InvalidRemoteDocument(final_url, "the document's id is not its URL")
    if _host(ap_id) != _host(final_url):
        raise InvalidRemoteDocument(final_url, "the document's id is on another host")
    return document


async def fetch_remote_post(ctx: HubContext, url: str, *, budget: FetchBudget) -> FetchedPost:
    """Fetch a Note, Article or Page by its id, with its author (from the cache if fresh).

    Raises:
        RemoteError: the fetch failed, or the document is not a post its author's host serves.
    """
    document = await fetch_object(ctx, url, budget=budget)
    return await fetched_post_of(ctx, document, budget=budget)


async def fetched_post_of(
    ctx: HubContext, document: dict[str, Any], *, budget: FetchBudget
) -> FetchedPost:
    """Validate a post document whose origin was checked, and fetch its author if unknown.

    Raises:
        RemoteError: not an acceptable post, or its author cannot be fetched.
    """
    try:
        post = parse_post(document)
    except InvalidActivity as error:
        raise InvalidRemoteDocument(str(id_of(document)), str(error)) from None
    author = await get_remote_actor(ctx, post.author_id, budget=budget)
    return FetchedPost(author=author, post=post, document=document)


def _host(url: str | None) -> str:
    return urlsplit(url or "").netloc.lower()
