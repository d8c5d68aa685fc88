"""Record an outgoing activity and its fan-out job in the caller's transaction."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from hub.activitypub.jsonld import id_of
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
    """Add an activity of a local actor and the job that will deliver it; commit neither.

    Both rows join the caller's open transaction, so an activity is never stored without
    its fan-out, nor delivered without being stored. `activity["id"]` becomes `ap_id`.
    `to_followers` sends to the actor's remote followers (shared inboxes preferred);
    `extra_inboxes` adds inboxes by URL, such as the personal inbox of a Follow's target.
    Async only because the job needs the activity's database id (one flush, no commit).
    """
    if actor.id is None or not actor.is_local:
        raise ValueError("only a stored local actor sends activities")
    outgoing = OutgoingActivity(
        ap_id=str(activity["id"]),
        actor_id=actor.id,
        activity_type=str(activity["type"]),
        object_ap_id=id_of(activity.get("object")),
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
