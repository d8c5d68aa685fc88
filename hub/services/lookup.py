"""Look up what staff paste into the search box: a post URL with its thread, or an actor.

A post URL is looked for among the posts we store (by id or page address), else fetched
through the fetcher (signed, SSRF-guarded), checked as Mastodon checks it and stored; then
its missing ancestors and the first replies its `replies` collection lists are fetched,
all within one fetch budget. `@user@host` and actor URLs resolve to the actor, which can
then be followed from the follow form.
"""

import logging
import re
from dataclasses import dataclass
from typing import Any

from sqlmodel import col, or_, select

from hub.activitypub.actors import ACTOR_TYPES, parse_actor
from hub.activitypub.errors import InvalidActivity
from hub.activitypub.jsonld import as_list
from hub.activitypub.objects import POST_TYPES, http_url_of
from hub.context import HubContext
from hub.federation.errors import InvalidRemoteDocument, RemoteError
from hub.federation.fetcher import FetchBudget
from hub.federation.remote_actors import resolve_handle, store_remote_actor
from hub.federation.remote_posts import fetch_object, fetched_post_of
from hub.federation.sanitising import sanitise_html
from hub.federation.threads import (
    MAX_ANCESTORS,
    fetch_first_replies,
    fetch_missing_ancestors,
    store_with_approval,
)
from hub.models import Actor, Follow, MediaAttachment, Post
from hub.services.actors import ActorSummary, find_local_actor, summarise
from hub.services.conversations import ReplyView, reply_tree, reply_view

logger = logging.getLogger(__name__)

HANDLE_PATTERN = re.compile(r"^@?[^@\s/]{1,255}@[^@\s/]{1,255}$")
MAX_REFERENCE_LENGTH = 2048


@dataclass(frozen=True)
class ActorFound:
    """An actor looked up: who it is, and which of our actors follow it already."""

    actor: ActorSummary
    summary_html: str  # sanitised
    followed_by: tuple[str, ...]  # usernames of our actors that follow (or asked to) it
    is_local: bool


@dataclass(frozen=True)
class PostFound:
    """A post looked up, with the thread around it as far as we have it."""

    post: ReplyView
    ancestors: tuple[ReplyView, ...]  # from the top of the thread down to its parent
    replies: tuple[ReplyView, ...]
    is_local: bool
    has_missing_ancestor: bool  # its thread goes further up than we could fetch


@dataclass(frozen=True)
class NothingFound:
    """The reference named nothing we could show, and why (for the person who asked)."""

    reason: str


LookupResult = ActorFound | PostFound | NothingFound


def is_reference(text: str) -> bool:
    """Return whether search text names one thing (a URL or a handle) rather than words."""
    reference = text.strip()
    if reference.lower().startswith(("http://", "https://")):
        return " " not in reference
    return HANDLE_PATTERN.match(reference) is not None


async def look_up(ctx: HubContext, reference: str) -> LookupResult:
    """Return the post or actor a URL or `@user@host` names, fetching it when we lack it."""
    reference = reference.strip()
    if len(reference) > MAX_REFERENCE_LENGTH:
        return NothingFound("That address is too long.")
    budget = FetchBudget()
    try:
        if not reference.lower().startswith(("http://", "https://")):
            return await _handle_found(ctx, reference.lstrip("@"))
        url = http_url_of(reference)
        if url is None:
            return NothingFound("That is not a web address Hub can look up.")
        known = await _stored(ctx, url)
        if isinstance(known, Post):
            return await _post_found(ctx, known, budget)
        if isinstance(known, Actor):
            return await _actor_found(ctx, known)
        return await _fetched(ctx, url, budget)
    except RemoteError as error:
        logger.info("look-up failed reference=%s error=%s", reference[:200], error)
        return NothingFound(f"Nothing could be found there ({error.reason}).")


async def _handle_found(ctx: HubContext, handle: str) -> LookupResult:
    username, _, domain = handle.rpartition("@")
    if domain.lower() == ctx.settings.host:
        local = await find_local_actor(ctx, username)
        if local is None or local.is_instance_actor:
            return NothingFound("No account here has that name.")
        return await _actor_found(ctx, local)
    return await _actor_found(ctx, await resolve_handle(ctx, handle))


async def _stored(ctx: HubContext, url: str) -> Post | Actor | None:
    async with ctx.sessions() as session:
        post = (
            await session.exec(
                select(Post)
                .where(or_(col(Post.ap_id) == url, col(Post.html_url) == url))
                .where(col(Post.deleted_at).is_(None), col(Post.approval) != "rejected")
                .order_by(col(Post.is_local).desc(), col(Post.id))
                .limit(1)
            )
        ).first()
        if post is not None:
            return post
        return (
            await session.exec(
                select(Actor)
                .where(or_(col(Actor.ap_id) == url, col(Actor.html_url) == url))
                .where(col(Actor.deleted_at).is_(None), col(Actor.is_instance_actor).is_(False))
                .limit(1)
            )
        ).first()


async def _fetched(ctx: HubContext, url: str, budget: FetchBudget) -> LookupResult:
    document = await fetch_object(ctx, url, budget=budget)
    kinds = {str(kind) for kind in as_list(document.get("type"))}
    if kinds & ACTOR_TYPES:
        try:
            parsed = parse_actor(document, fetched_url=str(document.get("id")))
        except InvalidActivity as error:
            raise InvalidRemoteDocument(url, str(error)) from None
        return await _actor_found(ctx, await store_remote_actor(ctx, parsed))
    if not kinds & POST_TYPES:
        return NothingFound("That address is neither a post nor an account.")
    fetched = await fetched_post_of(ctx, document, budget=budget)
    await fetch_missing_ancestors(ctx, fetched.post.in_reply_to, budget=budget)
    stored = await store_with_approval(ctx, fetched)
    if stored is None:
        return NothingFound("That post could not be stored.")
    return await _post_found(ctx, stored, budget, document=document)


async def _post_found(
    ctx: HubContext, post: Post, budget: FetchBudget, document: dict[str, Any] | None = None
) -> PostFound:
    if not post.is_local:
        await fetch_missing_ancestors(ctx, post.in_reply_to, budget=budget)
        if document is not None or post.document is not None:
            await fetch_first_replies(ctx, document or post.document or {}, budget=budget)
    ancestors, has_missing = await _ancestors(ctx, post)
    async with ctx.sessions() as session:
        author = await session.get(Actor, post.actor_id)
        media = (
            await session.exec(
                select(MediaAttachment)
                .where(col(MediaAttachment.post_id) == post.id)
                .order_by(col(MediaAttachment.position))
            )
        ).all()
    assert author is not None  # noqa: S101 - posts keep their author (ON DELETE CASCADE)
    return PostFound(
        post=reply_view(ctx, post, author, media),
        ancestors=ancestors,
        replies=await reply_tree(ctx, post.ap_id, include_held=True),
        is_local=post.is_local,
        has_missing_ancestor=has_missing,
    )


async def _ancestors(ctx: HubContext, post: Post) -> tuple[tuple[ReplyView, ...], bool]:
    """Return the stored posts above `post`, top first, and whether the thread goes further."""
    found: list[ReplyView] = []
    current = post.in_reply_to
    async with ctx.sessions() as session:
        for _ in range(MAX_ANCESTORS):
            if current is None:
                break
            row = (
                await session.exec(
                    select(Post, Actor)
                    .join(Actor, col(Actor.id) == col(Post.actor_id))
                    .where(col(Post.ap_id) == current)
                    .where(col(Post.deleted_at).is_(None), col(Post.approval) != "rejected")
                )
            ).first()
            if row is None:
                break
            parent, author = row
            found.append(reply_view(ctx, parent, author))
            current = parent.in_reply_to
    return tuple(reversed(found)), current is not None


async def _actor_found(ctx: HubContext, actor: Actor) -> ActorFound:
    async with ctx.sessions() as session:
        followers = await session.exec(
            select(Actor.username)
            .join(Follow, col(Follow.follower_id) == col(Actor.id))
            .where(col(Follow.followed_id) == actor.id, col(Actor.is_local))
            .order_by(col(Actor.username))
        )
        followed_by = tuple(followers.all())
    return ActorFound(
        actor=summarise(actor),
        # Stored sanitised; sanitised again in case it was stored by an older sanitiser.
        summary_html=actor.summary_html if actor.is_local else sanitise_html(actor.summary_html),
        followed_by=followed_by,
        is_local=actor.is_local,
    )
