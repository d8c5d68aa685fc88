"""The activities Hub sends have the shapes Mastodon matches on (spec §4.2, §5, checklist 49-56)."""

from datetime import UTC, datetime

from hub.activitypub.activities import (
    ArticleValues,
    audience,
    build_article,
    build_create,
    build_delete,
    build_follow,
    build_response_to_follow,
    build_undo,
)
from hub.activitypub.jsonld import AS_CONTEXT, PUBLIC

ORG = "https://hub.example/users/org"
ALICE = "https://mastodon.example/users/alice"
PUBLISHED = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)


def article(**changes: object) -> ArticleValues:
    """Return a post's values, with some replaced."""
    values: dict[str, object] = {
        "ap_id": f"{ORG}/posts/abc123",
        "html_url": "https://hub.example/@org/abc123",
        "author_id": ORG,
        "followers_url": f"{ORG}/followers",
        "title": "Observatory Sighting #7: Taking stock",
        "summary": "What we learnt about the response to the outbreak.",
        "content_html": "<p>Body</p>",
        "published_at": PUBLISHED,
        "updated_at": None,
        "tags": (("observatory", "https://hub.example/tags/observatory"),),
        "visibility": "public",
        "as_note": False,
    }
    values.update(changes)
    return ArticleValues(**values)  # type: ignore[arg-type]  # test data of the right types


def test_accept_embeds_the_follow_with_its_original_id() -> None:
    # checklist 37
    follow = {"id": "https://mastodon.example/0a1b", "actor": ALICE, "object": ORG}
    accept = build_response_to_follow("Accept", f"{ORG}#accepts/1", ORG, follow)
    assert accept["actor"] == ORG
    assert accept["to"] == [ALICE]
    assert accept["object"] == {
        "id": "https://mastodon.example/0a1b",
        "type": "Follow",
        "actor": ALICE,
        "object": ORG,
    }


def test_undo_embeds_the_follow_without_its_context() -> None:
    follow = build_follow(f"{ORG}#follows/1", ORG, ALICE)
    undo = build_undo(f"{ORG}#undo/1", ORG, follow, to=[ALICE])
    assert undo["object"]["id"] == f"{ORG}#follows/1"
    assert "@context" not in undo["object"]
    assert undo["@context"] == AS_CONTEXT


def test_public_article_is_addressed_to_public_and_followers() -> None:
    # checklist 50, 54, 55, 56
    document = build_article(article())
    assert document["type"] == "Article"
    assert document["to"] == [PUBLIC]
    assert document["cc"] == [f"{ORG}/followers"]
    assert document["name"] == "Observatory Sighting #7: Taking stock"
    assert document["summary"].startswith("What we learnt")
    assert document["published"] == "2026-11-01T09:30:00Z"
    assert "updated" not in document
    assert document["tag"] == [
        {"type": "Hashtag", "name": "#observatory", "href": "https://hub.example/tags/observatory"}
    ]


def test_followers_only_post_never_names_public() -> None:
    # checklist 51
    to, cc = audience("followers", f"{ORG}/followers")
    assert to == [f"{ORG}/followers"]
    assert PUBLIC not in to + cc


def test_note_mode_puts_title_and_link_in_content_and_has_no_summary() -> None:
    # checklist 54: a Note's summary is a content warning, so the teaser must not go there
    document = build_article(article(as_note=True, title="Fish & <Chips>"))
    assert document["type"] == "Note"
    assert "summary" not in document
    assert "<strong>Fish &amp; &lt;Chips&gt;</strong>" in document["content"]
    assert "https://hub.example/@org/abc123" in document["content"]


def test_create_wraps_object_with_same_author_and_audience() -> None:
    # checklist 49
    document = build_article(article())
    create = build_create(f"{ORG}/posts/abc123/activity", document)
    assert create["actor"] == document["attributedTo"] == ORG
    assert create["id"] != document["id"]
    assert create["to"] == document["to"]
    assert create["cc"] == document["cc"]
    assert "@context" not in create["object"]


def test_edited_article_carries_updated() -> None:
    later = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
    assert build_article(article(updated_at=later))["updated"] == "2026-11-02T10:00:00Z"


def test_delete_carries_a_tombstone_of_the_same_id() -> None:
    delete = build_delete(f"{ORG}/posts/abc123#delete", ORG, f"{ORG}/posts/abc123", [PUBLIC], [])
    assert delete["object"] == {"id": f"{ORG}/posts/abc123", "type": "Tombstone"}
