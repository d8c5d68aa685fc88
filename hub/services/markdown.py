"""Markdown source to safe HTML, with hashtag and mention links, and post front matter."""

import re
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any, Literal

import nh3
import yaml
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from hub.services.errors import InvalidInput

FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
POST_TAGS = {
    "p", "br", "a", "span", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li",
    "h2", "h3", "h4", "hr", "del",
}  # fmt: skip
# Classes Mastodon keeps and reads on hashtag and mention links (spec §5.3-§5.5).
LINK_CLASSES = {"a": {"mention", "hashtag", "u-url"}, "span": {"h-card"}}
TAG_PATTERN = re.compile(r"^\w[\w-]{0,99}$")
# `#word` in running text (not `&#38;`, `/#anchor` or `a#b`); Mastodon's tags have no dashes.
INLINE_HASHTAG = r"(?<![\w&/#])#(?P<tag>\w{1,100})"
# `@user@host` in running text (not an e-mail address: nothing word-like may precede it).
INLINE_MENTION = (
    r"(?<![\w/@.])@(?P<user>[A-Za-z0-9_][A-Za-z0-9_.-]{0,63})"
    r"@(?P<host>[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*(?::\d{1,5})?)"
)
INLINE_REFERENCE = re.compile(f"{INLINE_HASHTAG}|{INLINE_MENTION}")
Nesting = Literal[-1, 0, 1]


@dataclass(frozen=True)
class MarkdownPost:
    """A post written as Markdown with front matter."""

    title: str
    summary: str
    body: str
    tags: list[str] = field(default_factory=list)
    series: str = ""
    language: str | None = None


@dataclass(frozen=True)
class MentionLink:
    """Where a mention in a post body links to: the actor's profile page."""

    handle: str  # user@host, as written (lower-case host)
    html_url: str


@dataclass(frozen=True)
class RenderedBody:
    """A post body as safe HTML, with the hashtags and mentions found in its text."""

    html: str
    hashtags: list[str]
    mentions: list[str]  # user@host handles, lower-case, in order of appearance


def _is_tag_name(name: str) -> bool:
    return bool(TAG_PATTERN.match(name)) and not name.isdigit() and not name.startswith("_")


def _reference_tokens(
    text: str, env: MutableMapping[str, Any], make: Callable[[str, str, Nesting], Token]
) -> list[Token] | None:
    """Split one text run into text and link tokens; None when it holds no reference."""
    tag_url: Callable[[str], str] | None = env.get("tag_url")
    mentions: Mapping[str, MentionLink] = env.get("mention_links", {})
    pieces: list[Token] = []
    position = 0
    for match in INLINE_REFERENCE.finditer(text):
        tag, user, host = match.group("tag"), match.group("user"), match.group("host")
        if tag is not None:
            if not _is_tag_name(tag):
                continue
            env["hashtags"].append(tag)
            if tag_url is None:
                continue
            link = make("link_open", "a", 1)
            link.attrs = {"href": tag_url(tag), "class": "mention hashtag", "rel": "tag"}
            inner = [make("text", "", 0), make("span_open", "span", 1)]
            inner[0].content = "#"
            label = make("text", "", 0)
            label.content = tag
            inner += [label, make("span_close", "span", -1)]
            opening: list[Token] = [link]
            closing = [make("link_close", "a", -1)]
        else:
            handle = f"{user}@{host.lower()}"
            env["mentions"].append(handle.lower())
            target = mentions.get(handle.lower())
            if target is None:
                continue
            card = make("span_open", "span", 1)
            card.attrs = {"class": "h-card"}
            link = make("link_open", "a", 1)
            link.attrs = {"href": target.html_url, "class": "u-url mention"}
            at = make("text", "", 0)
            at.content = "@"
            label = make("text", "", 0)
            label.content = user
            inner = [at, make("span_open", "span", 1), label, make("span_close", "span", -1)]
            opening = [card, link]
            closing = [make("link_close", "a", -1), make("span_close", "span", -1)]
        if match.start() > position:
            before = make("text", "", 0)
            before.content = text[position : match.start()]
            pieces.append(before)
        pieces += opening + inner + closing
        position = match.end()
    if position == 0:
        return None
    if position < len(text):
        rest = make("text", "", 0)
        rest.content = text[position:]
        pieces.append(rest)
    return pieces


def _link_references(state: StateCore) -> None:
    """Turn `#tag` and `@user@host` in text (not in links or code) into links."""
    env = state.env
    env.setdefault("hashtags", [])
    env.setdefault("mentions", [])

    def make(kind: str, tag: str, nesting: Nesting) -> Token:
        return Token(kind, tag, nesting)

    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        link_depth = 0
        for token in block.children:
            if token.type == "link_open":
                link_depth += 1
                token.attrs.setdefault("rel", "noopener")
            elif token.type == "link_close":
                link_depth -= 1
            if token.type == "text" and link_depth == 0:
                replaced = _reference_tokens(token.content, env, make)
                if replaced is not None:
                    children += replaced
                    continue
            children.append(token)
        block.children = children


def _new_parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": True})
    parser.core.ruler.push("link_references", _link_references)
    return parser


_markdown = _new_parser()


def _clean(html: str) -> str:
    return nh3.clean(
        html,
        tags=POST_TAGS,
        attributes={"a": {"href", "title"}, "ol": {"start"}},
        tag_attribute_values={"a": {"rel": {"noopener", "tag"}}},
        allowed_classes=LINK_CLASSES,
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
    )


def render_post_body(
    source: str,
    *,
    tag_url: Callable[[str], str] | None = None,
    mention_links: Mapping[str, MentionLink] | None = None,
) -> RenderedBody:
    """Render a Markdown body to safe HTML, linking hashtags and the mentions given.

    `tag_url(name)` gives a hashtag's page (None: hashtags stay text); `mention_links` maps
    lower-case `user@host` to a resolved actor; other mentions stay plain text (spec §5.4,
    §5.5).
    """
    env: dict[str, Any] = {"tag_url": tag_url, "mention_links": dict(mention_links or {})}
    html = _markdown.render(source, env)
    # Top-level headings would compete with the post title; demote them.
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    return RenderedBody(
        html=_clean(html),
        hashtags=list(dict.fromkeys(env["hashtags"])),
        mentions=list(dict.fromkeys(env["mentions"])),
    )


def render_markdown(source: str) -> str:
    """Render Markdown to HTML that keeps only text formatting and http(s) links."""
    return render_post_body(source).html


def find_mentions(source: str) -> list[str]:
    """Return the `user@host` handles mentioned in a Markdown body, lower-case, in order."""
    env: dict[str, Any] = {}
    _markdown.parse(source, env)
    return list(dict.fromkeys(env.get("mentions", [])))


def normalise_tags(raw: Any) -> list[str]:
    """Return tag names without '#', de-duplicated; raise InvalidInput for unusable ones."""
    items = raw.split(",") if isinstance(raw, str) else (raw or [])
    if not isinstance(items, list | tuple):
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
    """Split front matter (title, summary, tags, series, language) from the Markdown body.

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
        series=str(meta.get("series") or "").strip(),
        language=str(meta["language"]).strip() if meta.get("language") else None,
    )
