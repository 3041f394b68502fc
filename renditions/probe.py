"""Find out whether a file is an image, and its pixel size, from its header alone.

No Flask here (see tests/test_layering.py): callers hand in a path or an open binary file.

:func:`probe_image` opens the file with Pillow, which reads the header only (the pixels
are decoded lazily and never are here), so probing a large image costs a few kilobytes of
reading whatever its size.

Decompression bombs: a small file can claim an enormous size (a 100,000 x 100,000 PNG of
one colour compresses to kilobytes). Such a file is **not an acceptable image**: the probe
returns ``None`` for it, exactly as for a file that is no image at all, so the caller
stores it as an ordinary binary without a pixel size (and never hands it to code that
would decode it). The limit is ``max_pixels`` (default: Pillow's
``Image.MAX_IMAGE_PIXELS`` default, about 89.5 megapixels). Pillow also applies its own
process-wide check while opening (an error above twice ``Image.MAX_IMAGE_PIXELS``); that
error, and its ``DecompressionBombWarning`` if a warnings filter turns it into an exception,
mean the same thing here. The effective limit is therefore the smaller of ``max_pixels`` and
Pillow's own; the probe never changes Pillow's global setting (it would not be thread-safe).
"""
from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from typing import BinaryIO

from PIL import Image, UnidentifiedImageError

#: Pillow's own default for ``Image.MAX_IMAGE_PIXELS`` (kept as a constant: the global
#: may be changed by other code at any time).
DEFAULT_MAX_PIXELS = 89_478_485

#: What Pillow may raise while reading a hostile or truncated header. Every one means
#: "not an image we accept".
_NOT_AN_IMAGE = (
    UnidentifiedImageError,
    OSError,
    ValueError,
    EOFError,
    SyntaxError,
    struct.error,
    IndexError,
    TypeError,
    Image.DecompressionBombError,
    Image.DecompressionBombWarning,
)


@dataclass(frozen=True)
class ImageInfo:
    width: int
    height: int
    #: Pillow's format name: ``"PNG"``, ``"JPEG"``, ``"GIF"``, ``"WEBP"``, ...
    format: str
    #: The format's media type (``"image/png"``), or None when Pillow knows none.
    mime_type: str | None


def probe_image(
    source: str | os.PathLike | BinaryIO, *, max_pixels: int | None = DEFAULT_MAX_PIXELS
) -> ImageInfo | None:
    """Width, height, format and media type of the image in ``source``, or None.

    None means: not an image Pillow can identify, a header that is broken or claims a
    size of zero, a format whose media type is not ``image/*`` (Pillow also identifies
    MPEG video, for instance), or more than ``max_pixels`` pixels (a possible
    decompression bomb; ``max_pixels=None`` turns this check off, Pillow's own remains).
    A file object is read from its current position and left open.
    """
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as stream:
            return _probe(stream, max_pixels)
    return _probe(source, max_pixels)


def _probe(stream: BinaryIO, max_pixels: int | None) -> ImageInfo | None:
    try:
        with Image.open(stream) as image:
            width, height = image.size
            image_format = image.format
            mime_type = image.get_format_mimetype()
    except _NOT_AN_IMAGE:
        return None
    if not image_format or width <= 0 or height <= 0:
        return None
    if max_pixels is not None and width * height > max_pixels:
        return None
    if mime_type is not None and not mime_type.startswith("image/"):
        return None
    return ImageInfo(width=width, height=height, format=image_format, mime_type=mime_type)
