"""Like, Announce, actor Update and replies have the shapes Mastodon expects (spec §5.12, §7)."""

from datetime import UTC, datetime

from hub.activitypub.activities import ArticleValues, build_article
from hub.activitypub.jsonld import PUBLIC
from hub.activitypub.reactions import build_actor_update, build_announce, build_like

ORG = "https://hub.example/users/org"
ALICE = "https://mastodon.example/users/alice"
POST = "https://mastodon.example/users/alice/statuses/1"


def test_like_names_the_post_by_id_and_addresses_its_author() -> None:
    like = build_like(f"{ORG}#likes/1", ORG, POST, ALICE)
    assert (like["type"], like["actor"], like["object"], like["to"]) == ("Like", ORG, POST, [ALICE])


def test_announce_is_public_to_the_author_and_our_followers_with_the_object_as_an_id() -> None:
    announce = build_announce(
        f"{ORG}/activities/1", ORG, POST, author_id=ALICE, followers_url=f"{ORG}/followers",
        published_at=datetime(2026, 3, 1, 9, 0, tzinfo=UTC),
    )  # fmt: skip
    assert announce["to"] == [PUBLIC]
    assert announce["cc"] == [ALICE, f"{ORG}/followers"]
    assert announce["object"] == POST
    assert announce["published"] == "2026-03-01T09:00:00Z"


def test_actor_update_carries_the_whole_actor_without_a_nested_context() -> None:
    document = {
        "@context": ["x"],
        "id": ORG,
        "type": "Organization",
        "manuallyApprovesFollowers": True,
    }
    update = build_actor_update(f"{ORG}#updates/1", document)
    assert update["@context"] == ["x"]
    assert update["actor"] == ORG
    assert update["object"] == {
        "id": ORG,
        "type": "Organization",
        "manuallyApprovesFollowers": True,
    }


def test_a_reply_is_a_note_answering_its_post_with_the_body_alone() -> None:
    values = ArticleValues(
        ap_id=f"{ORG}/posts/abc", html_url="https://hub.example/@org/abc", author_id=ORG,
        followers_url=f"{ORG}/followers", title="Reply to Alice", summary="",
        content_html="<p>Thank you.</p>", published_at=datetime(2026, 3, 1, tzinfo=UTC),
        updated_at=None, tags=(), visibility="public", as_note=False, in_reply_to=POST,
    )  # fmt: skip
    document = build_article(values)
    assert document["type"] == "Note"
    assert document["inReplyTo"] == POST
    assert document["content"] == "<p>Thank you.</p>"
    assert "name" not in document
    assert "summary" not in document
