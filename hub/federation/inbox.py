"""Accept a POST to an inbox: limit, parse, verify, check ownership and blocks, store once.

The request path does nothing slow beyond a key fetch for a sender never seen before:
the worker applies the stored activity later (hub.federation.dispatch).
"""

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from hub.activitypub.errors import InvalidActivity
from hub.activitypub.json_limits import MAX_JSON_BYTES, loads_limited
from hub.activitypub.jsonld import has_as_context, id_of
from hub.context import HubContext
from hub.db import insert_ignoring_conflicts
from hub.federation.errors import RemoteError
from hub.federation.hosts import blocked_domains_of, is_blocked_by, revive_host
from hub.federation.request_signatures import SignatureCheck, verify_incoming_signature
from hub.models import InboxItem

logger = logging.getLogger(__name__)

MAX_ID_LENGTH = 2048


@dataclass(frozen=True)
class Accepted:
    """The activity is stored (or was already: `duplicate`) and will be applied later."""

    activity_id: str
    duplicate: bool


@dataclass(frozen=True)
class Rejected:
    """The request is refused with an HTTP status and a short reason for the sender."""

    status: int
    reason: str


@dataclass(frozen=True)
class IncomingRequest:
    """The parts of an inbox POST that signatures cover, exactly as received."""

    method: str
    path: str
    query: str
    headers: Mapping[str, str]
    body: bytes
    recipient: str | None


def _http_id(value: object) -> str | None:
    if isinstance(value, str) and len(value) <= MAX_ID_LENGTH:
        scheme = urlsplit(value).scheme
        if scheme in ("http", "https") and urlsplit(value).hostname:
            return value
    return None


def parse_activity(body: bytes) -> dict[str, Any]:
    """Parse an inbox body into an activity with an id, a type and an actor id.

    Raises:
        InvalidActivity: it is not JSON, too deep, or lacks those fields.
    """
    document = loads_limited(body)
    if not isinstance(document, dict):
        raise InvalidActivity("the body must be a JSON object")
    if not has_as_context(document):
        raise InvalidActivity("@context must include https://www.w3.org/ns/activitystreams")
    if not isinstance(document.get("type"), str) or not document["type"]:
        raise InvalidActivity("type must be a string")
    if _http_id(document.get("id")) is None:
        raise InvalidActivity("id must be an http(s) URL")
    if _http_id(id_of(document.get("actor"))) is None:
        raise InvalidActivity("actor must be an http(s) URL or an object with one as id")
    return document


def _is_self_delete(activity: dict[str, Any]) -> bool:
    return activity["type"] == "Delete" and id_of(activity.get("object")) == id_of(
        activity["actor"]
    )


async def accept_incoming(ctx: HubContext, request: IncomingRequest) -> Accepted | Rejected:
    """Run every inbox check; store the activity once; never raise for bad input."""
    if len(request.body) > MAX_JSON_BYTES:
        return Rejected(413, f"body is larger than {MAX_JSON_BYTES} bytes")
    try:
        activity = parse_activity(request.body)
    except InvalidActivity as error:
        return Rejected(400, str(error))
    actor_id = id_of(activity["actor"])
    assert actor_id is not None  # noqa: S101 - checked by parse_activity
    actor_host = urlsplit(actor_id).netloc.lower()
    if is_blocked_by(actor_host, await blocked_domains_of(ctx)):
        return Rejected(403, "this server does not accept activities from your domain")
    try:
        check = await verify_incoming_signature(
            ctx,
            method=request.method,
            path=request.path,
            query=request.query,
            headers=request.headers,
            body=request.body,
            # Mastodon sends Deletes of accounts whose keys are gone; don't fetch for those.
            may_fetch_key=not _is_self_delete(activity),
        )
    except RemoteError as error:
        logger.info("inbox key fetch failed actor=%s reason=%s", actor_id, error.reason)
        return Rejected(401, f"could not fetch the signing key: {error.reason}")
    if check.unknown_key_of_deleted_actor:
        return Accepted(activity_id=activity["id"], duplicate=True)
    if not check.is_valid:
        logger.warning("inbox signature rejected actor=%s reason=%s", actor_id, check.detail)
        return Rejected(401, check.detail)
    if check.owner_ap_id != actor_id:
        logger.warning("inbox signer mismatch actor=%s signer=%s", actor_id, check.owner_ap_id)
        return Rejected(401, "the signing key does not belong to the activity's actor")
    return await _store(ctx, activity, actor_id, actor_host, check, request.recipient)


async def _store(
    ctx: HubContext,
    activity: dict[str, Any],
    actor_id: str,
    actor_host: str,
    check: SignatureCheck,
    recipient: str | None,
) -> Accepted:
    now = ctx.clock()
    # A host that wrote lately and had no failures on record needs no reviving write.
    is_known_healthy = ctx.healthy_hosts.get(actor_host) is not None
    revived = False
    async with ctx.sessions() as session, session.begin():
        if not is_known_healthy:
            revived = await revive_host(session, actor_host)
        inserted = await insert_ignoring_conflicts(
            session,
            InboxItem,
            {
                "activity_id": activity["id"],
                "activity_type": activity["type"][:64],
                "actor_ap_id": actor_id,
                "signer_key_id": check.key_id[:MAX_ID_LENGTH],
                "recipient": recipient,
                "body": activity,
                "state": "queued",
                "attempts": 0,
                "received_at": now,
                "next_attempt_at": now,
            },
            conflict_columns=["activity_id"],
        )
    ctx.healthy_hosts.put(actor_host, True)
    if revived:
        ctx.host_lists.discard("unavailable")
    return Accepted(activity_id=activity["id"], duplicate=not inserted)
