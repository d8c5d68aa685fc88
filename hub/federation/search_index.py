"""Keep a post's searchable words (`post_search`) in step with the post."""

from sqlmodel import col, delete
from sqlmodel.ext.asyncio.session import AsyncSession

from hub.models import Post, PostSearch
from hub.models.search import search_row_values


async def index_post_text(session: AsyncSession, post: Post, *, is_new: bool = False) -> None:
    """Index a post's title, summary and body; call in the transaction that changed them.

    A deleted post leaves the index. Our summaries are plain text; remote ones are HTML.
    The database's full-text index follows `post_search` by itself (a trigger on SQLite, a
    generated column on PostgreSQL). Idempotent; `is_new` (a post just inserted, so not
    yet indexed) saves looking for its old words.
    """
    if post.id is None:
        await session.flush()
    assert post.id is not None  # noqa: S101 - flushed above
    if not is_new:
        await session.exec(delete(PostSearch).where(col(PostSearch.post_id) == post.id))
    if post.deleted_at is not None:
        return
    values = search_row_values(
        post.title, post.summary, post.content_html, summary_is_html=not post.is_local
    )
    session.add(PostSearch(post_id=post.id, **values))
