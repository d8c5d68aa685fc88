"""The federated object of a post, as Mastodon reads it (spec §5, checklist 49-61)."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import blurhash  # type: ignore[import-untyped]  # pure-Python package without type hints
import pytest

from hub.activitypub.activities import (
    ArticleValues,
    AttachmentValues,
    MentionValues,
    build_article,
    build_create,
    build_update,
)
from hub.activitypub.jsonld import PUBLIC

ORG = "https://hub.example/users/org"
FOLLOWERS = f"{ORG}/followers"
BOB = "https://mastodon.example/users/bob"
PUBLISHED = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
# A valid 4x3 blurhash (Mastodon accepts at most 5x5 components).
BLURHASH = "LEHV6nWB2yk8pyo0adR*.7kCMdnj"

BASE = ArticleValues(
    ap_id=f"{ORG}/posts/abc123",
    html_url="https://hub.example/@org/abc123",
    author_id=ORG,
    followers_url=FOLLOWERS,
    title="Observatory Sighting #7: Taking stock",
    summary="What we learnt <so far> & next",
    content_html="<p>Body</p>",
    published_at=PUBLISHED,
    updated_at=None,
    tags=(("observatory", "https://hub.example/tags/observatory"),),
    visibility="public",
    as_note=False,
    language="en",
)


def image(number: int) -> AttachmentValues:
    """Return the values of one uploaded image."""
    return AttachmentValues(
        url=f"https://hub.example/media/file{number}.jpg",
        media_type="image/jpeg",
        description=f"Raised bed number {number}",
        width=1600,
        height=900,
        blurhash=BLURHASH,
    )


def test_article_has_title_plain_summary_body_url_and_date() -> None:
    # Checklist 54 and 61
    article = build_article(BASE)
    assert article["type"] == "Article"
    assert article["name"] == BASE.title
    assert article["summary"] == "What we learnt &lt;so far&gt; &amp; next"
    assert article["content"] == "<p>Body</p>"
    assert article["contentMap"] == {"en": "<p>Body</p>"}
    assert article["url"] == BASE.html_url
    assert article["published"] == "2026-11-01T09:30:00Z"
    assert article["sensitive"] is False


def test_first_version_has_no_updated_and_an_edit_has_a_later_one() -> None:
    # Checklist 55 and 64
    assert "updated" not in build_article(BASE)
    assert "updated" not in build_article(replace(BASE, updated_at=PUBLISHED))
    edited = build_article(replace(BASE, updated_at=PUBLISHED + timedelta(hours=2)))
    assert edited["updated"] == "2026-11-01T11:30:00Z"
    update = build_update(f"{BASE.ap_id}#updates/1", edited)
    assert update["object"]["id"] == BASE.ap_id
    assert update["published"] == edited["updated"]


def test_hashtags_are_tagged_with_their_page() -> None:
    # Checklist 56
    assert build_article(BASE)["tag"] == [
        {"type": "Hashtag", "name": "#observatory", "href": "https://hub.example/tags/observatory"}
    ]


def test_note_mode_puts_title_summary_and_link_in_content_without_summary() -> None:
    # Checklist 54: a Note's summary would be a content warning
    note = build_article(replace(BASE, as_note=True))
    assert note["type"] == "Note"
    assert "name" not in note
    assert "summary" not in note
    assert note["sensitive"] is False
    assert note["content"].startswith(
        "<p><strong>Observatory Sighting #7: Taking stock</strong></p>"
        "<p>What we learnt &lt;so far&gt; &amp; next</p><p>Body</p>"
    )
    assert note["content"].endswith(f'<p><a href="{BASE.html_url}">{BASE.html_url}</a></p>')


@pytest.mark.parametrize("as_note", [False, True], ids=["article-mode", "note-mode"])
def test_content_warning_makes_a_sensitive_note_with_the_warning_as_summary(as_note: bool) -> None:
    # Spec §5.1: Mastodon ignores an Article's content and never hides its summary
    post = build_article(replace(BASE, as_note=as_note, content_warning="Talk of <grief>"))
    assert post["type"] == "Note"
    assert post["summary"] == "Talk of &lt;grief&gt;"
    assert post["sensitive"] is True
    assert "name" not in post
    assert BASE.html_url in post["content"]


def test_images_are_at_most_four_with_alt_text_size_and_blurhash() -> None:
    # Checklist 58 and 59
    post = build_article(replace(BASE, attachments=tuple(image(n) for n in range(1, 6))))
    assert len(post["attachment"]) == 4
    assert post["attachment"][0] == {
        "type": "Image",
        "mediaType": "image/jpeg",
        "url": "https://hub.example/media/file1.jpg",
        "name": "Raised bed number 1",
        "width": 1600,
        "height": 900,
        "blurhash": BLURHASH,
    }
    x_components, y_components = blurhash.components(post["attachment"][0]["blurhash"])
    assert x_components <= 5
    assert y_components <= 5


def test_post_without_images_has_no_attachment() -> None:
    assert "attachment" not in build_article(BASE)


@pytest.mark.parametrize(
    ("visibility", "to", "cc"),
    [
        ("public", [PUBLIC], [FOLLOWERS, BOB]),
        ("unlisted", [FOLLOWERS], [PUBLIC, BOB]),
        ("followers", [FOLLOWERS, BOB], []),
    ],
    ids=["public", "unlisted", "followers-only"],
)
def test_mentioned_actor_is_tagged_and_addressed(
    visibility: str, to: list[str], cc: list[str]
) -> None:
    # Checklist 50, 51 and 57; spec §5.6
    mention = MentionValues(ap_id=BOB, handle="bob@mastodon.example")
    post = build_article(replace(BASE, visibility=visibility, mentions=(mention,)))
    assert post["to"] == to
    assert post["cc"] == cc
    assert {"type": "Mention", "href": BOB, "name": "@bob@mastodon.example"} in post["tag"]
    create = build_create(f"{BASE.ap_id}/activity", post)
    assert (create["to"], create["cc"]) == (to, cc)


def test_series_is_named_and_linked_in_the_content() -> None:
    post = build_article(
        replace(
            BASE,
            series="Observatory Sightings",
            series_url="https://hub.example/@org/series/observatory-sightings",
        )
    )
    assert post["content"].endswith(
        '<p>Part of the series <a href="https://hub.example/@org/series/observatory-sightings">'
        "Observatory Sightings</a>.</p>"
    )


def test_language_is_optional() -> None:
    assert "contentMap" not in build_article(replace(BASE, language=None))
