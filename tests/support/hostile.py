"""Hostile remote content: XSS payloads, and a check that a page carries nothing that could run.

Every payload, if it ever ran, would set `window.__xss` or call `alert`; the browser test
(tests/browser/test_hostile_content.py) watches for both, and `active_content` finds what
a page would need for either: a script of another origin or inline, an event handler, a
`javascript:`/`data:` link, an embedded document, a style sheet or style attribute, a
`<base>` or a refresh.
"""

from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from tests.interop.fake_mastodon import FakeActor, FakeMastodon
from tests.support.mastodon_notes import add_mastodon_user, note_of

MARKER = "hedgehog"  # every hostile post carries this word, so a search finds them all

PAYLOADS = [
    "<script>window.__xss=1</script>",
    '<img src=x onerror="window.__xss=1">',
    '<svg onload="window.__xss=1"></svg>',
    "<svg><script>window.__xss=1</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=1></style></mglyph>"
    "</table></mtext></math>",
    '<a href="javascript:window.__xss=1">click me</a>',
    '<a href="JaVaScRiPt:alert(1)">mixed case</a>',
    '<a href="java&#x09;script:alert(1)">tab</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>',
    '<iframe src="javascript:window.__xss=1"></iframe>',
    '<iframe srcdoc="<script>parent.__xss=1</script>"></iframe>',
    '<object data="javascript:window.__xss=1"></object>',
    '<embed src="javascript:window.__xss=1">',
    '<p style="background:url(javascript:window.__xss=1)">styled</p>',
    "<style>@import 'javascript:alert(1)'; body{background:red}</style>",
    '<div onmouseover="window.__xss=1">hover</div>',
    '<details open ontoggle="window.__xss=1"><summary>x</summary></details>',
    '<body onload="window.__xss=1">',
    '<form action="javascript:window.__xss=1"><button>go</button></form>',
    '<input autofocus onfocus="window.__xss=1">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<link rel="stylesheet" href="javascript:alert(1)">',
    "<scr<script>ipt>window.__xss=1</scr</script>ipt>",
    "<<script>script>window.__xss=1<</script>/script>",
    '"><script>window.__xss=1</script>',
    "'><img src=x onerror=window.__xss=1>",
    "</textarea><script>window.__xss=1</script>",
    "<!--<script>window.__xss=1</script>-->",
    '<noscript><p title="</noscript><img src=x onerror=window.__xss=1>">',
    '<a href="https://ok.example/" onclick="window.__xss=1">ok link</a>',
    '<video><source onerror="window.__xss=1"></video>',
    "<template><script>window.__xss=1</script></template>",
    '<img src="x" onerror="&#119;indow.__xss=1">',
    '<svg><a xlink:href="javascript:window.__xss=1"><text>x</text></a></svg>',
    '<a href="  javascript:window.__xss=1">leading spaces</a>',
    "<p>unclosed <b>bold <i>italic <a href='https://ok.example'>link",
    "{{ 7*7 }} {% raw %} ${alert(1)}",
]
# URLs a sender may put where Hub links to something.
HOSTILE_URLS = [
    "javascript:window.__xss=1",
    "javascript://mastodon.example/%0Awindow.__xss=1",
    "data:text/html,<script>window.__xss=1</script>",
    "vbscript:msgbox(1)",
]


def hostile_actor(mastodon: FakeMastodon, name: str, number: int) -> FakeActor:
    """Add a Mastodon user whose every displayed field is a payload (`number` picks them)."""
    return add_mastodon_user(
        mastodon,
        name,
        preferredUsername=f"{name}<img src=x onerror=window.__xss={number}>",
        name=PAYLOADS[number],
        summary=PAYLOADS[number + 1],
        url=HOSTILE_URLS[number % len(HOSTILE_URLS)],
        icon={"type": "Image", "mediaType": "image/png", "url": HOSTILE_URLS[0]},
    )


def hostile_post(
    author: FakeActor,
    number: int,
    payload: str,
    in_reply_to: str | None,
    *,
    mention: str | None = None,
    media_base: str = "https://mastodon.example/files",
) -> dict[str, Any]:
    """Return a post with the payload in every field Hub reads and shows.

    Content (after the word MARKER and the number), summary (a content warning on a Note),
    title (odd numbers are Articles), alt text, hashtag; its `url`, a hashtag's `href` and
    one attachment's URL are hostile too.
    """
    hostile_url = HOSTILE_URLS[number % len(HOSTILE_URLS)]
    note = note_of(
        author,
        number,
        f"<p>{MARKER} {number}</p>{payload}",
        in_reply_to=in_reply_to,
        mention=mention,
        summary=payload,
        url=hostile_url,
        attachment=[
            {"type": "Document", "mediaType": "image/png", "url": hostile_url, "name": payload},
            {
                "type": "Document",
                "mediaType": "image/png",
                "url": f"{media_base}/{number}.png",
                "name": payload,
            },
        ],
    )
    note["tag"].append({"type": "Hashtag", "name": f"#{payload}", "href": hostile_url})
    if number % 2:
        note.update(type="Article", name=payload)
    return note


SAFE_SCHEMES = ("http", "https")
URL_ATTRIBUTES = frozenset(
    {"href", "src", "action", "formaction", "srcset", "data", "poster", "xlink:href", "background"}
)
FORBIDDEN_ELEMENTS = frozenset(
    {"iframe", "object", "embed", "svg", "math", "style", "base", "frame", "frameset", "applet",
     "template", "video", "audio", "source", "noscript"}
)  # fmt: skip


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name.lower(): value or "" for name, value in attrs}
        if tag in FORBIDDEN_ELEMENTS:
            self.problems.append(f"<{tag}>")
        if tag == "script" and not attributes.get("src", "").startswith("/static/"):
            self.problems.append(f"<script {attributes}>")
        if tag == "meta" and "http-equiv" in attributes:
            self.problems.append(f"<meta http-equiv={attributes['http-equiv']}>")
        if tag == "link" and not _is_ours_or_web(attributes.get("href", "")):
            self.problems.append(f"<link href={attributes.get('href')}>")
        for name, value in attributes.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            if name in ("style", "srcdoc"):
                self.problems.append(f"<{tag} {name}=...>")
            if name in URL_ATTRIBUTES and not _is_ours_or_web(value):
                self.problems.append(f"<{tag} {name}={value!r}>")


def _is_ours_or_web(url: str) -> bool:
    """Return whether a URL is relative to this site or an http(s) URL, as a browser reads it."""
    # Browsers drop ASCII whitespace and control characters before reading the scheme.
    cleaned = "".join(character for character in url if ord(character) > 0x20).lower()
    if cleaned == "" or cleaned.startswith(("/", "#", "?")):
        return True
    return urlsplit(cleaned).scheme in SAFE_SCHEMES


def active_content(html: str) -> list[str]:
    """Return what in a page could run script or load a document; empty when none could."""
    checker = _Checker()
    checker.feed(html)
    checker.close()
    return checker.problems


def is_clean_fragment(html: str) -> bool:
    """Return whether stored HTML holds nothing active (see `active_content`)."""
    return active_content(html) == []
