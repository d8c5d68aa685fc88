"""The compose form as a test fills it in, and what it left in the database."""

from typing import Any

import httpx
from sqlmodel import col, select

from hub.context import HubContext
from hub.models import MediaAttachment, Post
from tests.support.staff import form_token, log_in, make_account

TYPED = {
    "actor": "org",
    "title": "Observatory Sighting #7: Taking stock",
    "summary": "What we have learnt about the response so far.",
    "body": "In the seventh edition we **take stock**.",
    "tags": "observatory, relationships",
    "series": "Observatory Sightings",
    "visibility": "public",
    "content_warning": "",
    "language": "en",
}


async def signed_in_to_compose(ctx: HubContext, client: httpx.AsyncClient, **account: Any) -> str:
    """Make a staff account (publishing as org unless told), log in, return compose's token."""
    await make_account(ctx, **({"actors": ("org",)} | account))
    await log_in(client)
    return await form_token(client, "/admin/compose")


async def local_posts(ctx: HubContext) -> list[Post]:
    """Return every post of our own actors, drafts and scheduled ones included."""
    async with ctx.sessions() as session:
        return list((await session.exec(select(Post).where(col(Post.is_local)))).all())


async def stored_media(ctx: HubContext) -> list[MediaAttachment]:
    """Return every stored image."""
    async with ctx.sessions() as session:
        return list((await session.exec(select(MediaAttachment))).all())
