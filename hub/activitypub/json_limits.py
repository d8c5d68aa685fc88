"""Parse untrusted JSON with limits on size and nesting, so hostile bodies fail cleanly."""

import json
from typing import Any

from hub.activitypub.errors import InvalidActivity

MAX_JSON_BYTES = 1024 * 1024
MAX_JSON_DEPTH = 64


def exceeds_depth(value: Any, max_depth: int) -> bool:
    """Return whether a parsed JSON value nests containers deeper than `max_depth`."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > max_depth:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def loads_limited(
    body: bytes, *, max_bytes: int = MAX_JSON_BYTES, max_depth: int = MAX_JSON_DEPTH
) -> Any:
    """Decode UTF-8 JSON no larger than `max_bytes` and nested no deeper than `max_depth`.

    Raises:
        InvalidActivity: the body is too large, not UTF-8, too deep, or not JSON.
    """
    if len(body) > max_bytes:
        raise InvalidActivity(f"body is larger than {max_bytes} bytes")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidActivity("body is not UTF-8") from None
    try:
        value = json.loads(text)
    except RecursionError:
        # The C decoder guards its own recursion; far past our limit it raises this cleanly.
        raise InvalidActivity(f"JSON is nested deeper than {max_depth} levels") from None
    except ValueError as error:
        raise InvalidActivity(f"invalid JSON: {error.args[0] if error.args else error}") from None
    if exceeds_depth(value, max_depth):
        raise InvalidActivity(f"JSON is nested deeper than {max_depth} levels")
    return value
