"""View models of posts for pages, feeds and previews: plain frozen values, never ORM rows.

`build_post_view` needs no database, so the compose preview can build the view of a post
that is not saved yet and render it with the same template partial as the post page
(`templates/partials/post_body.html`).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from hub.config import Settings
from hub.models import Actor, MediaAttachment, Post
from hub.services.actors import ActorSummary, summarise
from hub.services.listing import tag_key


@dataclass(frozen=True)
class LinkView:
    """A named link: a tag (`name` without '#') or a series."""

    name: str
    url: str


@dataclass(frozen=True)
class ImageView:
    """An image of a post with what a page, a feed and a link preview need."""

    url: str
    alt: str
    media_type: str
    width: int | None
    height: int | None
    size_bytes: int | None


@dataclass(frozen=True)
class PostView:
    """One post as people see it; the contract of `templates/partials/post_body.html`."""

    anchor: str  # an HTML id for this post, unique on a page
    title: str
    summary: str  # "In brief", plain text
    body_html: str  # sanitised HTML (hub.services.markdown.render_markdown)
    html_url: str
    ap_id: str
    author: ActorSummary
    published_at: datetime | None  # None until the post is published (previews of drafts)
    edited_at: datetime | None  # set only after a real edit
    tags: tuple[LinkView, ...]
    series: LinkView | None
    content_warning: str
    images: tuple[ImageView, ...]
    language: str | None
    visibility: str

    @property
    def last_changed_at(self) -> datetime | None:
        """Return when the post last changed: its edit, else its publication."""
        return self.edited_at or self.published_at


def image_url(settings: Settings, attachment: MediaAttachment) -> str:
    """Return where an attachment is served: `/media/{file_name}` for ours, else its remote URL.

    The same URL as `hub.services.media.media_url`, for callers that hold only Settings (a
    view built for a preview).
    """
    if attachment.is_local and attachment.file_name:
        return settings.url(f"/media/{quote(attachment.file_name)}")
    return attachment.remote_url or ""


def tag_url(settings: Settings, name: str) -> str:
    """Return the URL of the Hub's page for a tag."""
    return settings.url(f"/tags/{quote(tag_key(name))}")


def series_url(settings: Settings, username: str, series_slug: str) -> str:
    """Return the URL of an actor's series page."""
    return settings.url(f"/@{username}/series/{quote(series_slug)}")


def image_view(settings: Settings, attachment: MediaAttachment) -> ImageView:
    """Return the view of one attachment."""
    return ImageView(
        url=image_url(settings, attachment),
        alt=attachment.description,
        media_type=attachment.media_type,
        width=attachment.width,
        height=attachment.height,
        size_bytes=attachment.size_bytes,
    )


def build_post_view(
    settings: Settings,
    author: Actor | ActorSummary,
    post: Post,
    media: Sequence[MediaAttachment] = (),
) -> PostView:
    """Return the view of a post (saved or not) with its media in display order."""
    author_view = author if isinstance(author, ActorSummary) else summarise(author)
    is_published = post.state == "published"
    edited_at = post.updated_at if post.updated_at not in (None, post.published_at) else None
    series = None
    if post.series and post.series_slug:
        series = LinkView(post.series, series_url(settings, author_view.username, post.series_slug))
    return PostView(
        anchor=f"post-{post.slug or post.id or 'preview'}",
        title=post.title,
        summary=post.summary,
        body_html=post.content_html,
        html_url=post.html_url or post.ap_id,
        ap_id=post.ap_id,
        author=author_view,
        published_at=post.published_at if is_published else None,
        edited_at=edited_at if is_published else None,
        tags=tuple(LinkView(name, tag_url(settings, name)) for name in post.tags),
        series=series,
        content_warning=post.content_warning,
        images=tuple(
            image_view(settings, item)
            for item in sorted(media, key=lambda attachment: attachment.position)
        ),
        language=post.language,
        visibility=post.visibility,
    )
