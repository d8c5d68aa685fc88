"""The compose form's values exactly as typed, and their conversion into a PostInput."""

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from starlette.datastructures import FormData, UploadFile

from hub.services.errors import InvalidInput
from hub.services.publishing import PostInput
from hub.web.forms import text_field, text_fields

VISIBILITY_CHOICES = (
    ("public", "Public: on the Hub's pages and in fediverse timelines"),
    ("unlisted", "Unlisted: on the Hub's pages, kept out of public fediverse timelines"),
    ("followers", "Followers only: only the actor's followers on the fediverse"),
)
ACTIONS = ("preview", "upload", "draft", "publish", "schedule", "save")
MAX_MEDIA_IDS = 8
TIME_ZONE_NAME = re.compile(r"^[A-Za-z0-9_+\-]+(?:/[A-Za-z0-9_+\-]+){0,2}$")
TAG_SEPARATORS = re.compile(r"[,\s]+")


@dataclass
class ImageChoice:
    """An image already uploaded for this post, with the alt text as typed."""

    media_id: int
    alt: str
    remove: bool = False


@dataclass
class ComposeForm:
    """Every field of the compose form as the person typed it, so it can be shown again."""

    actor: str = ""
    title: str = ""
    summary: str = ""
    body: str = ""
    tags: str = ""
    series: str = ""
    visibility: str = "public"
    content_warning: str = ""
    language: str = "en"
    publish_at: str = ""
    time_zone: str = "UTC"
    new_image_alt: str = ""
    images: list[ImageChoice] = field(default_factory=list)

    @classmethod
    def from_form(cls, form: FormData) -> "ComposeForm":
        """Read the posted form; absent fields are empty, never an error."""
        removed = set(text_fields(form, "remove_media", max_length=20))
        images = []
        seen: set[int] = set()
        for raw_id in text_fields(form, "media_id", max_length=20)[:MAX_MEDIA_IDS]:
            if not raw_id.isdigit() or int(raw_id) in seen:
                continue
            seen.add(int(raw_id))
            images.append(
                ImageChoice(
                    media_id=int(raw_id),
                    alt=text_field(form, f"alt_{raw_id}", max_length=20_000),
                    remove=raw_id in removed,
                )
            )
        return cls(
            actor=text_field(form, "actor", max_length=64),
            title=text_field(form, "title", max_length=2000),
            summary=text_field(form, "summary", max_length=20_000),
            body=text_field(form, "body", max_length=1_000_000),
            tags=text_field(form, "tags", max_length=5000),
            series=text_field(form, "series", max_length=2000),
            visibility=text_field(form, "visibility", max_length=16) or "public",
            content_warning=text_field(form, "content_warning", max_length=5000),
            language=text_field(form, "language", max_length=35),
            publish_at=text_field(form, "publish_at", max_length=40),
            time_zone=text_field(form, "time_zone", max_length=64) or "UTC",
            new_image_alt=text_field(form, "image_alt", max_length=20_000),
            images=images,
        )

    @property
    def kept_images(self) -> list[ImageChoice]:
        """Return the uploaded images that stay with the post, in order."""
        return [image for image in self.images if not image.remove]

    def post_input(self) -> PostInput:
        """Return the values the publishing services take."""
        return PostInput(
            title=self.title,
            summary=self.summary,
            body_markdown=self.body,
            tags=tuple(tag for tag in TAG_SEPARATORS.split(self.tags) if tag),
            series=self.series,
            visibility=self.visibility,
            content_warning=self.content_warning,
            language=self.language.strip() or None,
            media_ids=tuple(image.media_id for image in self.kept_images),
        )

    def publish_at_utc(self) -> datetime:
        """Return the chosen publication time in UTC.

        The field is a `datetime-local` (no zone); the page's script adds the browser's time
        zone, and without it the time is read as UTC, as the form says.

        Raises:
            InvalidInput: ("publish_at") empty or not a date and time.
        """
        if not self.publish_at.strip():
            raise InvalidInput("publish_at", "choose the date and time to publish at")
        try:
            local = datetime.fromisoformat(self.publish_at.strip())
        except ValueError:
            raise InvalidInput("publish_at", "must be a date and time") from None
        if local.tzinfo is not None:
            return local.astimezone(UTC)
        return local.replace(tzinfo=self.zone()).astimezone(UTC)

    def zone(self) -> ZoneInfo:
        """Return the person's time zone, or UTC when the name is unknown or malformed."""
        if TIME_ZONE_NAME.match(self.time_zone):
            try:
                return ZoneInfo(self.time_zone)
            except (ZoneInfoNotFoundError, ValueError):
                pass
        return ZoneInfo("UTC")


def chosen_upload(form: FormData) -> UploadFile | None:
    """Return the image file chosen in the form, if any."""
    upload = form.get("image")
    if isinstance(upload, UploadFile) and upload.filename:
        return upload
    return None


def form_for_local_time(value: datetime | None, zone: ZoneInfo) -> str:
    """Return a UTC time as a `datetime-local` value in the given zone ('' for None)."""
    if value is None:
        return ""
    return value.astimezone(zone).strftime("%Y-%m-%dT%H:%M")
