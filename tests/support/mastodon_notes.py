"""Notes and replies as a Mastodon server sends them, by the fake Mastodon's actors."""

import json
from typing import Any

from hub.activitypub.jsonld import AS_CONTEXT, PUBLIC
from tests.interop.fake_mastodon import FakeActor, FakeMastodon, load_fixture

MASTODON = "https://mastodon.example"


def add_mastodon_user(mastodon: FakeMastodon, username: str, **fields: Any) -> FakeActor:
    """Serve one more Mastodon user on mastodon.example (a copy of alice's document).

    `fields` replace the document's own (`name`, `summary`, `icon`…).
    """
    document = load_fixture("actor.json")
    base = f"{MASTODON}/users/{username}"
    document.update(
        id=base,
        preferredUsername=username,
        name=username.title(),
        url=f"{MASTODON}/@{username}",
        inbox=f"{base}/inbox",
        outbox=f"{base}/outbox",
        followers=f"{base}/followers",
        following=f"{base}/following",
    )
    document.update(fields)
    document["publicKey"] = {**document["publicKey"], "id": f"{base}#main-key", "owner": base}
    return mastodon.add_actor(json.loads(json.dumps(document)))


def note_of(
    author: FakeActor,
    number: int,
    content: str,
    *,
    in_reply_to: str | None = None,
    mention: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """Return a public Note by `author` (numbered on its server), as Mastodon serves it."""
    ap_id = f"{author.ap_id}/statuses/{number}"
    note: dict[str, Any] = {
        "@context": AS_CONTEXT,
        "id": ap_id,
        "type": "Note",
        "attributedTo": author.ap_id,
        "content": content,
        "published": f"2026-10-28T15:{number % 60:02d}:00Z",
        "url": f"{MASTODON}/@{author.document['preferredUsername']}/{number}",
        "to": [PUBLIC],
        "cc": [f"{author.ap_id}/followers"],
        "tag": [],
    }
    if in_reply_to is not None:
        note["inReplyTo"] = in_reply_to
    if mention is not None:
        note["cc"].append(mention)
        note["tag"].append({"type": "Mention", "href": mention, "name": "@org@example.com"})
    note.update(extra)
    return note


def create_of(note: dict[str, Any]) -> dict[str, Any]:
    """Return the Create that delivers a Note."""
    return {
        "@context": AS_CONTEXT,
        "id": f"{note['id']}/activity",
        "type": "Create",
        "actor": note["attributedTo"],
        "published": note["published"],
        "to": note["to"],
        "cc": note["cc"],
        "object": note,
    }


def update_of(note: dict[str, Any], updated: str) -> dict[str, Any]:
    """Return the Update that delivers an edited Note."""
    edited = {**note, "updated": updated}
    return {**create_of(edited), "id": f"{note['id']}#updates/1", "type": "Update"}


def delete_of(note: dict[str, Any]) -> dict[str, Any]:
    """Return the Delete of a Note, as Mastodon sends it (a Tombstone)."""
    return {
        "@context": AS_CONTEXT,
        "id": f"{note['id']}#delete",
        "type": "Delete",
        "actor": note["attributedTo"],
        "to": [PUBLIC],
        "object": {"id": note["id"], "type": "Tombstone"},
    }
