"""What the repository hands out: nodes, pages of them, and the kinds of node."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, NamedTuple

from .blobs import StoredBlob
from .models import ROOT_ID
from .paths import RepoPath

FOLDER = "folder"
ASSET = "asset"
RENDITION = "rendition"
COMMENT = "comment"

#: Kinds of node that carry a binary.
BINARY_KINDS = frozenset({ASSET, RENDITION})

#: Which kinds of node may live under which.
ALLOWED_CHILDREN = {
    FOLDER: {FOLDER, ASSET},
    ASSET: {RENDITION, COMMENT},
    RENDITION: set(),
    COMMENT: set(),
}


@dataclass(frozen=True)
class Node:
    id: str
    parent_id: str | None
    name: str
    kind: str
    properties: dict[str, Any]
    blob: StoredBlob | None
    mime_type: str | None
    created: datetime
    modified: datetime
    version: int
    path: RepoPath = field(default=())

    @property
    def is_root(self) -> bool:
        return self.id == ROOT_ID


class NodeRef(NamedTuple):
    """The little of a node that walking paths and checking moves needs."""

    id: str
    kind: str
    parent_id: str | None


ROOT_REF = NodeRef(ROOT_ID, FOLDER, None)


@dataclass(frozen=True)
class Page:
    nodes: list[Node]
    total: int
    offset: int
    limit: int


def aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def new_id() -> str:
    return str(uuid.uuid4())
