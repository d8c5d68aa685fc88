"""Remote posts are read as Mastodon reads them: media (spec §5.7), and only web links."""

import pytest

from hub.activitypub.errors import InvalidActivity
from hub.activitypub.objects import parse_attachments, parse_post


def test_attachment_url_alt_text_and_size_are_read() -> None:
    (image,) = parse_attachments(
        {"type": "Image", "mediaType": "image/jpeg", "url": "https://m.example/a.jpg",
         "name": "Raised beds", "width": 1600, "height": 900, "blurhash": "LEHV6nWB2yk8"}
    )  # fmt: skip
    assert image.url == "https://m.example/a.jpg"
    assert (image.media_type, image.description) == ("image/jpeg", "Raised beds")
    assert (image.width, image.height, image.blurhash) == (1600, 900, "LEHV6nWB2yk8")


def test_link_urls_summary_alt_text_and_odd_sizes() -> None:
    (image,) = parse_attachments(
        [{"type": "Document", "url": [{"type": "Link", "href": "https://m.example/b.png",
          "mediaType": "image/png"}], "summary": "Summary wins", "name": "Name loses",
          "width": "wide", "height": True}]
    )  # fmt: skip
    assert (image.url, image.media_type) == ("https://m.example/b.png", "image/png")
    assert image.description == "Summary wins"
    assert (image.width, image.height) == (None, None)


def test_only_four_attachments_with_web_urls_are_kept() -> None:
    items: list[object] = [{"url": f"https://m.example/{n}.jpg"} for n in range(6)]
    items.insert(0, {"url": "javascript:alert(1)"})
    items.insert(0, {"type": "Link", "href": "https://m.example/page"})
    items.insert(0, "https://m.example/bare-reference")
    kept = parse_attachments(items)
    assert [item.url for item in kept] == [f"https://m.example/{n}.jpg" for n in range(4)]


NOTE = {
    "id": "https://m.example/users/alice/statuses/1",
    "type": "Note",
    "attributedTo": "https://m.example/users/alice",
    "content": "<p>Hello</p>",
}


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "javascript://m.example/%0Aalert(1)",
        "//m.example/no-scheme",
        "https://",
        {"type": "Link", "href": "javascript:alert(1)"},
        42,
    ],
    ids=["javascript", "mixed-case", "data", "javascript-with-host", "relative", "no-host",
         "link", "number"],
)  # fmt: skip
def test_only_web_addresses_are_kept_where_pages_link(url: object) -> None:
    post = parse_post({**NOTE, "url": url, "inReplyTo": url})
    assert post.html_url is None
    assert post.in_reply_to is None


def test_a_link_object_gives_the_page_address() -> None:
    post = parse_post({**NOTE, "url": {"type": "Link", "href": "https://m.example/@alice/1"}})
    assert post.html_url == "https://m.example/@alice/1"


@pytest.mark.parametrize(
    ("ap_id", "author"),
    [
        ("javascript://m.example/%0Aalert(1)", "https://m.example/users/alice"),
        ("https://m.example/users/alice/statuses/1", "javascript://m.example/%0Aalert(1)"),
    ],
    ids=["id", "author"],
)
def test_an_object_whose_id_or_author_is_not_a_web_address_is_refused(
    ap_id: str, author: str
) -> None:
    with pytest.raises(InvalidActivity):
        parse_post({**NOTE, "id": ap_id, "attributedTo": author})
