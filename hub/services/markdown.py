"""Markdown source to safe HTML, and front matter for posts written as files."""

import re
from dataclasses import dataclass, field
from typing import Any

import nh3
import yaml
from markdown_it import MarkdownIt

from hub.services.errors import InvalidInput

FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
POST_TAGS = {
    "p", "br", "a", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li",
    "h2", "h3", "h4", "hr", "del",
}  # fmt: skip
TAG_PATTERN = re.compile(r"^\w[\w-]{0,99}$")

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": True})


@dataclass(frozen=True)
class MarkdownPost:
    """A post written as Markdown with front matter."""

    title: str
    summary: str
    body: str
    tags: list[str] = field(default_factory=list)


def render_markdown(source: str) -> str:
    """Render Markdown to HTML that keeps only text formatting and http(s) links."""
    html = _markdown.render(source)
    # Top-level headings would compete with the post title; demote them.
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    return nh3.clean(
        html,
        tags=POST_TAGS,
        attributes={"a": {"href", "title"}, "ol": {"start"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener",
    )


def normalise_tags(raw: Any) -> list[str]:
    """Return tag names without '#', de-duplicated; raise InvalidInput for unusable ones."""
    items = raw.split(",") if isinstance(raw, str) else (raw or [])
    if not isinstance(items, list):
        raise InvalidInput("tags", "must be a list or a comma-separated string")
    tags: list[str] = []
    for item in items:
        name = str(item).strip().lstrip("#")
        if not name:
            continue
        if not TAG_PATTERN.match(name) or name.isdigit():
            raise InvalidInput(
                "tags", f"'{name}' must be letters, digits, _ or - and not only digits"
            )
        if name.lower() not in {tag.lower() for tag in tags}:
            tags.append(name)
    return tags


def parse_markdown_post(text: str) -> MarkdownPost:
    """Split front matter (title, summary, tags) from the Markdown body.

    Raises:
        InvalidInput: no front matter, malformed YAML, or no title.
    """
    match = FRONT_MATTER.match(text)
    if match is None:
        raise InvalidInput("file", "must start with front matter between --- lines")
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as error:
        raise InvalidInput("front matter", f"is not valid YAML: {error}") from None
    if not isinstance(meta, dict):
        raise InvalidInput("front matter", "must be key: value lines")
    title = str(meta.get("title") or "").strip()
    if not title:
        raise InvalidInput("title", "is required")
    return MarkdownPost(
        title=title,
        summary=str(meta.get("summary") or "").strip(),
        body=text[match.end() :].strip(),
        tags=normalise_tags(meta.get("tags")),
    )
