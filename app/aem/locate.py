"""Which node (and which rendition or comment of it) a request path addresses."""
from __future__ import annotations

from dataclasses import dataclass

from repository import ASSET, NotFound, Repository, paths
from repository.errors import InvalidPath
from repository.paths import RepoPath

SUB_COLLECTIONS = ("renditions", "comments")
JSON_SUFFIX = ".json"


@dataclass(frozen=True)
class Target:
    #: The folder or asset addressed (or, for a create, the path to create).
    path: RepoPath
    #: "renditions" or "comments" when the request is about an asset's sub-resource.
    collection: str | None = None
    #: The rendition or comment name, "*" for server-chosen, None for the collection.
    item: str | None = None

    @property
    def star(self) -> bool:
        """True when the last segment is ``*``: the server picks the name."""
        return (self.item == "*") if self.collection else (bool(self.path) and self.path[-1] == "*")


def locate(repository: Repository, subpath: str, *, strip_json: bool) -> Target:
    """Parse the part of the URL after ``/api/assets``.

    ``<asset>/renditions/<name>`` and ``<asset>/comments/<name>`` address sub-resources
    when ``<asset>`` is an asset, or does not exist (then the answer is a 404 for it). With
    ``strip_json`` (reads), a trailing ``.json`` selects the representation of the node
    named without it, unless only a node named with it exists. Renditions are bytes, so
    their names keep any ``.json``.
    """
    # The route's own "/" precedes subpath: "/" + subpath makes "//x" an empty segment.
    subpath = "/" + subpath
    if not (strip_json and subpath.endswith(JSON_SUFFIX) and not subpath.endswith("/" + JSON_SUFFIX)):
        return _split(repository, paths.parse(subpath))
    stripped = _split(repository, paths.parse(subpath[: -len(JSON_SUFFIX)]))
    try:
        whole = _split(repository, paths.parse(subpath))
    except InvalidPath:  # e.g. a 255-byte name plus ".json"
        return stripped
    if whole.collection == "renditions":
        return whole
    if stripped.collection is None and not repository.exists(stripped.path) \
            and repository.exists(whole.path):
        return whole
    return stripped


def _split(repository: Repository, segments: RepoPath) -> Target:
    for index in range(1, len(segments)):
        if segments[index] in SUB_COLLECTIONS and _asset_or_missing(repository, segments[:index]):
            rest = segments[index + 1 :]
            if len(rest) > 1:
                raise InvalidPath(f"{paths.to_text(segments)}: too many segments after "
                                  f"'{segments[index]}'")
            return Target(segments[:index], segments[index], rest[0] if rest else None)
    return Target(segments)


def _asset_or_missing(repository: Repository, path: RepoPath) -> bool:
    try:
        return repository.get(path).kind == ASSET
    except NotFound:
        return True
