"""Profile links as Mastodon's PropertyValue fields, both ways."""

import pytest

from hub.activitypub.actors import parse_profile_fields
from hub.activitypub.build import build_profile_field_value, build_profile_fields


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            "https://kitchens.example/about",
            '<a href="https://kitchens.example/about" rel="me nofollow noopener noreferrer" '
            'target="_blank">kitchens.example/about</a>',
        ),
        (
            'http://a.example/?q="x"&y=<z>',
            '<a href="http://a.example/?q=&quot;x&quot;&amp;y=&lt;z&gt;" '
            'rel="me nofollow noopener noreferrer" target="_blank">'
            'a.example/?q="x"&amp;y=&lt;z&gt;</a>',
        ),
        ("they/them", "they/them"),
        ("<b>bold</b> & more", "&lt;b&gt;bold&lt;/b&gt; &amp; more"),
        ("javascript:alert(1)", "javascript:alert(1)"),
        ("https://two words.example", "https://two words.example"),
        ("https://", "https://"),
    ],
    ids=["url", "url-with-quotes", "text", "html-text", "javascript", "spaces", "no-host"],
)
def test_only_complete_http_urls_become_links(value: str, expected: str) -> None:
    assert build_profile_field_value(value) == expected


def test_fields_are_property_values_in_order() -> None:
    fields = build_profile_fields([("Web", "https://a.example"), ("Motto", "Soup")])
    assert [(field["type"], field["name"]) for field in fields] == [
        ("PropertyValue", "Web"),
        ("PropertyValue", "Motto"),
    ]


def test_mastodon_fields_are_read_as_url_or_text() -> None:
    attachment = [
        {
            "type": "PropertyValue",
            "name": "Website",
            "value": '<a href="https://alice.example" target="_blank" rel="nofollow noopener '
            'noreferrer me" translate="no"><span class="invisible">https://</span>'
            '<span class="">alice.example</span><span class="invisible"></span></a>',
        },
        {"type": "PropertyValue", "name": " Pronouns ", "value": "<p>she / her</p>"},
        {"type": "PropertyValue", "name": "Evil", "value": '<a href="javascript:x()">hi</a>'},
        {"type": "IdentityProof", "name": "Keybase", "value": "x"},
        {"type": "PropertyValue", "name": 3, "value": "x"},
        "not an object",
    ]
    assert parse_profile_fields(attachment) == (
        ("Website", "https://alice.example"),
        ("Pronouns", "she / her"),
        ("Evil", "hi"),
    )


def test_at_most_fifty_fields_are_kept() -> None:
    many = [{"type": "PropertyValue", "name": f"n{n}", "value": "v"} for n in range(80)]
    assert len(parse_profile_fields(many)) == 50
