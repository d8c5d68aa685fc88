"""Write staff notifications from the federation handlers, in the transaction of the event."""

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from hub.models import Actor, Notification
from hub.models.notifications import NotificationKind


def record_notification(
    session: AsyncSession,
    *,
    kind: NotificationKind,
    local_actor: Actor,
    remote_actor: Actor,
    now: datetime,
    post_id: int | None = None,
    activity_ap_id: str | None = None,
) -> None:
    """Add an unread notification for one of our actors; it commits with the caller's work."""
    if local_actor.id is None or remote_actor.id is None:
        raise ValueError("notifications name stored actors")
    session.add(
        Notification(
            kind=kind,
            local_actor_id=local_actor.id,
            remote_actor_id=remote_actor.id,
            post_id=post_id,
            activity_ap_id=activity_ap_id,
            created_at=now,
        )
    )
