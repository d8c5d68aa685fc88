"""Media uploads: store processed images under the data folder, describe them, serve them."""

import asyncio
import contextlib
import logging
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hub.context import HubContext
from hub.models import Account, MediaAttachment, Post, PublishGrant
from hub.services.errors import InvalidInput, NotFound, PermissionDenied
from hub.services.images import MAX_SIDE, process_image

logger = logging.getLogger(__name__)

# Mastodon truncated alt text at 1 500 characters before 4.5.8 (spec §9.3).
MAX_DESCRIPTION_LENGTH = 1500
MEDIA_FOLDER = "media"
FILE_NAME = re.compile(r"^[A-Za-z0-9_-]{16,64}\.(?:jpg|png|webp)$")


@dataclass(frozen=True)
class MediaFile:
    """A stored file ready to serve."""

    path: Path
    media_type: str


def media_folder(ctx: HubContext) -> Path:
    """Return the folder that holds uploaded files."""
    return ctx.settings.data_dir / MEDIA_FOLDER


def media_url(ctx: HubContext, attachment: MediaAttachment) -> str:
    """Return the absolute URL of a media file: ours under /media/, a remote one as given."""
    if attachment.is_local and attachment.file_name:
        return ctx.settings.url(f"/media/{attachment.file_name}")
    return attachment.remote_url or ""


def clean_description(description: str) -> str:
    """Return alt text stripped of surrounding space, or raise InvalidInput("alt", …)."""
    text = description.strip()
    if len(text) > MAX_DESCRIPTION_LENGTH:
        raise InvalidInput("alt", f"must be at most {MAX_DESCRIPTION_LENGTH} characters")
    return text


async def _require_uploader(ctx: HubContext, account_id: int | None) -> None:
    """Only admins and accounts that may publish as some actor upload files."""
    if account_id is None:
        return
    async with ctx.sessions() as session:
        account = await session.get(Account, account_id)
        grant = (
            await session.exec(select(PublishGrant.id).where(PublishGrant.account_id == account_id))
        ).first()
    if account is None or not (account.is_admin or grant is not None):
        raise PermissionDenied("this account may not upload images")


def _write_file(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(data)
    os.replace(partial, path)


def _remove_file(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


async def upload_image(
    ctx: HubContext,
    data: bytes,
    *,
    filename: str,
    declared_type: str | None,
    description: str,
    account_id: int | None,
    max_side: int = MAX_SIDE,
) -> MediaAttachment:
    """Process and store an uploaded image; return its row, not yet attached to a post.

    The file type is sniffed from the bytes; `filename` and `declared_type` are only logged.
    The long side is brought down to `max_side` pixels.
    Nothing is written when the upload is refused.

    Raises:
        InvalidInput: ("image", …) too large, not an accepted type, a decompression bomb or
            unreadable; ("alt", …) alt text too long.
        PermissionDenied: the account may not publish at all.
    """
    limit = ctx.settings.max_upload_bytes
    if len(data) > limit:
        raise InvalidInput(
            "image", f"is {len(data) / 1048576:.1f} MiB; at most {limit / 1048576:.1f} MiB"
        )
    if not data:
        raise InvalidInput("image", "is empty")
    text = clean_description(description)
    await _require_uploader(ctx, account_id)
    processed = await asyncio.to_thread(process_image, data, max_side=max_side)
    file_name = f"{secrets.token_urlsafe(16)}.{processed.extension}"
    path = media_folder(ctx) / file_name
    await asyncio.to_thread(_write_file, path, processed.data)
    attachment = MediaAttachment(
        is_local=True,
        uploaded_by_account_id=account_id,
        file_name=file_name,
        media_type=processed.media_type,
        description=text,
        width=processed.width,
        height=processed.height,
        blurhash=processed.blurhash,
        size_bytes=len(processed.data),
        created_at=ctx.clock(),
    )
    try:
        async with ctx.sessions() as session, session.begin():
            session.add(attachment)
    except BaseException:
        _remove_file(path)
        raise
    logger.info(
        "image stored file=%s declared_name=%r declared_type=%s size=%d",
        file_name, filename[:100], (declared_type or "")[:64], len(processed.data),
    )  # fmt: skip
    return attachment


async def describe_media(
    ctx: HubContext, media_id: int, description: str, *, account_id: int | None
) -> None:
    """Set the alt text of one of our images; a published post shows it after its next edit.

    Raises:
        NotFound: no such local image.
        PermissionDenied: the account neither uploaded it nor may publish its post.
        InvalidInput: ("alt", …) too long.
    """
    text = clean_description(description)
    async with ctx.sessions() as session, session.begin():
        attachment = await session.get(MediaAttachment, media_id)
        if attachment is None or not attachment.is_local:
            raise NotFound("no such image")
        if account_id is not None and attachment.uploaded_by_account_id != account_id:
            await _require_media_right(session, account_id, attachment)
        attachment.description = text
        session.add(attachment)


async def _require_media_right(
    session: AsyncSession, account_id: int, attachment: MediaAttachment
) -> None:
    account = await session.get(Account, account_id)
    if account is not None and account.is_admin:
        return
    post = None if attachment.post_id is None else await session.get(Post, attachment.post_id)
    if account is not None and post is not None:
        grant = (
            await session.exec(
                select(PublishGrant.id).where(
                    PublishGrant.account_id == account_id, PublishGrant.actor_id == post.actor_id
                )
            )
        ).first()
        if grant is not None:
            return
    raise PermissionDenied("this account may not change this image")


async def find_media_file(ctx: HubContext, file_name: str) -> MediaFile | None:
    """Return the stored file of one of our images, if it may be served.

    Only names of our own form that have a row are served, so no path can leave the media
    folder; images of deleted posts are no longer served.
    """
    if not FILE_NAME.match(file_name):
        return None
    async with ctx.sessions() as session:
        statement = (
            select(MediaAttachment, Post.deleted_at)
            .outerjoin(Post, col(Post.id) == col(MediaAttachment.post_id))
            .where(col(MediaAttachment.file_name) == file_name, col(MediaAttachment.is_local))
        )
        row = (await session.exec(statement)).first()
    if row is None or row[1] is not None:
        return None
    path = media_folder(ctx) / file_name
    if not path.is_file():
        return None
    return MediaFile(path=path, media_type=row[0].media_type)


async def delete_media_files(ctx: HubContext, file_names: list[str]) -> None:
    """Remove stored files whose rows are gone; missing files are fine."""
    for file_name in file_names:
        if FILE_NAME.match(file_name):
            await asyncio.to_thread(_remove_file, media_folder(ctx) / file_name)
