"""Markdown posts: front matter is parsed, and the HTML keeps only safe formatting."""

import pytest

from hub.services.errors import InvalidInput
from hub.services.markdown import (
    MentionLink,
    find_mentions,
    normalise_tags,
    parse_markdown_post,
    render_markdown,
    render_post_body,
)


def test_front_matter_and_body_are_split() -> None:
    post = parse_markdown_post(
        "---\ntitle: Taking stock\nsummary: In brief\ntags: [observatory, '#covid19']\n---\n"
        "# Heading\n\nBody *text*.\n"
    )
    assert post.title == "Taking stock"
    assert post.summary == "In brief"
    assert post.tags == ["observatory", "covid19"]
    assert post.body == "# Heading\n\nBody *text*."


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("no front matter", "file"),
        ("---\ntitle: [unclosed\n---\nbody", "front matter"),
        ("---\n- a list\n---\nbody", "front matter"),
        ("---\nsummary: no title\n---\nbody", "title"),
        ("---\ntitle: T\ntags: [bad tag!]\n---\n", "tags"),
    ],
    ids=["missing", "bad-yaml", "not-a-mapping", "no-title", "bad-tag"],
)
def test_bad_markdown_files_name_the_field(text: str, field: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        parse_markdown_post(text)
    assert raised.value.field == field


def test_rendered_markdown_drops_raw_html_and_script_links() -> None:
    html = render_markdown(
        "# Title\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) [ok](https://example.org)"
    )
    assert "<h2>Title</h2>" in html
    assert "<script" not in html
    assert 'href="javascript' not in html
    assert '<a href="https://example.org"' in html


def test_tags_are_deduplicated_case_insensitively() -> None:
    assert normalise_tags("Observatory, observatory, #relationships") == [
        "Observatory",
        "relationships",
    ]
    with pytest.raises(InvalidInput):
        normalise_tags(["2026"])


def tag_page(name: str) -> str:
    """Return a tag page URL."""
    return f"https://hub.example/tags/{name.lower()}"


def test_hashtags_in_text_become_tag_links() -> None:
    # Spec §5.4, checklist 56
    body = render_post_body("Seen #Swifts today. Sighting #7, [a #link](https://x.org), `#code`",
                            tag_url=tag_page)  # fmt: skip
    assert body.hashtags == ["Swifts"]
    assert (
        '<a href="https://hub.example/tags/swifts" class="mention hashtag" rel="tag">'
        "#<span>Swifts</span></a>"
    ) in body.html
    assert "Sighting #7" in body.html
    assert "<code>#code</code>" in body.html
    assert '<a href="https://x.org" rel="noopener">a #link</a>' in body.html


def test_resolved_mentions_become_h_card_links_and_others_stay_text() -> None:
    # Spec §5.5
    source = "Thanks @Bob@Mastodon.Example and @ghost@nowhere.example, mail me@home.example."
    assert find_mentions(source) == ["bob@mastodon.example", "ghost@nowhere.example"]
    link = MentionLink(handle="bob@mastodon.example", html_url="https://mastodon.example/@bob")
    body = render_post_body(source, mention_links={"bob@mastodon.example": link})
    assert (
        '<span class="h-card"><a href="https://mastodon.example/@bob" class="u-url mention">'
        "@<span>Bob</span></a></span>"
    ) in body.html
    assert "@ghost@nowhere.example" in body.html
    assert "me@home.example" in body.html


def test_mentions_in_code_are_not_mentions() -> None:
    assert find_mentions("`@bob@mastodon.example`\n\n    @alice@example.org") == []


def test_markdown_cannot_forge_link_classes_or_rel() -> None:
    body = render_post_body(
        '[x](https://x.org "t") <a class="mention" rel="me" href="https://y">y</a>'
    )
    assert "<a class" not in body.html
    assert '<a href="https://y"' not in body.html
    assert '<a href="https://x.org" title="t" rel="noopener">x</a>' in body.html


def test_front_matter_carries_series_and_language() -> None:
    post = parse_markdown_post("---\ntitle: T\nseries: Observatory Sightings\nlanguage: en\n---\nB")
    assert (post.series, post.language) == ("Observatory Sightings", "en")
