"""Loading: open an image file once, safely and cheaply, for every rendition of it.

- The header is read first and the pixel count checked against ``max_pixels`` before
  anything is decoded, so a decompression bomb (a small file claiming an enormous size)
  costs a few kilobytes of reading. Pillow's own process-wide check also applies (it
  refuses more than twice ``Image.MAX_IMAGE_PIXELS``); the effective limit is the smaller.
- JPEG is decoded in draft mode: libjpeg scales by 1/2, 1/4 or 1/8 while decoding (DCT
  scaling), to the smallest size still at least as large as the biggest rendition needs.
  A 24-megapixel photo for a 1280-pixel rendition decodes at a quarter of each side: a
  sixteenth of the pixels. Other formats are decoded whole (PNG has no such shortcut).
- Only the first frame of an animation (GIF, WebP, multi-page TIFF) is used.
- Modes are normalised to what the encoders take: ``L``, ``RGB`` or ``RGBA``. Palette
  images keep their transparency as alpha; CMYK becomes RGB; 16-bit and 32-bit grey
  (``I;16``, ``I``, ``F``) are scaled into 8 bits instead of being clipped to white.
- The EXIF orientation is read here and applied by :mod:`renditions.transform` (after
  shrinking, where it is cheapest).

Errors: :class:`NotAnImage` when Pillow does not recognise the file at all (the caller
decides whether that is fine: a PDF is no image, a file declared ``image/jpeg`` that
Pillow cannot identify is broken); :class:`ImageRejected` with a reason for everything
else that goes wrong: too many pixels, a truncated or corrupt file, a decoder error.
"""
from __future__ import annotations

import os
import struct
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from PIL import Image, UnidentifiedImageError

from .probe import DEFAULT_MAX_PIXELS
from .geometry import fit_in_box, oriented_size

#: EXIF tags worth keeping (the IFD0 and Exif-IFD tag numbers).
ORIENTATION_TAG = 0x0112
EXIF_IFD = 0x8769


class NotAnImage(Exception):
    """Pillow does not recognise the file as an image."""


class ImageRejected(Exception):
    """The file is (or claims to be) an image, but no renditions can be made of it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Loaded:
    """A decoded image and what its file says about it."""

    #: The pixels, in mode L, RGB or RGBA, in the file's own orientation; possibly
    #: smaller than ``size`` (draft decoding).
    image: Image.Image
    #: Width and height as stored in the file (before orientation, before draft scaling).
    size: tuple[int, int]
    #: Pillow's format name ("JPEG", "PNG", ...) and its media type.
    format: str
    mime_type: str | None
    #: The EXIF orientation (1-8), or None when the file has none.
    orientation: int | None = None
    #: EXIF tags by number: IFD0 and the Exif sub-IFD merged (see renditions.metadata).
    exif: dict[int, Any] = field(default_factory=dict)
    #: The mode the file decodes to, before normalisation ("CMYK", "P", "I;16", ...).
    original_mode: str = ""


#: What Pillow raises for a truncated, corrupt or unsupported file.
_DECODE_ERRORS = (OSError, ValueError, SyntaxError, EOFError, struct.error, IndexError,
                  TypeError, KeyError, ZeroDivisionError, MemoryError)


def load_image(
    source: str | os.PathLike | BinaryIO,
    *,
    max_pixels: int | None = DEFAULT_MAX_PIXELS,
    box: tuple[int, int] | None = None,
) -> Loaded:
    """Decode the first frame of ``source`` at the smallest size that still covers ``box``
    (the union of the rendition boxes, matched against the oriented size)."""
    if isinstance(source, (str, os.PathLike)):
        # Our own file object: closing it never invalidates the decoded pixels, whereas
        # closing a Pillow image does.
        with open(source, "rb") as stream:
            return _load(stream, max_pixels, box)
    return _load(source, max_pixels, box)


def _load(source: BinaryIO, max_pixels: int | None, box: tuple[int, int] | None) -> Loaded:
    try:
        image = Image.open(source)
    except UnidentifiedImageError as error:
        raise NotAnImage(str(error)) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ImageRejected(f"too many pixels (a possible decompression bomb): {error}") from None
    except _DECODE_ERRORS as error:
        raise ImageRejected(f"the image header cannot be read: {_describe(error)}") from None
    width, height = image.size
    if width <= 0 or height <= 0:
        raise ImageRejected(f"the image claims a size of {width} x {height}")
    if max_pixels is not None and width * height > max_pixels:
        raise ImageRejected(
            f"the image has {width} x {height} = {width * height:,} pixels, more than the "
            f"limit of {max_pixels:,} (a possible decompression bomb)")
    try:
        exif = _exif(image)
        orientation = _orientation(exif)
        if box is not None and image.format == "JPEG":
            needed = fit_in_box(oriented_size((width, height), orientation), box)
            image.draft(image.mode, oriented_size(needed, orientation))
        image.load()
        original_mode = image.mode
        pixels = normalise_mode(image)
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ImageRejected(f"too many pixels (a possible decompression bomb): {error}") from None
    except _DECODE_ERRORS as error:
        raise ImageRejected(f"the image cannot be decoded: {_describe(error)}") from None
    return Loaded(image=pixels, size=(width, height), format=image.format or "",
                  mime_type=image.get_format_mimetype(), orientation=orientation,
                  exif=exif, original_mode=original_mode)


def normalise_mode(image: Image.Image) -> Image.Image:
    """The image in mode L, RGB or RGBA (see the module docstring for the rules)."""
    mode = image.mode
    if mode in ("L", "RGB", "RGBA"):
        return image
    if mode == "P" or mode == "PA":
        has_alpha = mode == "PA" or "transparency" in image.info
        return image.convert("RGBA" if has_alpha else "RGB")
    if mode in ("LA", "La", "RGBa"):
        return image.convert("RGBA")
    if mode == "1":
        return image.convert("L")
    if mode.startswith("I;16") or mode in ("I", "F"):
        return _to_8_bit_grey(image)
    if mode == "CMYK":
        return image.convert("RGB")
    try:
        return image.convert("RGB")  # YCbCr, LAB, HSV, RGBX, ...
    except ValueError as error:
        raise ImageRejected(f"the image mode {mode} cannot be shown: {error}") from None


def _to_8_bit_grey(image: Image.Image) -> Image.Image:
    """Scale 16/32-bit or float grey into 0..255 (Pillow's convert would clip at 255)."""
    wide = image if image.mode in ("I", "F") else image.convert("I")
    low, high = wide.getextrema()
    if wide.mode == "F" and high <= 1.0:
        scale = 255.0  # float images are usually 0..1
    elif high <= 255:
        scale = 1.0
    elif high <= 65535:
        scale = 1 / 257  # 16-bit: 65535 → 255
    else:
        scale = 255 / high
    return wide.point(lambda value: value * scale).convert("L")


def _exif(image: Image.Image) -> dict[int, Any]:
    try:
        exif = image.getexif()
        merged = dict(exif)
        merged.update(exif.get_ifd(EXIF_IFD))
        return merged
    except Exception:  # broken EXIF must not cost the renditions  # noqa: BLE001
        return {}


def _orientation(exif: dict[int, Any]) -> int | None:
    value = exif.get(ORIENTATION_TAG)
    return value if isinstance(value, int) and 1 <= value <= 8 else None


def _describe(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    return text if len(text) < 300 else text[:300] + "..."
