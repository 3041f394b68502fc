"""Pure geometry of renditions: sizes in, sizes out, no pixels."""
from __future__ import annotations

#: EXIF orientations that swap width and height (rotations by 90° and transpositions).
SWAPS_AXES = frozenset({5, 6, 7, 8})


def fit_in_box(size: tuple[int, int], box: tuple[int, int]) -> tuple[int, int]:
    """The largest size with ``size``'s aspect ratio that fits inside ``box``.

    Never larger than ``size`` (a small image is not blown up, as AEM does not), never
    smaller than 1 x 1.
    """
    width, height = size
    box_width, box_height = box
    if width <= 0 or height <= 0 or box_width <= 0 or box_height <= 0:
        raise ValueError(f"sizes must be positive: {size} in {box}")
    scale = min(box_width / width, box_height / height)
    if scale >= 1:
        return width, height
    return (max(1, min(box_width, round(width * scale))),
            max(1, min(box_height, round(height * scale))))


def oriented_size(size: tuple[int, int], orientation: int | None) -> tuple[int, int]:
    """The size as displayed once the EXIF orientation is applied (and, since swapping
    twice undoes it, the stored size of a displayed one)."""
    return (size[1], size[0]) if orientation in SWAPS_AXES else size
