"""HubContext: everything one Hub instance needs, built once and passed down explicitly."""

from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.activitypub.keys import KeyPairPem
from hub.cache import TtlCache
from hub.clock import Clock
from hub.config import Settings
from hub.db import SessionFactory, call_on_commit_of_writes

# Host name -> its IP addresses; tests inject a fake DNS so SSRF checks run without a network.
Resolver = Callable[[str], Awaitable[list[str]]]

PUBLIC_KEY_TTL = timedelta(minutes=5)
HOST_LIST_TTL = timedelta(seconds=5)
HEALTHY_HOST_TTL = timedelta(minutes=1)
ACTOR_DOCUMENT_TTL = timedelta(seconds=10)
RENDERED_PAGE_TTL = timedelta(seconds=10)
# Rendered posts are tens of kilobytes; a few hundred cover every post being shared at once.
RENDERED_PAGE_ENTRIES = 256
# Tables whose rows no public page or document shows: queues, bookkeeping and staff-only
# views. Writes to them (a stream of deliveries, say) leave the rendered pages in place.
UNSHOWN_TABLES = frozenset(
    {
        "inbox_items", "deliveries", "fanout_jobs", "host_health", "timeline_entries",
        "timeline_tags", "notifications", "post_search", "reports", "login_failures",
        "accounts", "publish_grants", "alembic_version",
    }
)  # fmt: skip


@dataclass
class HubContext:
    """The composition root's product: settings, database, HTTP client and clock."""

    settings: Settings
    engine: AsyncEngine
    sessions: SessionFactory
    http: httpx.AsyncClient
    clock: Clock
    generate_keys: Callable[[], KeyPairPem]
    resolve_host: Resolver
    # Private keys of local actors by actor id, loaded from the database once per process.
    private_keys: dict[int, Any] = field(default_factory=dict)
    # Public keys of remote signers by key id: the inbox verifies without a query. A key that
    # fails to verify is fetched anew (rotation), which replaces its entry.
    public_keys: TtlCache[str, Any] = field(init=False)
    # Blocked domains and unavailable hosts, read on every inbox request and delivery; a
    # block made in this process applies at once, one made elsewhere within seconds.
    host_lists: TtlCache[str, frozenset[str]] = field(init=False)
    # Hosts seen healthy lately: the inbox skips the write that would revive them.
    healthy_hosts: TtlCache[str, bool] = field(init=False)
    # Our actors' JSON by username: every server that sees a post fetches its author's
    # document. A change made here applies at once, one made elsewhere within seconds.
    actor_documents: TtlCache[str, dict[str, Any]] = field(init=False)
    # Public pages and documents as rendered for visitors, each with the content version
    # it was rendered at. Any commit here that writes what a page shows moves the version on,
    # so they are current at once; another process's change shows within seconds.
    rendered_pages: TtlCache[Hashable, Any] = field(init=False)
    content_version: int = 0

    def __post_init__(self) -> None:
        self.public_keys = TtlCache(self.clock, PUBLIC_KEY_TTL)
        self.host_lists = TtlCache(self.clock, HOST_LIST_TTL, max_entries=4)
        self.healthy_hosts = TtlCache(self.clock, HEALTHY_HOST_TTL)
        self.actor_documents = TtlCache(self.clock, ACTOR_DOCUMENT_TTL, max_entries=1_000)
        self.rendered_pages = TtlCache(
            self.clock, RENDERED_PAGE_TTL, max_entries=RENDERED_PAGE_ENTRIES
        )
        call_on_commit_of_writes(self.engine, self._content_changed, ignored_tables=UNSHOWN_TABLES)

    def _content_changed(self) -> None:
        self.content_version += 1

    async def close(self) -> None:
        """Release the HTTP client and the database pool."""
        await self.http.aclose()
        await self.engine.dispose()
