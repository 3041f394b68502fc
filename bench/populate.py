"""Fast set-up: rows inserted straight into the server's database with SQLAlchemy core.

Creating 100,000 nodes over HTTP would take far longer than the benchmarks themselves, so
large trees are written directly into the ``nodes`` table through the same
:class:`repository.Repository` engine settings the server uses (WAL, foreign keys on).
"""
from __future__ import annotations

import time
import uuid
from typing import Any, Iterable

from sqlalchemy import insert

from repository import ASSET, FOLDER
from repository.models import ROOT_ID, NodeRow, utcnow

BATCH = 5000


def node_row(parent_id: str, name: str, kind: str = FOLDER, *, blob_sha256: str | None = None,
             mime_type: str | None = None, now=None) -> dict[str, Any]:
    now = now or utcnow()
    return {
        "id": str(uuid.uuid4()), "parent_id": parent_id, "name": name, "kind": kind,
        "properties": {}, "blob_sha256": blob_sha256, "mime_type": mime_type,
        "created": now, "modified": now, "version": 1,
    }


def bulk_insert(repository, rows: list[dict[str, Any]]) -> float:
    """Insert ``rows`` in one transaction, in batches; returns the seconds it took."""
    table = NodeRow.__table__
    started = time.perf_counter()
    with repository.engine.begin() as conn:
        for start in range(0, len(rows), BATCH):
            conn.execute(insert(table), rows[start:start + BATCH])
    return time.perf_counter() - started


def flat_folder(name: str, children: Iterable[str]) -> tuple[dict, list[dict]]:
    """A folder under the root and its child folders (folders need no blobs)."""
    now = utcnow()
    top = node_row(ROOT_ID, name, now=now)
    return top, [node_row(top["id"], child, now=now) for child in children]


def tree(name: str, folders: int, assets_per_folder: int, blobs: list[str],
         mime_type: str = "application/octet-stream") -> tuple[dict, list[dict]]:
    """``/<name>/sub-NNN/a-NNNN``: ``folders`` sub-folders of ``assets_per_folder`` assets,
    the assets referencing ``blobs`` (sha256 keys) in turn."""
    now = utcnow()
    top = node_row(ROOT_ID, name, now=now)
    rows: list[dict] = []
    n = 0
    for f in range(folders):
        sub = node_row(top["id"], f"sub-{f:04d}", now=now)
        rows.append(sub)
        for a in range(assets_per_folder):
            rows.append(node_row(sub["id"], f"a-{a:04d}.bin", ASSET,
                                 blob_sha256=blobs[n % len(blobs)], mime_type=mime_type, now=now))
            n += 1
    return top, rows
