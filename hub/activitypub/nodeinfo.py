"""NodeInfo 2.0 and 2.1 documents and the well-known discovery document."""

from dataclasses import dataclass
from typing import Any

SCHEMA_REL = "http://nodeinfo.diaspora.software/ns/schema/{version}"
SUPPORTED_VERSIONS = ("2.0", "2.1")
SOFTWARE_NAME = "hub"


@dataclass(frozen=True)
class Usage:
    """Counts NodeInfo reports."""

    total_users: int
    active_half_year: int
    active_month: int
    local_posts: int


def content_type(version: str) -> str:
    """Return the Content-Type a NodeInfo document of this version is served with."""
    return f'application/json; profile="http://nodeinfo.diaspora.software/ns/schema/{version}#"'


def build_discovery(base_url: str) -> dict[str, Any]:
    """Return `/.well-known/nodeinfo`: one link per supported schema version."""
    return {
        "links": [
            {"rel": SCHEMA_REL.format(version=version), "href": f"{base_url}/nodeinfo/{version}"}
            for version in SUPPORTED_VERSIONS
        ]
    }


def build_nodeinfo(
    version: str, *, software_version: str, usage: Usage, node_name: str, open_registrations: bool
) -> dict[str, Any]:
    """Return a NodeInfo document of schema version 2.0 or 2.1 (they differ only in `version`)."""
    return {
        "version": version,
        "software": {"name": SOFTWARE_NAME, "version": software_version},
        "protocols": ["activitypub"],
        "services": {"inbound": [], "outbound": []},
        "openRegistrations": open_registrations,
        "usage": {
            "users": {
                "total": usage.total_users,
                "activeHalfyear": usage.active_half_year,
                "activeMonth": usage.active_month,
            },
            "localPosts": usage.local_posts,
            "localComments": 0,
        },
        "metadata": {"nodeName": node_name},
    }
