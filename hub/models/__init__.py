"""SQLModel tables; importing this package registers every table for Alembic."""

from hub.models.accounts import Account, LoginFailure, PublishGrant
from hub.models.actors import ACTOR_TYPES, Actor, ActorKey
from hub.models.blocks import ActorBlock
from hub.models.deliveries import BlockedDomain, Delivery, FanoutJob, HostHealth, OutgoingActivity
from hub.models.follows import Follow
from hub.models.inbox import InboxItem
from hub.models.interactions import Interaction
from hub.models.media import MediaAttachment
from hub.models.posts import Post, PostTag
from hub.models.reports import Report

__all__ = [
    "ACTOR_TYPES",
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
    "OutgoingActivity",
    "Post",
    "PostTag",
    "PublishGrant",
    "Report",
]
