"""SQLModel tables; importing this package registers every table for Alembic."""

from hub.models.accounts import Account, LoginFailure, PublishGrant
from hub.models.actors import ACTOR_TYPES, Actor, ActorKey
from hub.models.blocks import ActorBlock
from hub.models.deliveries import BlockedDomain, Delivery, FanoutJob, HostHealth, OutgoingActivity
from hub.models.follows import Follow
from hub.models.inbox import InboxItem
from hub.models.interactions import Interaction
from hub.models.media import MediaAttachment
from hub.models.notifications import NOTIFICATION_KINDS, Notification
from hub.models.posts import Post, PostTag
from hub.models.reports import Report
from hub.models.search import PostSearch
from hub.models.timeline import TimelineEntry, TimelineTag

__all__ = [
    "ACTOR_TYPES",
    "NOTIFICATION_KINDS",
    "Account",
    "Actor",
    "ActorBlock",
    "ActorKey",
    "BlockedDomain",
    "Delivery",
    "FanoutJob",
    "Follow",
    "HostHealth",
    "InboxItem",
    "Interaction",
    "LoginFailure",
    "MediaAttachment",
    "Notification",
    "OutgoingActivity",
    "Post",
    "PostSearch",
    "PostTag",
    "PublishGrant",
    "Report",
    "TimelineEntry",
    "TimelineTag",
]
