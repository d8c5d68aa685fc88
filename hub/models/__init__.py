"""SQLModel tables; importing this package registers every table for Alembic."""

from hub.models.accounts import Account, PublishGrant
from hub.models.actors import ACTOR_TYPES, Actor, ActorKey
from hub.models.deliveries import BlockedDomain, Delivery, FanoutJob, HostHealth, OutgoingActivity
from hub.models.follows import Follow
from hub.models.inbox import InboxItem
from hub.models.posts import Post

__all__ = [
    "ACTOR_TYPES",
    "Account",
    "Actor",
    "ActorKey",
    "BlockedDomain",
    "Delivery",
    "FanoutJob",
    "Follow",
    "HostHealth",
    "InboxItem",
    "OutgoingActivity",
    "Post",
    "PublishGrant",
]
