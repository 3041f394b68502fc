"""The whole job for one asset: load → transform → encode → store, and what to record.

:func:`make_renditions` is the pure part (a file in, encoded renditions out; no
repository), so it can be timed and tested alone. :func:`process_asset` runs it for a
node of the repository and records the outcome on the asset:

- an image: its renditions are stored (see :mod:`renditions.store`), its metadata merged
  (:mod:`renditions.metadata`), ``dam:renditionsStatus`` set to ``"done"``;
- not an image (a PDF, a text): nothing is made and nothing is an error; renditions and
  metadata this package made for an earlier binary of the asset are removed;
- a broken image (truncated, corrupt, too many pixels, a format Pillow refuses, or a file
  declared ``image/*`` that Pillow cannot identify): ``dam:renditionsStatus`` is
  ``"failed"`` and ``dam:renditionsError`` says why; the renditions of an earlier binary
  are removed, since they would show the wrong picture. SVG is not treated as broken: it
  is no raster image and gets no renditions.

Nothing here raises for a bad file; an unexpected error (a bug, the database gone) does
raise, and :mod:`renditions.jobs` records it.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import BinaryIO

from repository import ASSET, NotFound, Repository

from . import metadata as image_metadata
from .encode import encode
from .load import ImageRejected, Loaded, NotAnImage, load_image
from .probe import DEFAULT_MAX_PIXELS
from .profiles import DEFAULT_PROFILES, Profile, largest_box
from .store import RenditionFile, delete_generated, store_renditions, update_metadata
from .transform import render_all

STATUS = "dam:renditionsStatus"
ERROR = "dam:renditionsError"
DONE = "done"
FAILED = "failed"
SKIPPED = "skipped"
#: Media types that are images but no raster images: no renditions, and no error.
NOT_RASTER = frozenset({"image/svg+xml"})


@dataclass(frozen=True)
class Settings:
    profiles: tuple[Profile, ...] = DEFAULT_PROFILES
    #: Images with more pixels are refused (decompression bombs); None: Pillow's limit only.
    max_pixels: int | None = DEFAULT_MAX_PIXELS


@dataclass(frozen=True)
class Outcome:
    #: "done", "skipped" (not an image, not an asset, gone, changed meanwhile) or "failed".
    status: str
    reason: str | None = None


def make_renditions(
    source: str | os.PathLike | BinaryIO, settings: Settings = Settings()
) -> tuple[Loaded, list[RenditionFile]]:
    """Decode ``source`` once and encode every profile's rendition of it."""
    loaded = load_image(source, max_pixels=settings.max_pixels,
                        box=largest_box(settings.profiles))
    images = render_all(loaded, settings.profiles)
    return loaded, [RenditionFile(p, encode(images[p.name], p)) for p in settings.profiles]


def process_asset(repository: Repository, node_id: str, settings: Settings = Settings()) -> Outcome:
    """Make (or remove) the renditions of the asset with this id; see the module docstring."""
    try:
        node = repository.get_by_id(node_id)
    except NotFound:
        return Outcome(SKIPPED, "the node no longer exists")
    if node.kind != ASSET:
        return Outcome(SKIPPED, f"a {node.kind} has no renditions")
    if node.blob is None:
        _forget(repository, node)
        return Outcome(SKIPPED, "the asset has no binary")
    try:
        loaded, files = make_renditions(repository.blobs.path_of(node.blob.sha256), settings)
    except NotAnImage:
        mime = (node.mime_type or "").lower()
        if mime.startswith("image/") and mime not in NOT_RASTER:
            return _fail(repository, node, f"the file is declared {node.mime_type} but is no "
                                           "image this server can read")
        _forget(repository, node)
        return Outcome(SKIPPED, "not an image")
    except ImageRejected as rejected:
        return _fail(repository, node, rejected.reason)
    facts = image_metadata.image_metadata(loaded)
    record = {key: facts.get(key) for key in image_metadata.KEYS}
    record.update({STATUS: DONE, ERROR: None})
    if not store_renditions(repository, node, files, record):
        return Outcome(SKIPPED, "the asset changed while its renditions were made")
    return Outcome(DONE)


def record_failure(repository: Repository, node_id: str, reason: str) -> None:
    """Mark the asset's renditions failed (for errors :func:`process_asset` did not
    expect, which the job runner catches)."""
    try:
        node = repository.get_by_id(node_id)
    except NotFound:
        return
    if node.kind == ASSET:
        _fail(repository, node, reason)


def _fail(repository: Repository, node, reason: str) -> Outcome:
    delete_generated(repository, node)
    record = {STATUS: FAILED, ERROR: reason}
    if STATUS in node.properties:  # metadata this package wrote for an earlier binary
        record.update({key: None for key in image_metadata.KEYS})
    update_metadata(repository, node.id, node.blob.sha256 if node.blob else None, record)
    return Outcome(FAILED, reason)


def _forget(repository: Repository, node) -> None:
    """Undo what this package made for an earlier binary (nothing at all if it made none)."""
    delete_generated(repository, node)
    if STATUS in node.properties:
        update_metadata(repository, node.id, node.blob.sha256 if node.blob else None,
                        {key: None for key in (*image_metadata.KEYS, STATUS, ERROR)})
