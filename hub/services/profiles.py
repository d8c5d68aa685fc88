"""Staff edit an actor's profile (name, bio, links, avatar); followers get the actor's Update.

Every change that alters the actor document is saved together with an `Update` of the
whole actor to its followers, in one transaction, as Mastodon expects (spec §10 item 66).
"""

import html
import logging
import re
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlmodel import col, delete

from hub.activitypub.build import is_profile_url, profile_link_text
from hub.activitypub.reactions import build_actor_update
from hub.context import HubContext
from hub.federation.outbox import record_activity
from hub.models import Actor, MediaAttachment
from hub.services.actors import actor_document, get_local_actor, profile_links_of
from hub.services.errors import InvalidInput, NotFound
from hub.services.markdown import render_markdown
from hub.services.media import FILE_NAME, delete_media_files, media_url, upload_image
from hub.services.permissions import require_publish_right

logger = logging.getLogger(__name__)

MAX_DISPLAY_NAME_LENGTH = 100
MAX_BIO_LENGTH = 5000
MAX_LINKS = 4
MAX_LINK_LABEL_LENGTH = 255
MAX_LINK_VALUE_LENGTH = 2048
# Mastodon crops avatars to 400x400; we keep the aspect and let it crop.
AVATAR_SIDE = 400
_BLOCK_END = re.compile(r"</p>|<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class ProfileInput:
    """What staff typed: a display name, the bio as Markdown, and (label, value) links.

    Links may include empty rows (a form's unused lines); they are dropped.
    """

    display_name: str
    bio_markdown: str
    links: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ProfileLinkView:
    """A profile link as a page shows it: `url` is set when the value is an http(s) URL."""

    label: str
    value: str
    text: str
    url: str | None


@dataclass(frozen=True)
class ProfileView:
    """An actor's editable profile, for the staff form."""

    username: str
    handle: str
    display_name: str
    bio_markdown: str
    links: tuple[ProfileLinkView, ...]
    avatar_url: str | None
    publishes_as_note: bool
    html_url: str


def link_views(actor: Actor) -> tuple[ProfileLinkView, ...]:
    """Return an actor's profile links ready for a template."""
    return tuple(
        ProfileLinkView(
            label=label,
            value=value,
            text=profile_link_text(value),
            url=value if is_profile_url(value) else None,
        )
        for label, value in profile_links_of(actor)
    )


def bio_source_of(actor: Actor) -> str:
    """Return the bio as staff edit it: its Markdown, else the text of a bio set without one.

    Actors made with `hub actor create` have a bio in HTML only; its text is the start.
    """
    if actor.summary_source or not actor.summary_html:
        return actor.summary_source
    text = html.unescape(_TAG.sub("", _BLOCK_END.sub("\n\n", actor.summary_html)))
    return "\n\n".join(part.strip() for part in text.split("\n\n") if part.strip())


async def profile_of(ctx: HubContext, actor_name: str, *, account_id: int | None) -> ProfileView:
    """Return what the profile form shows for one of our actors.

    Raises:
        NotFound, PermissionDenied.
    """
    local = await get_local_actor(ctx, actor_name)
    await require_publish_right(ctx, account_id, local)
    return ProfileView(
        username=local.username,
        handle=local.handle,
        display_name=local.display_name,
        bio_markdown=bio_source_of(local),
        links=link_views(local),
        avatar_url=local.icon_url,
        publishes_as_note=local.publishes_as_note,
        html_url=local.html_url or local.ap_id,
    )


def _clean_link(position: int, label: str, value: str) -> tuple[str, str] | None:
    label, value = " ".join(label.split()), value.strip()
    if not label and not value:
        return None
    if len(label) > MAX_LINK_LABEL_LENGTH:
        raise InvalidInput(
            f"link_label_{position}", f"must be at most {MAX_LINK_LABEL_LENGTH} characters"
        )
    if len(value) > MAX_LINK_VALUE_LENGTH:
        raise InvalidInput(
            f"link_value_{position}", f"must be at most {MAX_LINK_VALUE_LENGTH} characters"
        )
    if not label:
        raise InvalidInput(f"link_label_{position}", "is needed when the link has a value")
    if not value:
        raise InvalidInput(f"link_value_{position}", "is needed when the link has a label")
    if urlsplit(value).scheme.lower() in ("http", "https") and not is_profile_url(value):
        raise InvalidInput(
            f"link_value_{position}", "looks like a web address but is not a complete one"
        )
    return label, value


def clean_profile(values: ProfileInput) -> ProfileInput:
    """Return the profile with spaces tidied and empty link rows dropped, or raise InvalidInput.

    Fields: "display_name", "bio", "links", "link_label_N" and "link_value_N" (N from 1, the
    row as given).
    """
    display_name = " ".join(values.display_name.split())
    if len(display_name) > MAX_DISPLAY_NAME_LENGTH:
        raise InvalidInput("display_name", f"must be at most {MAX_DISPLAY_NAME_LENGTH} characters")
    bio = values.bio_markdown.replace("\r\n", "\n").strip()
    if len(bio) > MAX_BIO_LENGTH:
        raise InvalidInput("bio", f"must be at most {MAX_BIO_LENGTH:,} characters")
    links = [
        link
        for position, (label, value) in enumerate(values.links, start=1)
        if (link := _clean_link(position, label, value)) is not None
    ]
    if len(links) > MAX_LINKS:
        raise InvalidInput("links", f"a profile has at most {MAX_LINKS} links")
    return ProfileInput(display_name=display_name, bio_markdown=bio, links=tuple(links))


async def _save_and_announce(ctx: HubContext, local: Actor, changes: dict[str, object]) -> None:
    """Write `changes` to the actor and queue its Update to followers, in one transaction."""
    for name, value in changes.items():
        setattr(local, name, value)
    document = await actor_document(ctx, local)
    now = ctx.clock()
    async with ctx.sessions() as session, session.begin():
        stored = await session.get(Actor, local.id)
        if stored is None or stored.deleted_at is not None:
            raise NotFound(f"no actor called '{local.username}'")
        for name, value in changes.items():
            setattr(stored, name, value)
        session.add(stored)
        update = build_actor_update(f"{stored.ap_id}#updates/{uuid.uuid4().hex}", document)
        await record_activity(
            session, actor=stored, activity=update, now=now, is_public=False, to_followers=True
        )
    ctx.actor_documents.discard(local.username)


async def update_profile(
    ctx: HubContext, actor_name: str, values: ProfileInput, *, account_id: int | None
) -> bool:
    """Save an actor's name, bio and links; return whether anything changed.

    The bio is rendered from Markdown to sanitised HTML and its source kept for the form.
    A change sends the actor's Update to its followers; no change sends nothing.

    Raises:
        NotFound, PermissionDenied, InvalidInput (see `clean_profile` for the fields).
    """
    local = await get_local_actor(ctx, actor_name)
    await require_publish_right(ctx, account_id, local)
    cleaned = clean_profile(values)
    changes: dict[str, object] = {}
    if cleaned.display_name != local.display_name:
        changes["display_name"] = cleaned.display_name
    if cleaned.bio_markdown != bio_source_of(local):
        changes["summary_source"] = cleaned.bio_markdown
        summary_html = render_markdown(cleaned.bio_markdown) if cleaned.bio_markdown else ""
        if summary_html != local.summary_html:
            changes["summary_html"] = summary_html
    if cleaned.links != profile_links_of(local):
        changes["profile_links"] = [list(link) for link in cleaned.links]
    if not changes:
        return False
    # The source alone changing (the same HTML) needs no Update, but must still be saved.
    if set(changes) == {"summary_source"}:
        async with ctx.sessions() as session, session.begin():
            stored = await session.get(Actor, local.id)
            if stored is not None:
                stored.summary_source = cleaned.bio_markdown
                session.add(stored)
        return True
    await _save_and_announce(ctx, local, changes)
    logger.info("profile updated actor=%s fields=%s", local.ap_id, ",".join(sorted(changes)))
    return True


def _own_avatar_file(ctx: HubContext, icon_url: str | None) -> str | None:
    """Return the file name of an avatar we stored, or None for none or someone else's URL."""
    prefix = ctx.settings.url("/media/")
    if not icon_url or not icon_url.startswith(prefix):
        return None
    name = icon_url.removeprefix(prefix)
    return name if FILE_NAME.match(name) else None


async def _forget_avatar_file(ctx: HubContext, file_name: str | None) -> None:
    """Delete a replaced avatar's row and file, unless a post has since taken the image."""
    if file_name is None:
        return
    async with ctx.sessions() as session, session.begin():
        result = await session.exec(
            delete(MediaAttachment).where(
                col(MediaAttachment.file_name) == file_name, col(MediaAttachment.post_id).is_(None)
            )
        )
    if result.rowcount:
        await delete_media_files(ctx, [file_name])


async def set_avatar(
    ctx: HubContext,
    actor_name: str,
    data: bytes,
    filename: str,
    declared_type: str | None,
    *,
    account_id: int | None,
) -> str:
    """Make an uploaded image the actor's avatar and send its Update; return the image URL.

    The image is checked and cleaned as every upload is (type from the bytes, pixel limit,
    metadata removed) and brought within AVATAR_SIDE pixels, its aspect kept.

    Raises:
        NotFound, PermissionDenied.
        InvalidInput: ("avatar", …) empty, too large, not an image or unreadable.
    """
    local = await get_local_actor(ctx, actor_name)
    await require_publish_right(ctx, account_id, local)
    try:
        attachment = await upload_image(
            ctx,
            data,
            filename=filename,
            declared_type=declared_type,
            description=f"Avatar of {local.display_name or local.username}",
            account_id=account_id,
            max_side=AVATAR_SIDE,
        )
    except InvalidInput as error:
        raise InvalidInput("avatar", error.message) from None
    old_file = _own_avatar_file(ctx, local.icon_url)
    url = media_url(ctx, attachment)
    await _save_and_announce(
        ctx, local, {"icon_url": url, "icon_media_type": attachment.media_type}
    )
    await _forget_avatar_file(ctx, old_file)
    logger.info("avatar set actor=%s file=%s", local.ap_id, attachment.file_name)
    return url


async def remove_avatar(ctx: HubContext, actor_name: str, *, account_id: int | None) -> bool:
    """Remove the actor's avatar and send its Update; return False when it had none.

    Raises:
        NotFound, PermissionDenied.
    """
    local = await get_local_actor(ctx, actor_name)
    await require_publish_right(ctx, account_id, local)
    if local.icon_url is None:
        return False
    old_file = _own_avatar_file(ctx, local.icon_url)
    await _save_and_announce(ctx, local, {"icon_url": None, "icon_media_type": None})
    await _forget_avatar_file(ctx, old_file)
    logger.info("avatar removed actor=%s", local.ap_id)
    return True
