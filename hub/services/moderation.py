"""Block and unblock remote domains."""

import logging

from sqlmodel import col, delete, select

from hub.context import HubContext
from hub.models import BlockedDomain
from hub.services.errors import InvalidInput

logger = logging.getLogger(__name__)


def normalise_domain(domain: str) -> str:
    """Return a domain as stored: lowercase, no scheme, path or trailing dot."""
    value = domain.strip().lower().removeprefix("https://").removeprefix("http://")
    value = value.split("/", 1)[0].rstrip(".")
    if not value or " " in value or "@" in value:
        raise InvalidInput("domain", "must be a domain name such as example.org")
    return value


async def block_domain(ctx: HubContext, domain: str) -> str:
    """Refuse all activities from a domain and deliver nothing to it."""
    name = normalise_domain(domain)
    async with ctx.sessions() as session, session.begin():
        existing = await session.get(BlockedDomain, name)
        if existing is None:
            session.add(BlockedDomain(domain=name, created_at=ctx.clock()))
    ctx.host_lists.clear()
    logger.info("domain blocked domain=%s", name)
    return name


async def unblock_domain(ctx: HubContext, domain: str) -> str:
    """Lift a domain block."""
    name = normalise_domain(domain)
    async with ctx.sessions() as session, session.begin():
        await session.exec(delete(BlockedDomain).where(col(BlockedDomain.domain) == name))
    ctx.host_lists.clear()
    logger.info("domain unblocked domain=%s", name)
    return name


async def blocked_domains(ctx: HubContext) -> list[str]:
    """Return the blocked domains in alphabetical order."""
    async with ctx.sessions() as session:
        rows = await session.exec(select(BlockedDomain.domain).order_by(col(BlockedDomain.domain)))
        return list(rows.all())
