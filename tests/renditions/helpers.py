"""Images for the rendition tests, made with Pillow (no binary fixtures)."""
from __future__ import annotations

import io

from PIL import Image

#: Colours of the four quadrants of :func:`quadrants`: top-left, top-right, bottom-left,
#: bottom-right.
TL, TR, BL, BR = (255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0)


def quadrants(width: int, height: int) -> Image.Image:
    """An RGB image with one flat colour per quadrant: orientation and flips show."""
    image = Image.new("RGB", (width, height), TL)
    half_w, half_h = width // 2, height // 2
    image.paste(TR, (half_w, 0, width, half_h))
    image.paste(BL, (0, half_h, half_w, height))
    image.paste(BR, (half_w, half_h, width, height))
    return image


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def jpeg_with_exif(image: Image.Image, **tags) -> bytes:
    """A JPEG of ``image`` with EXIF tags given by number (``{0x0112: 6}``)."""
    exif = Image.Exif()
    sub = exif.get_ifd(0x8769)
    for tag, value in tags.get("ifd0", {}).items():
        exif[tag] = value
    for tag, value in tags.get("exif", {}).items():
        sub[tag] = value
    return encoded(image, "JPEG", exif=exif, quality=95)


def open_bytes(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def close(actual, expected, tolerance: int = 40) -> bool:
    """Colours equal within JPEG's and resampling's error."""
    return all(abs(a - e) <= tolerance for a, e in zip(actual[:3], expected[:3]))
