"""Markdown posts: front matter is parsed, and the HTML keeps only safe formatting."""

import pytest

from hub.services.errors import InvalidInput
from hub.services.markdown import normalise_tags, parse_markdown_post, render_markdown


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
