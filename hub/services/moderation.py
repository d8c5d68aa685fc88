"""Block and unblock remote domains; read the moderation reports other servers send."""

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, delete, select

from hub.context import HubContext
from hub.models import Actor, BlockedDomain, Report
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


@dataclass(frozen=True)
class ReportView:
    """A received moderation report as the report list shows it."""

    report_id: int
    received_at: datetime
    reporter_handle: str
    reporter_ap_id: str
    target_ap_ids: tuple[str, ...]
    comment: str
    is_resolved: bool


async def list_reports(ctx: HubContext, *, include_resolved: bool = False) -> list[ReportView]:
    """Return the reports (Flags) received, newest first; open ones only unless asked."""
    statement = select(Report, Actor).join(Actor, col(Report.reporter_actor_id) == col(Actor.id))
    if not include_resolved:
        statement = statement.where(col(Report.resolved_at).is_(None))
    async with ctx.sessions() as session:
        rows = (await session.exec(statement.order_by(col(Report.id).desc()))).all()
    return [
        ReportView(
            report_id=report.id or 0,
            received_at=report.created_at,
            reporter_handle=reporter.handle,
            reporter_ap_id=reporter.ap_id,
            target_ap_ids=tuple(report.target_ap_ids),
            comment=report.comment,
            is_resolved=report.resolved_at is not None,
        )
        for report, reporter in rows
    ]
