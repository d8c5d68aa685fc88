"""The one HTML sanitiser for everything remote servers send: posts, summaries, profiles."""

import nh3

# What Mastodon's own sanitizer keeps (spec §5.3), plus headings and lists for Articles.
ALLOWED_TAGS = {
    "p", "br", "span", "a", "del", "pre", "code", "em", "strong", "b", "i", "u", "ul", "ol",
    "li", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "class"}, "span": {"class"}, "ol": {"start"}}


def sanitise_html(html: str) -> str:
    """Return remote HTML with only harmless tags, attributes and http(s) links left."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https"},
        link_rel="nofollow noopener noreferrer",
    )
