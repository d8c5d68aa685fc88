"""What the staff pages show of posts: their lists, a post opened for editing, previews."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select

from hub.context import HubContext
from hub.models import MediaAttachment, Post
from hub.services.accounts import publishable_actors
from hub.services.actors import get_local_actor
from hub.services.errors import NotFound
from hub.services.media import media_url
from hub.services.permissions import require_publish_right
from hub.services.post_building import PostInput, clean_input, find_own_post, post_urls
from hub.services.post_views import PostView, build_post_view
from hub.services.publishing import PostPreview, preview_post

MAX_LISTED_POSTS = 200


@dataclass(frozen=True)
class StaffPostRow:
    """One post in the staff list: enough to find, open, edit or delete it."""

    actor: str
    slug: str
    title: str
    state: str  # "draft" | "scheduled" | "published"
    visibility: str
    html_url: str
    published_at: datetime
    scheduled_at: datetime | None
    updated_at: datetime | None


@dataclass(frozen=True)
class FormImage:
    """An uploaded image as the compose form shows it."""

    media_id: int
    url: str
    alt: str
    width: int | None
    height: int | None


@dataclass(frozen=True)
class EditablePost:
    """A post opened for editing: its values as the form takes them, its state and images."""

    actor: str
    slug: str
    state: str
    values: PostInput
    scheduled_at: datetime | None
    images: tuple[FormImage, ...]


@dataclass(frozen=True)
class ComposePreview:
    """A post not yet saved, as its page will show it and as Mastodon will."""

    page: PostView
    preview: PostPreview


def form_image(ctx: HubContext, attachment: MediaAttachment) -> FormImage:
    """Return how the compose form shows an uploaded image."""
    return FormImage(
        media_id=attachment.id or 0,
        url=media_url(ctx, attachment),
        alt=attachment.description,
        width=attachment.width,
        height=attachment.height,
    )


async def list_staff_posts(ctx: HubContext, account_id: int | None) -> list[StaffPostRow]:
    """Return the posts (not deleted) of every actor the account may publish as.

    Drafts and scheduled posts come first, then published ones, newest first.
    """
    actors = {actor.id: actor.username or "" for actor in await publishable_actors(ctx, account_id)}
    if not actors:
        return []
    async with ctx.sessions() as session:
        rows = await session.exec(
            select(Post)
            .where(
                col(Post.is_local),
                col(Post.actor_id).in_(list(actors)),
                col(Post.deleted_at).is_(None),
            )
            .order_by(col(Post.published_at).desc(), col(Post.id).desc())
            .limit(MAX_LISTED_POSTS)
        )
        posts = list(rows.all())
    order = {"draft": 0, "scheduled": 1, "published": 2}
    posts.sort(key=lambda post: order.get(post.state, 3))
    return [
        StaffPostRow(
            actor=actors[post.actor_id],
            slug=post.slug or "",
            title=post.title,
            state=post.state,
            visibility=post.visibility,
            html_url=post.html_url or post.ap_id,
            published_at=post.published_at,
            scheduled_at=post.scheduled_at,
            updated_at=post.updated_at,
        )
        for post in posts
    ]


async def open_post_for_editing(
    ctx: HubContext, actor_name: str, slug: str, *, account_id: int | None
) -> EditablePost:
    """Return one of our posts with its values, for the edit form.

    Raises:
        NotFound: no such actor or post (or it was deleted).
        PermissionDenied: the account may not publish as the post's actor.
    """
    actor = await get_local_actor(ctx, actor_name)
    await require_publish_right(ctx, account_id, actor)
    async with ctx.sessions() as session:
        post = await find_own_post(session, actor, slug)
        rows = await session.exec(
            select(MediaAttachment)
            .where(MediaAttachment.post_id == post.id)
            .order_by(col(MediaAttachment.position))
        )
        media = list(rows.all())
    values = PostInput(
        title=post.title,
        summary=post.summary,
        body_markdown=post.source_markdown or "",
        tags=tuple(post.tags),
        series=post.series,
        visibility=post.visibility,
        content_warning=post.content_warning,
        language=post.language,
        media_ids=tuple(item.id or 0 for item in media),
    )
    return EditablePost(
        actor=actor.username or actor_name,
        slug=slug,
        state=post.state,
        values=values,
        scheduled_at=post.scheduled_at,
        images=tuple(form_image(ctx, item) for item in media),
    )


async def images_for_form(
    ctx: HubContext,
    media_ids: Sequence[int],
    *,
    account_id: int | None,
    actor_name: str,
    slug: str | None,
) -> list[FormImage]:
    """Return the images a re-shown form keeps, in the order given.

    Only local images that this account uploaded and no other post holds, or that belong to
    the post being edited, are returned; any other id a form sends is dropped.
    """
    if not media_ids:
        return []
    post_id = None
    if slug is not None:
        actor = await get_local_actor(ctx, actor_name)
        async with ctx.sessions() as session:
            try:
                post_id = (await find_own_post(session, actor, slug)).id
            except NotFound:
                post_id = None
    async with ctx.sessions() as session:
        rows = await session.exec(
            select(MediaAttachment).where(col(MediaAttachment.id).in_(list(media_ids)))
        )
        by_id = {row.id: row for row in rows.all()}
    images = []
    for media_id in media_ids:
        item = by_id.get(media_id)
        if item is None or not item.is_local:
            continue
        if item.post_id is None and item.uploaded_by_account_id != account_id:
            continue
        if item.post_id is not None and item.post_id != post_id:
            continue
        images.append(form_image(ctx, item))
    return images


async def compose_preview(
    ctx: HubContext,
    actor_name: str,
    values: PostInput,
    *,
    account_id: int | None,
    slug: str | None = None,
) -> ComposePreview:
    """Return a post before saving, as its page and Mastodon will show it; nothing is saved.

    Raises:
        NotFound: no such actor.
        PermissionDenied: the account may not publish as the actor.
        InvalidInput: as for a draft (over-long fields, bad tags or language).
    """
    actor = await get_local_actor(ctx, actor_name)
    await require_publish_right(ctx, account_id, actor)
    async with ctx.sessions() as session:
        rows = await session.exec(
            select(MediaAttachment).where(col(MediaAttachment.id).in_(list(values.media_ids)))
        )
        by_id = {row.id: row for row in rows.all()}
    media = [by_id[media_id] for media_id in values.media_ids if media_id in by_id]
    preview = preview_post(ctx, actor, values, media, slug=slug)
    clean = clean_input(values, for_publishing=False)
    ap_id, html_url = post_urls(ctx, actor, slug or "preview")
    unsaved = Post(
        ap_id=ap_id,
        actor_id=actor.id or 0,
        is_local=True,
        slug=slug,
        title=clean.title,
        summary=clean.summary,
        content_html=preview.body_html,
        html_url=html_url,
        visibility=clean.visibility,
        language=clean.language,
        tags=clean.tags,
        series=clean.series,
        series_slug=clean.series_slug,
        content_warning=clean.content_warning,
        state="draft",
        published_at=ctx.clock(),
    )
    for position, item in enumerate(media):
        item.position = position
    return ComposePreview(
        page=build_post_view(ctx.settings, actor, unsaved, media), preview=preview
    )
