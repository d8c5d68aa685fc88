"""Replies from the Hub: the post answered, its author mentioned and addressed (spec §5.5)."""

from collections.abc import Mapping
from dataclasses import dataclass

from sqlmodel import col, select

from hub.context import HubContext
from hub.models import Actor, Post
from hub.services.errors import InvalidInput

MAX_TITLE_LENGTH = 300


@dataclass(frozen=True)
class ReplyTarget:
    """The post a reply answers, and its author."""

    post_ap_id: str
    visibility: str
    author: Actor


async def find_reply_target(ctx: HubContext, post_ap_id: str) -> ReplyTarget:
    """Return the stored post (ours or received) a reply may answer.

    Raises:
        InvalidInput: ("in_reply_to", …) no such post here, or it was deleted.
    """
    async with ctx.sessions() as session:
        statement = (
            select(Post, Actor)
            .join(Actor, col(Post.actor_id) == col(Actor.id))
            .where(Post.ap_id == post_ap_id, col(Post.deleted_at).is_(None))
            .where(Post.state == "published")
        )
        found = (await session.exec(statement)).first()
    if found is None:
        raise InvalidInput("in_reply_to", "the post replied to is not here (or was deleted)")
    post, author = found
    return ReplyTarget(post_ap_id=post.ap_id, visibility=post.visibility, author=author)


def with_reply_author(mentioned: Mapping[str, Actor], target: ReplyTarget) -> dict[str, Actor]:
    """Return the mentions of a reply with the replied-to author among them (as Mastodon does).

    The author is then tagged as a Mention, addressed in `cc` and sent the reply, even when
    the body no longer names them.
    """
    resolved = dict(mentioned)
    if all(actor.ap_id != target.author.ap_id for actor in resolved.values()):
        resolved[target.author.handle.lower()] = target.author
    return resolved


def reply_title(target: ReplyTarget) -> str:
    """Return the title our pages give a reply written without one."""
    name = target.author.display_name or target.author.handle
    return f"Reply to {name}"[:MAX_TITLE_LENGTH]
