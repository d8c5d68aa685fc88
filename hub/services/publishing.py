"""Publish posts as one of our actors: the Post row, its Create, and the fan-out, at once."""

import logging
import secrets
from dataclasses import dataclass

from sqlmodel import select

from hub.activitypub.activities import ArticleValues, build_article, build_create
from hub.context import HubContext
from hub.federation.outbox import record_activity
from hub.models import Actor, Post
from hub.services.actors import get_local_actor
from hub.services.errors import InvalidInput, NotFound
from hub.services.listing import index_post_tags
from hub.services.markdown import normalise_tags, render_markdown

logger = logging.getLogger(__name__)

MAX_TITLE_LENGTH = 300
MAX_SUMMARY_LENGTH = 2000


@dataclass(frozen=True)
class Published:
    """Where a new post lives."""

    ap_id: str
    html_url: str


def post_urls(ctx: HubContext, actor: Actor, slug: str) -> tuple[str, str]:
    """Return (ActivityPub id, web page URL) of a post of ours."""
    return f"{actor.ap_id}/posts/{slug}", ctx.settings.url(f"/@{actor.username}/{slug}")


def article_values(ctx: HubContext, actor: Actor, post: Post) -> ArticleValues:
    """Return the values the federated object of one of our posts is built from."""
    return ArticleValues(
        ap_id=post.ap_id,
        html_url=post.html_url or post.ap_id,
        author_id=actor.ap_id,
        followers_url=actor.followers_url or f"{actor.ap_id}/followers",
        title=post.title,
        summary=post.summary,
        content_html=post.content_html,
        published_at=post.published_at,
        updated_at=post.updated_at,
        tags=tuple((tag, ctx.settings.url(f"/tags/{tag.lower()}")) for tag in post.tags),
        visibility=post.visibility,
        as_note=actor.publishes_as_note,
        language=post.language,
    )


async def publish(
    ctx: HubContext,
    actor_name: str,
    *,
    title: str,
    summary: str,
    body_markdown: str,
    tags: list[str] | None = None,
    visibility: str = "public",
) -> Published:
    """Publish a post now: store it, record its Create and queue delivery to followers.

    Raises:
        NotFound: no local actor of that name.
        InvalidInput: missing title, over-long fields, bad tags or visibility.
    """
    actor = await get_local_actor(ctx, actor_name)
    clean_title = title.strip()
    if not clean_title:
        raise InvalidInput("title", "is required")
    if len(clean_title) > MAX_TITLE_LENGTH:
        raise InvalidInput("title", f"must be at most {MAX_TITLE_LENGTH} characters")
    if len(summary) > MAX_SUMMARY_LENGTH:
        raise InvalidInput("summary", f"must be at most {MAX_SUMMARY_LENGTH} characters")
    if visibility not in ("public", "unlisted", "followers"):
        raise InvalidInput("visibility", "must be public, unlisted or followers")
    slug = secrets.token_hex(6)
    ap_id, html_url = post_urls(ctx, actor, slug)
    now = ctx.clock()
    assert actor.id is not None  # noqa: S101 - a stored actor
    post = Post(
        ap_id=ap_id,
        actor_id=actor.id,
        is_local=True,
        slug=slug,
        object_type="Note" if actor.publishes_as_note else "Article",
        title=clean_title,
        summary=summary.strip(),
        content_html=render_markdown(body_markdown),
        source_markdown=body_markdown,
        html_url=html_url,
        visibility=visibility,
        tags=normalise_tags(tags or []),
        published_at=now,
    )
    document = build_article(article_values(ctx, actor, post))
    post.document = document
    async with ctx.sessions() as session, session.begin():
        session.add(post)
        await index_post_tags(session, post)
        await record_activity(
            session,
            actor=actor,
            activity=build_create(f"{ap_id}/activity", document),
            now=now,
            is_public=visibility in ("public", "unlisted"),
            to_followers=True,
        )
    logger.info("post published id=%s actor=%s", ap_id, actor.ap_id)
    return Published(ap_id=ap_id, html_url=html_url)


async def get_local_post(ctx: HubContext, actor_name: str, slug: str) -> tuple[Actor, Post]:
    """Return one of our posts (deleted ones too: they answer 410) with its author.

    Raises:
        NotFound: no such actor or post.
    """
    actor = await get_local_actor(ctx, actor_name)
    async with ctx.sessions() as session:
        statement = select(Post).where(Post.slug == slug, Post.actor_id == actor.id)
        post = (await session.exec(statement)).first()
    if post is None:
        raise NotFound("no such post")
    return actor, post
