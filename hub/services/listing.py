"""Which of our posts the public may see and where, and the tag index that lists them.

The rules, in one place:

- a post page (`/@{actor}/{slug}`) shows published, not deleted posts that are public or
  unlisted; drafts, scheduled and followers-only posts answer 404 to the public;
- the actor's profile lists the same posts;
- the home page, tag pages, series pages and feeds list only public ones (unlisted posts
  stay off every listing but their author's own).
"""

from sqlmodel import col, delete
from sqlmodel.ext.asyncio.session import AsyncSession

from hub.models import Post, PostTag

PAGE_VISIBILITIES = ("public", "unlisted")
LISTED_VISIBILITIES = ("public",)


def is_shown_on_its_page(post: Post) -> bool:
    """Return whether anyone may read this post on its page and as its object."""
    return (
        post.state == "published"
        and post.deleted_at is None
        and post.visibility in PAGE_VISIBILITIES
    )


def is_listed(post: Post) -> bool:
    """Return whether this post belongs on the home page, tag and series pages and feeds."""
    return is_shown_on_its_page(post) and post.visibility in LISTED_VISIBILITIES


def tag_key(name: str) -> str:
    """Return the form a tag is indexed and linked under: lowercase, without '#'."""
    return name.strip().lstrip("#").lower()


async def index_post_tags(session: AsyncSession, post: Post) -> None:
    """Bring `post_tags` in step with one local post; call in the transaction that changed it.

    Every local post that is not deleted is indexed with its tags and `published_at`,
    whatever its state or visibility: tag pages filter on the post itself. So a scheduled
    post (its `published_at` is its time) appears on its tag pages the moment the worker
    marks it published, without the worker touching the index. Call this after creating a
    post or changing its tags, `published_at` or `deleted_at`. Idempotent.
    """
    if post.id is None:
        await session.flush()
    assert post.id is not None  # noqa: S101 - flushed above
    await session.exec(delete(PostTag).where(col(PostTag.post_id) == post.id))
    if not post.is_local or post.deleted_at is not None:
        return
    names = sorted({tag_key(name) for name in post.tags} - {""})
    session.add_all(
        PostTag(post_id=post.id, tag=name, published_at=post.published_at) for name in names
    )
