"""Images made in tests with Pillow, and crafted files that claim to be images."""

import struct
import zlib
from io import BytesIO

from PIL import ExifTags, Image

RED = (200, 30, 30)


def image_bytes(
    size: tuple[int, int] = (64, 48), image_format: str = "PNG", color: tuple[int, ...] = RED
) -> bytes:
    """Return a plain image of one colour in the given format."""
    output = BytesIO()
    Image.new("RGB", size, color).save(output, format=image_format)
    return output.getvalue()


def jpeg_with_gps(size: tuple[int, int] = (80, 40), orientation: int = 6) -> bytes:
    """Return a JPEG with an EXIF orientation, GPS coordinates and a comment."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "Pocket Camera"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (51.0, 30.0, 12.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (0.0, 7.0, 39.0)
    output = BytesIO()
    Image.new("RGB", size, RED).save(
        output, format="JPEG", exif=exif, comment=b"home address: 1 Secret Lane"
    )
    return output.getvalue()


def animated_gif(frames: int = 3, size: tuple[int, int] = (30, 20)) -> bytes:
    """Return an animated GIF whose first frame is red."""
    colours = [RED, (30, 200, 30), (30, 30, 200)]
    images = [Image.new("RGB", size, colours[n % 3]) for n in range(frames)]
    output = BytesIO()
    images[0].save(output, format="GIF", save_all=True, append_images=images[1:], duration=100)
    return output.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming_size(width: int, height: int) -> bytes:
    """Return a tiny PNG whose header claims `width` x `height` pixels (a decompression bomb)."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    pixels = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", pixels)
        + _chunk(b"IEND", b"")
    )
