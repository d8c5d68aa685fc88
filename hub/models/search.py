"""The search index of posts, and the one way text becomes searchable words on both databases.

Both databases index exactly the words `search_words` returns, stored in `post_search` as
lowercase words separated by single spaces: SQLite through an FTS5 table over that table,
PostgreSQL through a `tsvector` column computed from it with the 'simple' configuration
(no stemming, no stop words). Because the words arrive already cut and folded, FTS5's
tokenizer and PostgreSQL's parser both see the same words, and a search finds the same
posts on either. Those structures are not models: the migration that made them (0008)
describes them, and `SEARCH_SCHEMA_OBJECTS` names them for the model comparison.
"""

import html
import unicodedata

import nh3
import sqlalchemy as sa
from sqlmodel import Field, SQLModel

# Made by migration 0008 next to `post_search`, one dialect each; not part of the models.
SQLITE_FTS_TABLE = "post_search_fts"
POSTGRESQL_VECTOR_COLUMN = "search_vector"
POSTGRESQL_VECTOR_INDEX = "ix_post_search_vector"
SEARCH_SCHEMA_OBJECTS = frozenset(
    {
        SQLITE_FTS_TABLE,
        # FTS5's shadow tables, where it keeps its index.
        *(f"{SQLITE_FTS_TABLE}_{part}" for part in ("data", "idx", "docsize", "config")),
        POSTGRESQL_VECTOR_COLUMN,
        POSTGRESQL_VECTOR_INDEX,
    }
)

# Longer words are not words people search for (and PostgreSQL refuses lexemes over 2 KiB).
MAX_WORD_LENGTH = 64
# The start of a body is indexed: a tsvector holds at most 1 MiB, and a search needs no more.
MAX_INDEXED_CHARACTERS = 64_000


class PostSearch(SQLModel, table=True):
    """The searchable words of one post's title, summary and body (see `search_words`).

    Kept in step with its post by `hub.federation.search_index.index_post_text`; a search
    still checks the post itself (state, visibility, deletion, approval).
    """

    __tablename__ = "post_search"

    post_id: int = Field(foreign_key="posts.id", primary_key=True, ondelete="CASCADE")
    title: str = Field(default="", sa_type=sa.Text)
    summary: str = Field(default="", sa_type=sa.Text)
    body: str = Field(default="", sa_type=sa.Text)


def search_words(text: str) -> list[str]:
    """Return the words of plain text as both databases index and match them.

    A word is a run of letters and digits after compatibility decomposition (NFKD), with
    accents dropped and case folded: "Café-Bar №5, STRASSE" gives
    ["cafe", "bar", "no5", "strasse"], and so does "cafe bar No5 straße".
    """
    decomposed = unicodedata.normalize("NFKD", text[:MAX_INDEXED_CHARACTERS])
    folded = "".join(
        character if character.isalnum() else " "
        for character in decomposed.casefold()
        if unicodedata.category(character) != "Mn"
    )
    return [word for word in folded.split() if len(word) <= MAX_WORD_LENGTH]


def html_text(fragment: str) -> str:
    """Return the text of an HTML fragment: tags dropped, entities decoded."""
    return html.unescape(nh3.clean(fragment, tags=set()))


def indexed_text(text: str) -> str:
    """Return text as `post_search` stores it: its words, joined by single spaces."""
    return " ".join(search_words(text))


def search_row_values(
    title: str, summary: str, body_html: str, *, summary_is_html: bool
) -> dict[str, str]:
    """Return the `post_search` columns of a post (our summaries are plain text, others' HTML)."""
    return {
        "title": indexed_text(title),
        "summary": indexed_text(html_text(summary) if summary_is_html else summary),
        "body": indexed_text(html_text(body_html)),
    }
