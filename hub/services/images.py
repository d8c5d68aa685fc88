"""Uploaded images made safe with Pillow: sniffed, bounded, rotated, shrunk, stripped."""

from dataclasses import dataclass
from io import BytesIO

import blurhash  # type: ignore[import-untyped]  # pure-Python package without type hints
from PIL import Image, ImageOps, UnidentifiedImageError

from hub.services.errors import InvalidInput

# Formats as Pillow names them, recognised from the bytes, never from a declared type.
ACCEPTED_FORMATS = ("JPEG", "PNG", "GIF", "WEBP")
# What each accepted format is stored as: GIFs keep their first frame, as a PNG.
STORED_AS = {"JPEG": "JPEG", "PNG": "PNG", "GIF": "PNG", "WEBP": "WEBP"}
MEDIA_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
# Our own ceiling, below Pillow's MAX_IMAGE_PIXELS (about 89 megapixels), so a large image is
# refused from its header alone, before any pixel is decoded.
MAX_PIXELS = 40_000_000
MAX_SIDE = 2048
QUALITY = 85
BLURHASH_SAMPLE_SIDE = 32
BLURHASH_COMPONENTS = (4, 3)  # at most 5x5, which is all Mastodon accepts (spec §5.7)


@dataclass(frozen=True)
class ProcessedImage:
    """An image ready to store: new bytes without metadata, and what describes it."""

    data: bytes
    media_type: str
    extension: str
    width: int
    height: int
    blurhash: str


def _open(data: bytes) -> Image.Image:
    try:
        return Image.open(BytesIO(data), formats=ACCEPTED_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidInput("image", "has too many pixels to be processed safely") from None
    except UnidentifiedImageError:
        raise InvalidInput("image", "must be a JPEG, PNG, GIF or WebP image") from None


def _output_mode(image: Image.Image, stored_as: str) -> str:
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if stored_as == "JPEG":
        return "L" if image.mode in ("1", "L") else "RGB"
    if image.mode in ("1", "L", "RGB", "RGBA", "LA") and not (
        image.mode in ("1", "L", "RGB") and has_alpha
    ):
        return image.mode
    return "RGBA" if has_alpha else "RGB"


def _blurhash(image: Image.Image) -> str:
    sample = image.convert("RGB")
    sample.thumbnail((BLURHASH_SAMPLE_SIDE, BLURHASH_SAMPLE_SIDE))
    width, height = sample.size
    raw = sample.tobytes()
    rows = [
        [list(raw[(y * width + x) * 3 : (y * width + x) * 3 + 3]) for x in range(width)]
        for y in range(height)
    ]
    x_components, y_components = BLURHASH_COMPONENTS
    if height > width:
        x_components, y_components = y_components, x_components
    return str(blurhash.encode(rows, components_x=x_components, components_y=y_components))


def process_image(
    data: bytes, *, max_pixels: int = MAX_PIXELS, max_side: int = MAX_SIDE
) -> ProcessedImage:
    """Return a re-encoded copy of an uploaded image, or raise InvalidInput("image", …).

    The format comes from the bytes. The pixel count is checked from the header before
    decoding. EXIF orientation is applied, then every piece of metadata (EXIF with GPS,
    XMP, comments, text chunks) is left behind except the colour profile; the long side
    is brought down to `max_side` (the aspect kept); animated images keep their first
    frame. CPU-bound: call it from a worker thread.
    """
    with _open(data) as image:
        source_format = str(image.format)
        if image.width * image.height > max_pixels:
            raise InvalidInput(
                "image",
                f"is {image.width}x{image.height} pixels; at most "
                f"{max_pixels // 1_000_000} megapixels are accepted",
            )
        try:
            image.seek(0)
            image.load()
            upright = ImageOps.exif_transpose(image)
        except (OSError, SyntaxError, ValueError, EOFError):
            raise InvalidInput("image", "could not be read; the file may be damaged") from None
        icc_profile = image.info.get("icc_profile")
    stored_as = STORED_AS[source_format]
    try:
        frame = upright.convert(_output_mode(upright, stored_as))
        frame.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
        frame.info = {}  # no comment, EXIF, XMP or text chunk may reach the new file
        options: dict[str, object] = {}
        if isinstance(icc_profile, bytes) and icc_profile:
            options["icc_profile"] = icc_profile
        if stored_as in ("JPEG", "WEBP"):
            options["quality"] = QUALITY
        output = BytesIO()
        frame.save(output, format=stored_as, **options)
    except (OSError, ValueError):
        raise InvalidInput("image", "could not be converted; try saving it as a JPEG") from None
    return ProcessedImage(
        data=output.getvalue(),
        media_type=MEDIA_TYPES[stored_as],
        extension=EXTENSIONS[stored_as],
        width=frame.width,
        height=frame.height,
        blurhash=_blurhash(frame),
    )
