"""Actors, local and remote, and their public (and, for local ones, private) keys."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from hub.models.types import utc_column

ACTOR_TYPES = ("Application", "Group", "Organization", "Person", "Service")


class Actor(SQLModel, table=True):
    """An ActivityPub actor: one of ours (is_local) or a cached copy of a remote one."""

    __tablename__ = "actors"
    __table_args__ = (sa.Index("ix_actors_domain_username", "domain", "username"),)

    id: int | None = Field(default=None, primary_key=True)
    ap_id: str = Field(max_length=2048, unique=True, index=True)
    is_local: bool = Field(default=False, index=True)
    is_instance_actor: bool = False
    username: str = Field(max_length=255)
    domain: str = Field(max_length=255)
    actor_type: str = Field(max_length=32)
    display_name: str = Field(default="", sa_type=sa.Text)
    summary_html: str = Field(default="", sa_type=sa.Text)
    # The bio's Markdown as staff typed it (local actors only), so the form can show it again.
    summary_source: str = Field(default="", sa_type=sa.Text)
    # Profile links as [label, value] pairs: a value is an http(s) URL or plain text.
    profile_links: list[Any] = Field(default_factory=list, sa_type=sa.JSON)
    html_url: str | None = Field(default=None, max_length=2048)
    inbox_url: str = Field(max_length=2048)
    shared_inbox_url: str | None = Field(default=None, max_length=2048)
    outbox_url: str | None = Field(default=None, max_length=2048)
    followers_url: str | None = Field(default=None, max_length=2048)
    following_url: str | None = Field(default=None, max_length=2048)
    featured_url: str | None = Field(default=None, max_length=2048)
    icon_url: str | None = Field(default=None, max_length=2048)
    icon_media_type: str | None = Field(default=None, max_length=64)
    manually_approves_followers: bool = False
    discoverable: bool = True
    indexable: bool = True
    publishes_as_note: bool = False
    published_at: datetime = Field(sa_column=utc_column())
    fetched_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    deleted_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))

    @property
    def handle(self) -> str:
        """Return `username@domain`, the handle Mastodon shows (without the leading @)."""
        return f"{self.username}@{self.domain}"


class ActorKey(SQLModel, table=True):
    """A public key of an actor, by key id; local actors also hold the private half."""

    __tablename__ = "actor_keys"

    id: int | None = Field(default=None, primary_key=True)
    actor_id: int = Field(foreign_key="actors.id", index=True, ondelete="CASCADE")
    key_id: str = Field(max_length=2048, unique=True, index=True)
    public_key_pem: str = Field(sa_type=sa.Text)
    private_key_pem: str | None = Field(default=None, sa_type=sa.Text)
    created_at: datetime = Field(sa_column=utc_column())
