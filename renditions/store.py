"""Storing: rendition files into the blob store, rendition nodes through the Repository.

Generated renditions carry the property ``dam:generated`` (true) and
``dam:sourceSha256`` (the original they were made from); that is how they are told from
renditions a user uploaded by hand, which are never touched: not replaced, not deleted,
even when one has the name of a profile (the user's file wins).

Each rendition is its own small transaction, and the asset's metadata the last one, so
an asset is never locked for the time of a whole job. Before writing, the asset is read
again: if its binary changed meanwhile (a newer upload), nothing is written (the job
the newer upload enqueued makes the right renditions). The asset is found by id, so a
MOVE while the job runs does not lose it.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any, Iterable

from repository import RENDITION, AlreadyExists, Node, NotFound, PreconditionFailed, Repository

from .profiles import Profile

GENERATED = "dam:generated"
SOURCE = "dam:sourceSha256"


@dataclass(frozen=True)
class RenditionFile:
    profile: Profile
    data: bytes


def is_generated(node: Node) -> bool:
    return node.properties.get(GENERATED) is True


def renditions_of(repository: Repository, asset: Node) -> list[Node]:
    return repository.list_children(asset.path, kinds=[RENDITION], limit=None).nodes


def current(repository: Repository, asset_id: str, sha256: str | None) -> Node | None:
    """The asset as it is now, or None if it is gone or its binary is no longer ``sha256``."""
    try:
        node = repository.get_by_id(asset_id)
    except NotFound:
        return None
    if (node.blob.sha256 if node.blob else None) != sha256:
        return None
    return node


def store_renditions(
    repository: Repository, asset: Node, files: Iterable[RenditionFile],
    metadata: dict[str, Any],
) -> bool:
    """Put ``files`` in place of the asset's generated renditions (hand-made ones stay),
    remove generated ones no profile makes any more, and merge ``metadata`` into the
    asset's properties (a value of None removes a key). False when the asset changed or
    went meanwhile (nothing more is written then)."""
    sha256 = asset.blob.sha256 if asset.blob else None
    files = list(files)
    blobs = [(f, repository.blobs.put(io.BytesIO(f.data), md5=False)) for f in files]
    node = current(repository, asset.id, sha256)
    if node is None:
        return False
    existing = {r.name: r for r in renditions_of(repository, node)}
    properties = {GENERATED: True, SOURCE: sha256}
    for file, blob in blobs:
        name = file.profile.name
        found = existing.get(name)
        if found is not None and not is_generated(found):
            continue  # made by hand: the user's file wins
        path = node.path + (name,)
        try:
            if found is None:
                repository.create(path, RENDITION, properties=properties, blob=blob,
                                  mime_type=file.profile.mime_type)
            else:
                repository.update(path, properties=properties, blob=blob,
                                  mime_type=file.profile.mime_type)
        except (AlreadyExists, NotFound):
            continue  # a user uploaded or deleted it this very moment: theirs to keep
    made = {f.profile.name for f in files}
    for name, rendition in existing.items():
        if is_generated(rendition) and name not in made:
            _delete_quietly(repository, node.path + (name,))
    return update_metadata(repository, asset.id, sha256, metadata)


def update_metadata(
    repository: Repository, asset_id: str, sha256: str | None, metadata: dict[str, Any]
) -> bool:
    """Merge ``metadata`` into the asset's properties, unless its binary changed; no write
    when nothing would change. The asset's version stays (the metadata is derived from its
    binary, not a client's change). False when the asset changed or went."""
    for _attempt in range(3):
        node = current(repository, asset_id, sha256)
        if node is None:
            return False
        changed = {key: value for key, value in metadata.items()
                   if node.properties.get(key) != value}
        if not changed:
            return True
        try:
            repository.update(node.path, properties=changed, derived=True,
                              expected_version=node.version)
            return True
        except (NotFound, PreconditionFailed):
            continue  # moved or changed between the two calls: look again
    return False


def delete_generated(repository: Repository, asset: Node) -> None:
    """Remove the renditions this package made of the asset (hand-made ones stay)."""
    for rendition in renditions_of(repository, asset):
        if is_generated(rendition):
            _delete_quietly(repository, rendition.path)


def _delete_quietly(repository: Repository, path: tuple[str, ...]) -> None:
    try:
        repository.delete(path)
    except NotFound:
        pass
