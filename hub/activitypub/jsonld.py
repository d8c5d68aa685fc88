"""JSON-LD helpers: the contexts we emit and tolerant accessors for untrusted AS2 values."""

from typing import Any

AS_CONTEXT = "https://www.w3.org/ns/activitystreams"
SECURITY_CONTEXT = "https://w3id.org/security/v1"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
PUBLIC_ALIASES = frozenset({PUBLIC, "as:Public", "Public"})

ACTIVITY_JSON = "application/activity+json"
LD_JSON_PROFILE = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'

# The extension terms we use, defined as Mastodon defines them (spec §2.5, §9.2).
EXTENSION_TERMS: dict[str, Any] = {
    "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
    "sensitive": "as:sensitive",
    "Hashtag": "as:Hashtag",
    "toot": "http://joinmastodon.org/ns#",
    "featured": {"@id": "toot:featured", "@type": "@id"},
    "featuredTags": {"@id": "toot:featuredTags", "@type": "@id"},
    "discoverable": "toot:discoverable",
    "indexable": "toot:indexable",
    "blurhash": "toot:blurhash",
    "focalPoint": {"@container": "@list", "@id": "toot:focalPoint"},
    "attributionDomains": {"@id": "toot:attributionDomains", "@container": "@set"},
    # Profile fields; Mastodon's IRI for schema.org ends in "#" (sic), kept for compatibility.
    "schema": "http://schema.org#",
    "PropertyValue": "schema:PropertyValue",
    "value": "schema:value",
}

ACTOR_CONTEXT: list[Any] = [AS_CONTEXT, SECURITY_CONTEXT, EXTENSION_TERMS]
OBJECT_CONTEXT: list[Any] = [AS_CONTEXT, EXTENSION_TERMS]


def as_list(value: object) -> list[Any]:
    """Return a JSON-LD value as a list: None is empty, a single value is one item."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def id_of(value: object) -> str | None:
    """Return the id of a reference that is either an IRI string or an object with `id`."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        inner = value.get("id")
        return inner if isinstance(inner, str) else None
    return None


def has_as_context(document: dict[str, Any]) -> bool:
    """Return whether `@context` is or contains the ActivityStreams context IRI."""
    return AS_CONTEXT in as_list(document.get("@context"))
