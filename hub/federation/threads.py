"""Threads: which conversation a post belongs to, who needs approval, and fetching context.

A post belongs to one of our conversations when following `inReplyTo` through the posts we
store reaches one of ours. Replies there from actors none of ours follow are held for a
person's approval when `hold_replies_from_strangers` is on. Missing ancestors of a received
reply are fetched (at most `MAX_ANCESTORS` of them, within the activity's fetch budget),
and a post looked up by URL brings the first replies of its `replies` collection with it.
"""

import logging
from typing import Any
from urllib.parse import urlsplit

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hub.activitypub.jsonld import as_list, id_of
from hub.activitypub.objects import http_url_of
from hub.context import HubContext
from hub.federation.errors import RemoteError
from hub.federation.fetcher import FetchBudget, fetch_document
from hub.federation.remote_posts import (
    FetchedPost,
    fetch_remote_post,
    fetched_post_of,
    is_followed_locally,
    store_remote_post,
)
from hub.models import Actor, Post
from hub.models.posts import Approval

logger = logging.getLogger(__name__)

# How far up a thread we look for one of our posts, and how many ancestors we fetch.
MAX_ANCESTORS = 8
# Replies taken from a looked-up post's `replies` collection, from at most two pages.
MAX_FETCHED_REPLIES = 10
MAX_REPLY_PAGES = 2


async def our_post_above(ctx: HubContext, in_reply_to: str | None) -> Post | None:
    """Return our post at the top of the thread `in_reply_to` leads up, if it is ours.

    Walks up through stored posts only, at most `MAX_ANCESTORS` steps.
    """
    if in_reply_to is None:
        return None
    async with ctx.sessions() as session:
        return await our_post_above_in(session, in_reply_to)


async def our_post_above_in(session: AsyncSession, in_reply_to: str | None) -> Post | None:
    """Return our post at the top of the thread `in_reply_to` leads up, in the caller's session."""
    current = in_reply_to
    for _ in range(MAX_ANCESTORS):
        if current is None:
            return None
        parent = (await session.exec(select(Post).where(Post.ap_id == current))).first()
        if parent is None:
            return None
        if parent.is_local:
            return parent
        current = parent.in_reply_to
    return None


async def approval_for(
    ctx: HubContext, author: Actor, in_reply_to: str | None, *, followed: bool | None = None
) -> Approval:
    """Return whether a new post from `author` is shown at once or held for approval.

    Held ("pending"): a reply in one of our conversations by an actor none of ours follows,
    while `hold_replies_from_strangers` is on. Everything else is approved.
    """
    if author.is_local or not ctx.settings.hold_replies_from_strangers or in_reply_to is None:
        return "approved"
    if await our_post_above(ctx, in_reply_to) is None:
        return "approved"
    if followed is None:
        followed = await is_followed_locally(ctx, author)
    return "approved" if followed else "pending"


async def store_with_approval(ctx: HubContext, fetched: FetchedPost) -> Post | None:
    """Store a fetched post, held for approval when the rule above says so."""
    approval = await approval_for(ctx, fetched.author, fetched.post.in_reply_to)
    async with ctx.sessions() as session, session.begin():
        saved = await store_remote_post(
            session, fetched.author, fetched.post, fetched.document, ctx.clock(), approval=approval
        )
    if saved is None:
        return None
    logger.info("post fetched for its thread id=%s", fetched.post.ap_id)
    return saved[0]


def _is_elsewhere(ctx: HubContext, url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and parts.netloc.lower() != ctx.settings.host


async def fetch_missing_ancestors(
    ctx: HubContext, in_reply_to: str | None, *, budget: FetchBudget
) -> int:
    """Fetch and store the ancestors of a post that we do not have; return how many.

    Goes up from `in_reply_to` until a stored post, a post with no parent, `MAX_ANCESTORS`
    posts or the end of the budget. They are stored from the top down, so each one's
    approval is decided with the thread above it known. A failed fetch ends the walk
    without failing the caller: the post itself is worth keeping without its context.
    """
    chain: list[FetchedPost] = []
    current = in_reply_to
    while current is not None and len(chain) < MAX_ANCESTORS:
        if not _is_elsewhere(ctx, current) or await _is_stored(ctx, current):
            break
        try:
            fetched = await fetch_remote_post(ctx, current, budget=budget)
        except RemoteError as error:
            logger.info("ancestor not fetched url=%s error=%s", current, error)
            break
        chain.append(fetched)
        current = fetched.post.in_reply_to
    for fetched in reversed(chain):
        await store_with_approval(ctx, fetched)
    return len(chain)


async def _is_stored(ctx: HubContext, ap_id: str) -> bool:
    async with ctx.sessions() as session:
        found = await session.exec(select(Post.id).where(col(Post.ap_id) == ap_id))
        return found.first() is not None


async def fetch_first_replies(
    ctx: HubContext, post_document: dict[str, Any], *, budget: FetchBudget
) -> int:
    """Store the first replies a post's `replies` collection lists; return how many.

    Only replies on the post's own host are taken (as Mastodon does, spec §5.8): embedded
    ones as they are, others fetched by id. Failures end the walk quietly.
    """
    post_id = id_of(post_document)
    if post_id is None:
        return 0
    host = urlsplit(post_id).netloc.lower()
    stored = 0
    try:
        page = await _first_page(ctx, post_document.get("replies"), host, budget=budget)
        for _ in range(MAX_REPLY_PAGES):
            if page is None:
                break
            for item in as_list(page.get("orderedItems") or page.get("items")):
                if stored >= MAX_FETCHED_REPLIES:
                    return stored
                fetched = await _reply_of(ctx, item, host, budget=budget)
                if fetched is not None and fetched.post.in_reply_to == post_id:
                    stored += await store_with_approval(ctx, fetched) is not None
            page = await _page_at(ctx, page.get("next"), host, budget=budget)
    except RemoteError as error:
        logger.info("replies not fetched post=%s error=%s", post_id, error)
    return stored


async def _page_at(
    ctx: HubContext, reference: object, host: str, *, budget: FetchBudget
) -> dict[str, Any] | None:
    """Return a collection (page) given inline or by a URL on `host`."""
    if isinstance(reference, dict):
        return reference
    url = http_url_of(reference)
    if url is None or urlsplit(url).netloc.lower() != host:
        return None
    _, document = await fetch_document(ctx, url, budget=budget)
    return document


async def _first_page(
    ctx: HubContext, replies: object, host: str, *, budget: FetchBudget
) -> dict[str, Any] | None:
    collection = await _page_at(ctx, replies, host, budget=budget)
    if collection is None:
        return None
    if collection.get("orderedItems") or collection.get("items"):
        return collection
    return await _page_at(ctx, collection.get("first"), host, budget=budget)


async def _reply_of(
    ctx: HubContext, item: object, host: str, *, budget: FetchBudget
) -> FetchedPost | None:
    reply_id = http_url_of(id_of(item))
    if reply_id is None or urlsplit(reply_id).netloc.lower() != host:
        return None
    if await _is_stored(ctx, reply_id):
        return None
    if isinstance(item, dict) and item.get("type") is not None:
        # Served by the post's own host, as the collection was: taken as it is.
        return await fetched_post_of(ctx, item, budget=budget)
    return await fetch_remote_post(ctx, reply_id, budget=budget)
