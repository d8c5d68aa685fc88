"""The NodeInfo 2.0/2.1 JSON Schema constraints (nodeinfo.diaspora.software), as test data."""

from typing import Any

PROTOCOLS = ["activitypub", "buddycloud", "dfrn", "diaspora", "libertree", "ostatus",
             "pumpio", "tent", "xmpp", "zot"]  # fmt: skip
INBOUND = ["atom1.0", "gnusocial", "imap", "pnut", "pop3", "pumpio", "rss2.0", "twitter"]
OUTBOUND = ["acropolis", "atom1.0", "blogger", "buddycloud", "diaspora", "dreamwidth", "drupal",
            "facebook", "friendica", "gnusocial", "google", "insanejournal", "libertree",
            "linkedin", "livejournal", "mediagoblin", "myspace", "pinterest", "pnut", "posterous",
            "pumpio", "redmatrix", "rss2.0", "smtp", "tent", "tumblr", "twitter", "wordpress",
            "xmpp"]  # fmt: skip
COUNT = {"type": "integer", "minimum": 0}
REQUIRED = ["version", "software", "protocols", "services", "openRegistrations", "usage",
            "metadata"]  # fmt: skip


def nodeinfo_schema(version: str) -> dict[str, Any]:
    """Return the draft-04 schema of NodeInfo `version` ("2.0" or "2.1")."""
    software_properties: dict[str, Any] = {
        "name": {"type": "string", "pattern": "^[a-z0-9-]+$"},
        "version": {"type": "string"},
    }
    if version == "2.1":
        software_properties["repository"] = {"type": "string"}
        software_properties["homepage"] = {"type": "string"}
    return {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "type": "object",
        "additionalProperties": False,
        "required": REQUIRED,
        "properties": {
            "version": {"enum": [version]},
            "software": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name", "version"],
                "properties": software_properties,
            },
            "protocols": {"type": "array", "minItems": 1, "items": {"enum": PROTOCOLS}},
            "services": {
                "type": "object",
                "additionalProperties": False,
                "required": ["inbound", "outbound"],
                "properties": {
                    "inbound": {"type": "array", "items": {"enum": INBOUND}},
                    "outbound": {"type": "array", "items": {"enum": OUTBOUND}},
                },
            },
            "openRegistrations": {"type": "boolean"},
            "usage": {
                "type": "object",
                "additionalProperties": False,
                "required": ["users"],
                "properties": {
                    "users": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {
                            "total": COUNT,
                            "activeHalfyear": COUNT,
                            "activeMonth": COUNT,
                        },
                    },
                    "localPosts": COUNT,
                    "localComments": COUNT,
                },
            },
            "metadata": {"type": "object", "additionalProperties": True},
        },
    }
