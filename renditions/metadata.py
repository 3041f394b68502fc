"""What an image says about itself, as AEM metadata (namespaced property names).

AEM extracts XMP/EXIF into the asset's ``jcr:content/metadata`` under the XMP namespace
prefixes: ``tiff:`` for the TIFF/EXIF IFD0 facts (size, orientation, camera), ``exif:``
for the Exif sub-IFD (capture date, exposure), ``dc:format`` for the media type. The same
names are used here, so AEM clients find them where they look. Values are JSON-friendly:
integers, floats, strings; the capture date as ISO 8601 (with its offset when the camera
wrote one, ``OffsetTimeOriginal``), the way AEM shows XMP dates.

``tiff:ImageWidth`` and ``tiff:ImageLength`` are the pixel size *as stored*, before the
orientation is applied (as in the TIFF/EXIF tags they are named after); a viewer rotates
by ``tiff:Orientation``. The renditions are already rotated.
"""
from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

from .load import Loaded

#: Every key this module may write. A later image that lacks one must not keep the
#: earlier image's value, so the caller removes the ones :func:`image_metadata` omits.
KEYS = (
    "tiff:ImageWidth", "tiff:ImageLength", "dc:format", "tiff:Orientation",
    "tiff:Make", "tiff:Model", "tiff:Software", "exif:DateTimeOriginal",
    "exif:ExposureTime", "exif:FNumber", "exif:ISOSpeedRatings", "exif:FocalLength",
    "exifEX:LensModel",
)

# EXIF tag numbers (IFD0 and the Exif sub-IFD, see PIL.ExifTags.Base).
MAKE, MODEL, SOFTWARE, ORIENTATION = 0x010F, 0x0110, 0x0131, 0x0112
DATE_TIME_ORIGINAL, OFFSET_TIME_ORIGINAL = 0x9003, 0x9011
EXPOSURE_TIME, F_NUMBER, ISO, FOCAL_LENGTH, LENS_MODEL = 0x829A, 0x829D, 0x8827, 0x920A, 0xA434

_EXIF_DATE = re.compile(r"(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
_OFFSET = re.compile(r"[+-]\d{2}:\d{2}")


def image_metadata(loaded: Loaded) -> dict[str, Any]:
    """The metadata of a loaded image (only the facts it has)."""
    exif = loaded.exif
    found: dict[str, Any] = {
        "tiff:ImageWidth": loaded.size[0],
        "tiff:ImageLength": loaded.size[1],
    }
    if loaded.mime_type:
        found["dc:format"] = loaded.mime_type
    if loaded.orientation is not None:
        found["tiff:Orientation"] = loaded.orientation
    for tag, key in ((MAKE, "tiff:Make"), (MODEL, "tiff:Model"), (SOFTWARE, "tiff:Software"),
                     (LENS_MODEL, "exifEX:LensModel")):
        text = _text(exif.get(tag))
        if text:
            found[key] = text
    taken = _date(exif.get(DATE_TIME_ORIGINAL), exif.get(OFFSET_TIME_ORIGINAL))
    if taken:
        found["exif:DateTimeOriginal"] = taken
    exposure = _number(exif.get(EXPOSURE_TIME))
    if exposure is not None and exposure > 0:
        # "1/125" as photographers (and XMP's rational) write it.
        found["exif:ExposureTime"] = (f"1/{round(1 / exposure)}" if exposure < 1
                                      else _short(exposure))
    for tag, key in ((F_NUMBER, "exif:FNumber"), (FOCAL_LENGTH, "exif:FocalLength")):
        value = _number(exif.get(tag))
        if value is not None and value > 0:
            found[key] = _short(value)
    iso = exif.get(ISO)
    if isinstance(iso, tuple) and iso:
        iso = iso[0]
    if isinstance(iso, int) and iso > 0:
        found["exif:ISOSpeedRatings"] = iso
    return found


def _text(value: Any) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        return None
    cleaned = value.replace("\x00", "").strip()
    return cleaned[:255] or None


def _date(value: Any, offset: Any) -> str | None:
    text = _text(value)
    match = _EXIF_DATE.match(text or "")
    if not match:
        return None
    year, month, day, hour, minute, second = match.groups()
    if year == "0000":
        return None
    stamp = f"{year}-{month}-{day}T{hour}:{minute}:{second}"
    offset_text = _text(offset)
    if offset_text and _OFFSET.fullmatch(offset_text):
        stamp += offset_text
    return stamp


def _number(value: Any) -> float | None:
    try:
        number = float(Fraction(value.numerator, value.denominator)) \
            if hasattr(value, "denominator") and value.denominator else float(value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return number if number == number and number not in (float("inf"), float("-inf")) else None


def _short(value: float) -> float | int:
    return int(value) if value == int(value) else round(value, 4)
