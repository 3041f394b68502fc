"""Rendition profiles: which renditions an image gets (name, box, format, quality).

The defaults are the four renditions AEM's DAM Update Asset workflow makes, so clients
written against AEM find them under the names they know. Profiles are configuration, not
code: the application builds them with :func:`profiles_from_config` from its
``RENDITION_PROFILES`` setting (a list of mappings with the fields of :class:`Profile`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

#: Formats a rendition may be written in (Pillow's names) and their media types.
FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}


@dataclass(frozen=True)
class Profile:
    """One rendition: the image scaled to fit inside ``width`` x ``height``, aspect kept
    (never enlarged), written as ``format``; ``quality`` applies to JPEG and WebP."""

    name: str
    width: int
    height: int
    format: str = "PNG"
    quality: int = 90

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name or "/" in self.name \
                or self.name in (".", "..", "original"):
            raise ValueError(f"a rendition name must be a plain file name, not {self.name!r}")
        for field in ("width", "height"):
            value = getattr(self, field)
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 10_000:
                raise ValueError(f"rendition {self.name}: {field} must be 1 to 10000, not {value!r}")
        if self.format not in FORMATS:
            raise ValueError(f"rendition {self.name}: format must be one of "
                             f"{', '.join(FORMATS)}, not {self.format!r}")
        if not isinstance(self.quality, int) or not 1 <= self.quality <= 100:
            raise ValueError(f"rendition {self.name}: quality must be 1 to 100")

    @property
    def box(self) -> tuple[int, int]:
        return self.width, self.height

    @property
    def mime_type(self) -> str:
        return FORMATS[self.format]


#: What AEM makes for every image.
DEFAULT_PROFILES: tuple[Profile, ...] = (
    Profile("cq5dam.thumbnail.48.48.png", 48, 48, "PNG"),
    Profile("cq5dam.thumbnail.140.100.png", 140, 100, "PNG"),
    Profile("cq5dam.thumbnail.319.319.png", 319, 319, "PNG"),
    Profile("cq5dam.web.1280.1280.jpeg", 1280, 1280, "JPEG", quality=90),
)


def profiles_from_config(value: Iterable[Profile | Mapping[str, Any]] | None) -> tuple[Profile, ...]:
    """Profiles from a setting: None means :data:`DEFAULT_PROFILES`; otherwise a list of
    :class:`Profile` or of mappings with its fields (``format`` is case-insensitive).
    Raises ValueError naming what is wrong; names must be unique."""
    if value is None:
        return DEFAULT_PROFILES
    if isinstance(value, (str, bytes, Mapping)):
        raise ValueError("RENDITION_PROFILES must be a list of profiles")
    profiles: list[Profile] = []
    for item in value:
        if isinstance(item, Profile):
            profiles.append(item)
            continue
        if not isinstance(item, Mapping):
            raise ValueError(f"a rendition profile must be a mapping, not {item!r}")
        unknown = set(item) - {"name", "width", "height", "format", "quality"}
        if unknown:
            raise ValueError(f"unknown rendition profile field(s): {', '.join(sorted(unknown))}")
        fields = dict(item)
        if isinstance(fields.get("format"), str):
            fields["format"] = fields["format"].upper().replace("JPG", "JPEG")
        try:
            profiles.append(Profile(**fields))
        except TypeError as error:  # a required field is missing
            raise ValueError(f"rendition profile {item!r}: {error}") from None
    names = [p.name for p in profiles]
    if len(set(names)) != len(names):
        raise ValueError("rendition profile names must be unique")
    return tuple(profiles)


def largest_box(profiles: Iterable[Profile]) -> tuple[int, int] | None:
    """The box that covers every profile's box (what the decoder must at least deliver)."""
    boxes = [p.box for p in profiles]
    if not boxes:
        return None
    return max(w for w, _ in boxes), max(h for _, h in boxes)
