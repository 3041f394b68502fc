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
    when ``<asset>`` is an asset. With ``strip_json`` (reads), a trailing ``.json`` selects
    the representation of the node named without it, if there is one.
    """
    segments = paths.parse(subpath)
    for index in range(1, len(segments)):
        if segments[index] in SUB_COLLECTIONS and _is_asset(repository, segments[:index]):
            rest = segments[index + 1 :]
            if len(rest) > 1:
                raise InvalidPath(f"{paths.to_text(segments)}: too many segments after "
                                  f"'{segments[index]}'")
            item = rest[0] if rest else None
            if strip_json and item and segments[index] == "comments" and item.endswith(JSON_SUFFIX):
                item = item[: -len(JSON_SUFFIX)]
            return Target(segments[:index], segments[index], item)
    if strip_json and segments and segments[-1].endswith(JSON_SUFFIX) and segments[-1] != JSON_SUFFIX:
        stripped = segments[:-1] + (segments[-1][: -len(JSON_SUFFIX)],)
        if repository.exists(stripped) or not repository.exists(segments):
            return Target(stripped)
    return Target(segments)


def _is_asset(repository: Repository, path: RepoPath) -> bool:
    try:
        return repository.get(path).kind == ASSET
    except NotFound:
        return False
