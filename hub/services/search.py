"""Full-text search over our posts and the remote posts we store, the same on both databases.

What a search means, on SQLite (FTS5) and PostgreSQL (tsvector) alike:

- the query and the posts are cut into words the same way (`hub.models.search.search_words`:
  letters and digits, accents dropped, case folded), so "Café" finds "cafe" and "CAFÉ";
- a post matches when every word of the query is a whole word of its title, summary or
  body (no stemming, no prefixes, no stop words): "garden" does not find "gardens";
- matches are ranked in three tiers: every word in the title (2), every word in the title
  or summary (1), otherwise (0); within a tier the newest post comes first, then the
  highest id. Both databases compute the same tiers, so they return the same posts in the
  same order for the same data;
- pages are keyset pages of 20 (`before=` names the last hit shown).

The public searches our published public posts; staff also search our unlisted and
followers-only posts and every remote post we store that is not rejected.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import sqlalchemy as sa
from sqlmodel import col, select

from hub.context import HubContext
from hub.models import Actor, Post, PostSearch
from hub.models.search import SQLITE_FTS_TABLE, html_text, search_words
from hub.services.actors import ActorSummary, summarise
from hub.services.errors import InvalidInput

SearchScope = Literal["public", "staff"]
PAGE_SIZE = 20
MAX_QUERY_LENGTH = 500
MAX_QUERY_WORDS = 10
EXCERPT_LENGTH = 280
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
CURSOR_PATTERN = re.compile(r"^([0-2])-(\d{1,17})-(\d{1,18})$")
# Where every word must be found for each rank tier, as FTS5 columns and as tsvector weights.
TIERS = ((2, "title", "A"), (1, "title summary", "AB"))


@dataclass(frozen=True)
class SearchCursor:
    """The last hit of a page: its rank tier, publication time and id."""

    rank: int
    published_at: datetime
    post_id: int

    def encode(self) -> str:
        """Return the cursor as it goes in a URL: `{rank}-{microseconds since 1970}-{id}`."""
        micros = (self.published_at - EPOCH) // timedelta(microseconds=1)
        return f"{self.rank}-{micros}-{self.post_id}"


def parse_search_cursor(raw: str | None) -> SearchCursor | None:
    """Return the cursor a `before=` value names, or None when absent.

    Raises:
        InvalidInput: the value is not a cursor this Hub made.
    """
    if raw is None:
        return None
    match = CURSOR_PATTERN.match(raw)
    if match is None:
        raise InvalidInput("before", "is not a valid page position")
    try:
        published_at = EPOCH + timedelta(microseconds=int(match.group(2)))
    except OverflowError:
        raise InvalidInput("before", "is not a valid page position") from None
    post_id = int(match.group(3))
    if published_at.year > 9999 or post_id > 2**62:
        raise InvalidInput("before", "is not a valid page position")
    return SearchCursor(int(match.group(1)), published_at, post_id)


@dataclass(frozen=True)
class SearchHit:
    """One post found: what a result list shows of it (plain text, http(s) links)."""

    post_id: int
    ap_id: str
    title: str
    content_warning: str  # when set, the excerpt is empty: the text stays behind the warning
    excerpt: str
    url: str
    author: ActorSummary
    published_at: datetime
    is_local: bool
    rank: int


@dataclass(frozen=True)
class SearchPage:
    """One page of hits, the words searched for, and the next page's cursor."""

    words: tuple[str, ...]
    hits: tuple[SearchHit, ...]
    next_cursor: str | None


def query_words(query: str) -> tuple[str, ...]:
    """Return the words a query searches for (at most `MAX_QUERY_WORDS`, each once).

    Raises:
        InvalidInput: the query is longer than `MAX_QUERY_LENGTH` characters.
    """
    if len(query) > MAX_QUERY_LENGTH:
        raise InvalidInput("q", f"must be at most {MAX_QUERY_LENGTH} characters")
    return tuple(dict.fromkeys(search_words(query)))[:MAX_QUERY_WORDS]


async def search_posts(
    ctx: HubContext,
    query: str,
    *,
    scope: SearchScope,
    before: SearchCursor | None = None,
    limit: int = PAGE_SIZE,
) -> SearchPage:
    """Return a page of the posts every word of `query` appears in, best and newest first.

    Raises:
        InvalidInput: the query is too long.
    """
    words = query_words(query)
    if not words:
        return SearchPage(words=(), hits=(), next_cursor=None)
    limit = max(1, min(limit, 100))
    async with ctx.sessions() as session:
        dialect = session.get_bind().dialect.name
        matching = _matching(dialect, words)
        rank = _rank(dialect, words)
        statement = (
            select(Post, Actor, rank.label("rank"))
            .join(Actor, col(Actor.id) == col(Post.actor_id))
            .where(col(Post.id).in_(matching), *_scope(scope))
        )
        if before is not None:
            statement = statement.where(
                sa.tuple_(rank, col(Post.published_at), col(Post.id))
                < (before.rank, before.published_at, before.post_id)
            )
        statement = statement.order_by(
            rank.desc(), col(Post.published_at).desc(), col(Post.id).desc()
        ).limit(limit + 1)
        rows = (await session.exec(statement)).all()
    hits = tuple(_hit(post, author, int(tier)) for post, author, tier in rows[:limit])
    next_cursor = None
    if len(rows) > limit and hits:
        last = hits[-1]
        next_cursor = SearchCursor(last.rank, last.published_at, last.post_id).encode()
    return SearchPage(words=words, hits=hits, next_cursor=next_cursor)


def _scope(scope: SearchScope) -> list[Any]:
    shown = [
        col(Post.state) == "published",
        col(Post.deleted_at).is_(None),
        col(Actor.deleted_at).is_(None),
    ]
    if scope == "public":
        return [*shown, col(Post.is_local).is_(True), col(Post.visibility) == "public"]
    return [*shown, col(Post.approval) != "rejected"]


def _fts_query(words: tuple[str, ...], columns: str | None = None) -> str:
    # Words are letters and digits only, so quoting each one cannot break out of FTS5 syntax.
    prefix = f"{{{columns}}} : " if columns else ""
    return " AND ".join(f'{prefix}"{word}"' for word in words)


def _tsquery(words: tuple[str, ...], weights: str = "") -> Any:
    # Words are letters and digits only, so they cannot be tsquery operators or quotes.
    text = " & ".join(f"{word}:{weights}" if weights else word for word in words)
    return sa.func.to_tsquery(sa.literal_column("'simple'::regconfig"), sa.literal(text))


def _fts_ids(words: tuple[str, ...], columns: str | None = None) -> Any:
    return (
        sa.select(sa.literal_column("rowid"))
        .select_from(sa.table(SQLITE_FTS_TABLE))
        .where(sa.literal_column(SQLITE_FTS_TABLE).op("MATCH")(_fts_query(words, columns)))
    )


def _vector_ids(words: tuple[str, ...], weights: str = "") -> Any:
    vector: Any = sa.literal_column("post_search.search_vector")
    return select(PostSearch.post_id).where(vector.op("@@")(_tsquery(words, weights)))


def _matching(dialect: str, words: tuple[str, ...]) -> Any:
    """Return a subquery of the ids of posts that hold every word."""
    return _fts_ids(words) if dialect == "sqlite" else _vector_ids(words)


def _rank(dialect: str, words: tuple[str, ...]) -> Any:
    """Return the rank tier of a matching post: 2 title, 1 title or summary, 0 body."""
    cases = [
        (
            col(Post.id).in_(
                _fts_ids(words, columns) if dialect == "sqlite" else _vector_ids(words, weights)
            ),
            tier,
        )
        for tier, columns, weights in TIERS
    ]
    return sa.case(*cases, else_=0)


def _hit(post: Post, author: Actor, rank: int) -> SearchHit:
    assert post.id is not None  # noqa: S101 - a stored post
    summary = post.summary if post.is_local else html_text(post.summary)
    excerpt = "" if post.content_warning else _excerpt(summary or html_text(post.content_html))
    return SearchHit(
        post_id=post.id,
        ap_id=post.ap_id,
        title=post.title,
        content_warning=post.content_warning,
        excerpt=excerpt,
        url=post.html_url or post.ap_id,
        author=summarise(author),
        published_at=post.published_at,
        is_local=post.is_local,
        rank=rank,
    )


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= EXCERPT_LENGTH:
        return text
    return text[: EXCERPT_LENGTH - 1].rsplit(" ", 1)[0] + "…"
