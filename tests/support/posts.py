"""Write posts straight into a Hub's tables, in every state the public pages must handle."""

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hub.activitypub.activities import build_article
from hub.context import HubContext
from hub.federation.search_index import index_post_text
from hub.models import Actor, MediaAttachment, Post
from hub.services.listing import index_post_tags
from hub.services.publishing import article_values, post_urls
from tests.support.seed import SeedPost

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
_slugs = itertools.count(1)


@dataclass(frozen=True)
class Image:
    """An uploaded image as the media table keeps it."""

    file_name: str
    description: str
    width: int = 1200
    height: int = 800
    media_type: str = "image/jpeg"
    size_bytes: int = 84_000


def series_slug(name: str) -> str:
    """Return a URL slug for a series name."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


async def add_post(
    ctx: HubContext,
    actor: Actor,
    *,
    title: str = "A post",
    summary: str = "",
    body_html: str = "<p>Body.</p>",
    tags: Sequence[str] = (),
    series: str = "",
    visibility: str = "public",
    state: str = "published",
    content_warning: str = "",
    language: str | None = None,
    published_at: datetime | None = None,
    updated_at: datetime | None = None,
    deleted_at: datetime | None = None,
    images: Sequence[Image] = (),
) -> Post:
    """Store one local post (and its images and tag index rows) as publishing would."""
    assert actor.id is not None
    slug = f"{next(_slugs):012x}"
    ap_id, html_url = post_urls(ctx, actor, slug)
    post = Post(
        ap_id=ap_id,
        actor_id=actor.id,
        is_local=True,
        slug=slug,
        title=title,
        summary=summary,
        content_html=body_html,
        source_markdown="",
        html_url=html_url,
        visibility=visibility,
        language=language,
        tags=list(tags),
        series=series,
        series_slug=series_slug(series) if series else None,
        content_warning=content_warning,
        is_sensitive=bool(content_warning),
        state=state,
        published_at=published_at or START,
        updated_at=updated_at,
        deleted_at=deleted_at,
    )
    post.document = build_article(article_values(ctx, actor, post))
    async with ctx.sessions() as session, session.begin():
        session.add(post)
        await session.flush()
        for position, image in enumerate(images):
            session.add(
                MediaAttachment(
                    post_id=post.id,
                    position=position,
                    file_name=image.file_name,
                    media_type=image.media_type,
                    description=image.description,
                    width=image.width,
                    height=image.height,
                    size_bytes=image.size_bytes,
                    created_at=post.published_at,
                )
            )
        await index_post_tags(session, post)
        await index_post_text(session, post)
    return post


async def add_seed_posts(
    ctx: HubContext, actor: Actor, posts: Sequence[SeedPost], *, start: datetime = START
) -> list[Post]:
    """Publish seed posts one day apart, oldest first."""
    stored = []
    for day, seed in enumerate(posts):
        stored.append(
            await add_post(
                ctx,
                actor,
                title=seed.title,
                summary=seed.summary,
                body_html=seed.body,
                tags=seed.tags,
                series=seed.series,
                published_at=start + timedelta(days=day),
            )
        )
    return stored
