"""Record an outgoing activity and its fan-out job in the caller's transaction."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from hub.models import Actor, FanoutJob, OutgoingActivity


async def record_activity(
    session: AsyncSession,
    *,
    actor: Actor,
    activity: dict[str, Any],
    now: datetime,
    is_public: bool,
    to_followers: bool,
    extra_inboxes: Sequence[str] = (),
) -> OutgoingActivity:
    """Add the activity and the job that will deliver it; both commit or neither does."""
    assert actor.id is not None  # noqa: S101 - a stored actor
    outgoing = OutgoingActivity(
        ap_id=activity["id"],
        actor_id=actor.id,
        activity_type=activity["type"],
        object_ap_id=_object_id(activity.get("object")),
        is_public=is_public,
        body=activity,
        created_at=now,
    )
    session.add(outgoing)
    await session.flush()
    assert outgoing.id is not None  # noqa: S101 - set by the flush
    session.add(
        FanoutJob(
            activity_id=outgoing.id,
            to_followers=to_followers,
            extra_inboxes=list(dict.fromkeys(extra_inboxes)),
            next_attempt_at=now,
        )
    )
    return outgoing


def _object_id(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return str(value["id"])
    return None
