"""Small test images made on the spot: a real PNG, noise that resists compression, a bomb."""

import os
import struct
import zlib
from io import BytesIO

from PIL import Image


def png_bytes(
    width: int = 40, height: int = 30, colour: tuple[int, int, int] = (20, 120, 90)
) -> bytes:
    """Return a plain PNG of one colour."""
    buffer = BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def noisy_png_bytes(side: int) -> bytes:
    """Return a PNG of random pixels, about 3 bytes per pixel whatever the compression."""
    buffer = BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(buffer, format="PNG")
    return buffer.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def decompression_bomb_png(side: int = 30_000) -> bytes:
    """Return a tiny PNG whose header claims `side` x `side` pixels."""
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", pixels)
        + _chunk(b"IEND", b"")
    )
