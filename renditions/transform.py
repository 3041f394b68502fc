"""Geometry and resizing: the pure middle of load → transform → store.

The geometry is :mod:`renditions.geometry` (pure functions of sizes). :func:`render_all`
makes every profile's image from one decoded image:

- The largest rendition is made first from the decoded image (which the loader already
  shrank cheaply, JPEG draft mode); each smaller one is made from the previous, smaller
  result, so the big image is resampled once and the thumbnails cost little.
- ``resize(..., reducing_gap=2)`` lets Pillow first ``reduce`` by an integer factor (a fast
  box filter) and then resample with Lanczos from no more than twice the target size: what
  Pillow's own ``thumbnail`` does, nearly the quality of a full Lanczos at a fraction of
  its cost.
- EXIF orientation is applied once, after the first (largest) resize, so the transpose
  moves the fewest pixels; the boxes are matched against the *displayed* (oriented) size.
"""
from __future__ import annotations

from typing import Iterable

from PIL import Image

from .geometry import fit_in_box, oriented_size
from .load import Loaded
from .profiles import Profile

#: Pillow's transpose for each EXIF orientation (the table of ``ImageOps.exif_transpose``).
ORIENTATION_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
REDUCING_GAP = 2.0


def render_all(loaded: Loaded, profiles: Iterable[Profile]) -> dict[str, Image.Image]:
    """Every profile's image (oriented, fitted in its box), keyed by profile name."""
    shown = oriented_size(loaded.size, loaded.orientation)
    targets = sorted(((fit_in_box(shown, p.box), p.name) for p in profiles),
                     key=lambda item: item[0][0] * item[0][1], reverse=True)
    results: dict[str, Image.Image] = {}
    source: Image.Image | None = None
    for target, name in targets:
        if source is None:
            raw_target = oriented_size(target, loaded.orientation)  # swapping twice undoes it
            source = _orient(_resize(loaded.image, raw_target), loaded.orientation)
            results[name] = source
        else:
            results[name] = _resize(source, target)
    return results


def _resize(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    if image.size == size:
        return image
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=REDUCING_GAP)


def _orient(image: Image.Image, orientation: int | None) -> Image.Image:
    method = ORIENTATION_TRANSPOSE.get(orientation or 1)
    return image.transpose(method) if method is not None else image
