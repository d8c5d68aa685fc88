"""Media attachments of remote posts are read as Mastodon reads them (spec §5.7)."""

from hub.activitypub.objects import parse_attachments


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
