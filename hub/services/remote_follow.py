"""Following us from another server: where a visitor's own server asks them to confirm.

Mastodon (and servers that copy it) offer `https://SERVER/authorize_interaction?uri=…`,
which shows the account named by `uri` with a Follow button to someone signed in there.
"""

import re
from urllib.parse import quote, urlsplit

from hub.services.errors import InvalidInput

MAX_SERVER_LENGTH = 253
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def server_host(typed: str) -> str:
    """Return the host name of a visitor's server from what they typed.

    Accepts `mastodon.social`, `https://mastodon.social/`, `@me@mastodon.social` or
    `me@mastodon.social`; international names become their ASCII form.

    Raises:
        InvalidInput: ("server", …) not a public host name (no scheme, path or port games).
    """
    value = typed.strip()
    if "@" in value and "//" not in value:
        value = value.rsplit("@", 1)[1]
    if "//" in value:
        parts = urlsplit(value if "://" in value else f"https:{value}")
        if parts.scheme not in ("http", "https") or parts.username or parts.password:
            raise InvalidInput("server", "enter the name of your server, such as mastodon.social")
        value = parts.netloc
    value = value.rstrip("/").rstrip(".").lower()
    try:
        host = value.encode("idna").decode("ascii") if value else ""
    except UnicodeError:
        host = ""
    labels = host.split(".")
    if (
        not host
        or len(host) > MAX_SERVER_LENGTH
        or len(labels) < 2
        or not all(_LABEL.match(label) for label in labels)
        or labels[-1].isdigit()
    ):
        raise InvalidInput("server", "enter the name of your server, such as mastodon.social")
    return host


def authorize_interaction_url(host: str, actor_ap_id: str) -> str:
    """Return the page of `host` that offers to follow the actor."""
    return f"https://{host}/authorize_interaction?uri={quote(actor_ap_id, safe='')}"
