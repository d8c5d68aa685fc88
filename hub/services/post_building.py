"""Turn what a person wrote into a stored post and its federated object (no I/O but the DB)."""

import re
import secrets
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hub.activitypub.activities import (
    ArticleValues,
    AttachmentValues,
    MentionValues,
    build_article,
)
from hub.context import HubContext
from hub.models import Actor, MediaAttachment, Post
from hub.services.errors import InvalidInput, NotFound, PermissionDenied
from hub.services.markdown import (
    MentionLink,
    find_mentions,
    normalise_tags,
    render_post_body,
)
from hub.services.media import media_url
from hub.services.mentions import MAX_MENTIONS

MAX_TITLE_LENGTH = 300
MAX_SUMMARY_LENGTH = 2000
# The whole activity must stay under Mastodon's 1 MiB; HTML is larger than its Markdown.
MAX_BODY_LENGTH = 200_000
MAX_SERIES_LENGTH = 200
MAX_CONTENT_WARNING_LENGTH = 500
MAX_TAGS = 30
MAX_IMAGES = 4  # all Mastodon shows (spec §5.7)
MAX_SCHEDULE_AHEAD = timedelta(days=366)
VISIBILITIES = ("public", "unlisted", "followers")
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8}){0,3}$")


@dataclass(frozen=True)
class PostInput:
    """What a person writes: the fields of the compose form."""

    title: str
    summary: str = ""  # "In brief", plain text
    body_markdown: str = ""
    tags: tuple[str, ...] = ()
    series: str = ""  # e.g. "Observatory Sightings"; series_slug derived
    visibility: str = "public"  # "public" | "unlisted" | "followers"
    content_warning: str = ""
    language: str | None = None  # BCP 47, e.g. "en"
    media_ids: tuple[int, ...] = ()  # MediaAttachment ids in display order
    in_reply_to: str | None = None  # the id of a post this one replies to (title optional)


@dataclass(frozen=True)
class Published:
    """Where a post lives, and whether it is out yet."""

    ap_id: str
    html_url: str
    slug: str = ""
    state: str = "published"  # "draft" | "scheduled" | "published"


@dataclass(frozen=True)
class CleanInput:
    """PostInput after validation: trimmed, normalised, within limits."""

    title: str
    summary: str
    body_markdown: str
    tags: list[str]
    series: str
    series_slug: str | None
    visibility: str
    content_warning: str
    language: str | None
    media_ids: tuple[int, ...]
    in_reply_to: str | None = None


def _check_length(field: str, text: str, limit: int) -> None:
    if len(text) > limit:
        raise InvalidInput(field, f"must be at most {limit} characters")


def series_slug(series: str) -> str | None:
    """Return the URL slug of a series name ("Observatory Sightings" → "observatory-sightings")."""
    if not series:
        return None
    folded = unicodedata.normalize("NFKD", series).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")[:128].strip("-")
    if not slug:
        raise InvalidInput("series", "needs at least one letter or digit")
    return slug


def clean_input(values: PostInput, *, for_publishing: bool) -> CleanInput:
    """Validate a post's fields; drafts and replies may lack a title, other posts may not.

    Raises:
        InvalidInput: naming the first field that is not acceptable.
    """
    in_reply_to = (values.in_reply_to or "").strip() or None
    title = " ".join(values.title.split())
    if for_publishing and not title and in_reply_to is None:
        raise InvalidInput("title", "is required")
    _check_length("title", title, MAX_TITLE_LENGTH)
    summary = values.summary.strip()
    _check_length("summary", summary, MAX_SUMMARY_LENGTH)
    body = values.body_markdown.strip()
    _check_length("body", body, MAX_BODY_LENGTH)
    if for_publishing and in_reply_to is not None and not body:
        raise InvalidInput("body", "is required for a reply")
    tags = normalise_tags(list(values.tags))
    if len(tags) > MAX_TAGS:
        raise InvalidInput("tags", f"at most {MAX_TAGS} tags")
    series = " ".join(values.series.split())
    _check_length("series", series, MAX_SERIES_LENGTH)
    if values.visibility not in VISIBILITIES:
        raise InvalidInput("visibility", "must be public, unlisted or followers")
    warning = " ".join(values.content_warning.split())
    _check_length("content_warning", warning, MAX_CONTENT_WARNING_LENGTH)
    language = (values.language or "").strip() or None
    if language is not None and not LANGUAGE_TAG.match(language):
        raise InvalidInput("language", "must be a language tag such as en or pt-BR")
    if len(values.media_ids) > MAX_IMAGES:
        raise InvalidInput("image", f"at most {MAX_IMAGES} images per post")
    if len(set(values.media_ids)) != len(values.media_ids):
        raise InvalidInput("image", "the same image is attached twice")
    if len(find_mentions(body)) > MAX_MENTIONS:
        raise InvalidInput("body", f"mention at most {MAX_MENTIONS} accounts")
    return CleanInput(
        title=title,
        summary=summary,
        body_markdown=body,
        tags=tags,
        series=series,
        series_slug=series_slug(series),
        visibility=values.visibility,
        content_warning=warning,
        language=language,
        media_ids=tuple(values.media_ids),
        in_reply_to=in_reply_to,
    )


def post_urls(ctx: HubContext, actor: Actor, slug: str) -> tuple[str, str]:
    """Return (ActivityPub id, web page URL) of a post of ours."""
    return f"{actor.ap_id}/posts/{slug}", ctx.settings.url(f"/@{actor.username}/{slug}")


def tag_url(ctx: HubContext, tag: str) -> str:
    """Return the URL of a tag's page on this Hub."""
    return ctx.settings.url(f"/tags/{quote(tag.lower(), safe='')}")


def series_url(ctx: HubContext, actor: Actor, slug: str) -> str:
    """Return the URL of one of an actor's series pages."""
    return ctx.settings.url(f"/@{actor.username}/series/{slug}")


def mention_values(mentioned: Mapping[str, Actor]) -> tuple[MentionValues, ...]:
    """Return the Mention tags of resolved actors, by the handle the author wrote."""
    return tuple(
        MentionValues(ap_id=actor.ap_id, handle=handle) for handle, actor in mentioned.items()
    )


def article_values(
    ctx: HubContext,
    actor: Actor,
    post: Post,
    media: Sequence[MediaAttachment] = (),
    mentions: Sequence[MentionValues] = (),
) -> ArticleValues:
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
        tags=tuple((tag, tag_url(ctx, tag)) for tag in post.tags),
        visibility=post.visibility,
        as_note=actor.publishes_as_note,
        language=post.language,
        content_warning=post.content_warning,
        attachments=tuple(
            AttachmentValues(
                url=media_url(ctx, item),
                media_type=item.media_type,
                description=item.description,
                width=item.width,
                height=item.height,
                blurhash=item.blurhash,
            )
            for item in media
        ),
        mentions=tuple(mentions),
        series=post.series,
        series_url=None if not post.series_slug else series_url(ctx, actor, post.series_slug),
        in_reply_to=post.in_reply_to,
    )


def fill_post(
    ctx: HubContext,
    actor: Actor,
    post: Post,
    values: CleanInput,
    *,
    mentioned: Mapping[str, Actor],
    media: Sequence[MediaAttachment],
) -> None:
    """Set a post's fields from validated input and rebuild its federated object."""
    links = {
        handle: MentionLink(handle=handle, html_url=target.html_url or target.ap_id)
        for handle, target in mentioned.items()
    }
    body = render_post_body(
        values.body_markdown, tag_url=lambda tag: tag_url(ctx, tag), mention_links=links
    )
    if values.in_reply_to is not None:
        post.in_reply_to = values.in_reply_to  # an edit keeps the post a reply
    is_note = actor.publishes_as_note or bool(values.content_warning) or bool(post.in_reply_to)
    post.object_type = "Note" if is_note else "Article"
    post.title = values.title
    post.summary = values.summary
    post.source_markdown = values.body_markdown
    post.content_html = body.html
    post.tags = normalise_tags(values.tags + body.hashtags)[:MAX_TAGS]
    post.series = values.series
    post.series_slug = values.series_slug
    post.visibility = values.visibility
    post.content_warning = values.content_warning
    post.is_sensitive = bool(values.content_warning)
    post.language = values.language
    post.document = build_article(
        article_values(ctx, actor, post, media, mention_values(mentioned))
    )


def new_post(ctx: HubContext, actor: Actor, account_id: int | None) -> Post:
    """Return an empty draft of `actor` with a fresh slug."""
    assert actor.id is not None  # noqa: S101 - a stored actor
    slug = secrets.token_hex(6)
    ap_id, html_url = post_urls(ctx, actor, slug)
    return Post(
        ap_id=ap_id,
        actor_id=actor.id,
        is_local=True,
        slug=slug,
        html_url=html_url,
        state="draft",
        author_account_id=account_id,
        published_at=ctx.clock(),
    )


async def attachable_media(
    session: AsyncSession,
    media_ids: Sequence[int],
    post: Post | None,
    account_id: int | None,
    *,
    require_alt: bool,
) -> list[MediaAttachment]:
    """Return the images to attach, in order, checking they may be attached to `post`.

    Raises:
        InvalidInput: ("image", …) unknown or taken by another post; ("alt", …) missing alt
            text when publishing.
        PermissionDenied: someone else's upload.
    """
    if not media_ids:
        return []
    rows = await session.exec(select(MediaAttachment).where(col(MediaAttachment.id).in_(media_ids)))
    by_id = {row.id: row for row in rows.all()}
    media: list[MediaAttachment] = []
    for position, media_id in enumerate(media_ids, start=1):
        item = by_id.get(media_id)
        if item is None or not item.is_local:
            raise InvalidInput("image", f"image {position} no longer exists; upload it again")
        if item.post_id is not None and (post is None or item.post_id != post.id):
            raise InvalidInput("image", f"image {position} belongs to another post")
        if (
            account_id is not None
            and item.post_id is None
            and item.uploaded_by_account_id not in (None, account_id)
        ):
            raise PermissionDenied("an image uploaded by another account cannot be attached")
        if require_alt and not item.description.strip():
            raise InvalidInput("alt", f"image {position} needs a description (alt text)")
        media.append(item)
    return media


async def attach_media(session: AsyncSession, post: Post, media: Sequence[MediaAttachment]) -> None:
    """Make `media` the post's images, in order; images no longer listed are let go."""
    assert post.id is not None  # noqa: S101 - flushed by the caller
    kept = {item.id for item in media}
    current = await session.exec(select(MediaAttachment).where(MediaAttachment.post_id == post.id))
    for item in current.all():
        if item.id not in kept:
            item.post_id = None
            session.add(item)
    for position, item in enumerate(media):
        item.post_id = post.id
        item.position = position
        session.add(item)


async def media_of(session: AsyncSession, post: Post) -> list[MediaAttachment]:
    """Return a post's images in display order."""
    rows = await session.exec(
        select(MediaAttachment)
        .where(MediaAttachment.post_id == post.id)
        .order_by(col(MediaAttachment.position))
    )
    return list(rows.all())


async def find_own_post(session: AsyncSession, actor: Actor, slug: str) -> Post:
    """Return one of the actor's posts that is not deleted.

    Raises:
        NotFound: no such post, or it was deleted.
    """
    post = (
        await session.exec(select(Post).where(Post.slug == slug, Post.actor_id == actor.id))
    ).first()
    if post is None or post.deleted_at is not None or not post.is_local:
        raise NotFound("no such post")
    return post
