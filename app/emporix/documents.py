"""Where an Emporix asset lives in the tree, and how its fields map onto the node.

An asset of tenant ``T`` with id ``I`` is the asset node ``/emporix/T/I`` (so ids are unique
per tenant, and one tenant's ids say nothing about another's). The fields a client sends are
kept in the node's property ``emporix:asset``; what the server computes comes from the node:

=======================  ==============================================================
``id``                   the node's name
``type``, ``access``,    ``emporix:asset`` (``url`` only for LINKs)
``url``, ``refIds``,
``mixins``,
``details.filename``,
``metadata.mixins``
``details.mimeType``     the node's media type
``details.bytes``        the size of the node's binary
``details.etag``         the sha256 of the node's binary
``metadata.createdAt``,  the node's created / modified times and its version
``metadata.modifiedAt``,
``metadata.version``
=======================  ==============================================================

:func:`resolve` tells :mod:`repository.query` the same, so ``q`` and ``sort`` work on the
API's field names.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

from repository.paths import RepoPath
from repository.query import (
    DATETIME,
    NUMBER_TYPE,
    ColumnField,
    FieldSpec,
    GroupField,
    JsonField,
)

#: The property holding the fields a client sent.
DOC = "emporix:asset"
EMPORIX_FOLDER: RepoPath = ("emporix",)
TENANT = re.compile(r"[a-z][a-z0-9]{2,15}")
ASSET_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
BLOB, LINK = "BLOB", "LINK"

_COLUMNS: dict[tuple[str, ...], ColumnField] = {
    ("id",): ColumnField("name"),
    ("details", "mimeType"): ColumnField("mime_type"),
    ("details", "bytes"): ColumnField("size", NUMBER_TYPE),
    ("details", "etag"): ColumnField("sha256"),
    ("metadata", "createdAt"): ColumnField("created", DATETIME),
    ("metadata", "modifiedAt"): ColumnField("modified", DATETIME),
    ("metadata", "version"): ColumnField("version", NUMBER_TYPE),
}
_GROUPS: dict[tuple[str, ...], GroupField] = {
    ("details",): GroupField((
        ColumnField("mime_type"), ColumnField("size", NUMBER_TYPE), ColumnField("sha256"),
        JsonField((DOC,), ("details",)),
    )),
    ("metadata",): GroupField((ColumnField("created", DATETIME),)),
}
_JSON_EXACT = {("type",), ("access",), ("url",), ("vendorId",), ("refIds",), ("refIds", "id"),
               ("refIds", "type"), ("details", "filename")}
_JSON_TREES = {("mixins",), ("metadata", "mixins")}


def resolve(field: tuple[str, ...]) -> FieldSpec | None:
    """Where an API field name lives (for ``q`` and ``sort``); None for unknown fields."""
    if field in _COLUMNS:
        return _COLUMNS[field]
    if field in _GROUPS:
        return _GROUPS[field]
    if field in _JSON_EXACT or any(field[: len(tree)] == tree for tree in _JSON_TREES):
        return JsonField((DOC,), field)
    return None


def tenant_folder(tenant: str) -> RepoPath:
    return EMPORIX_FOLDER + (tenant,)


def asset_path(tenant: str, asset_id: str) -> RepoPath:
    return tenant_folder(tenant) + (asset_id,)


def stored_fields(data: dict[str, Any], *, asset_type: str, filename: str | None) -> dict[str, Any]:
    """What goes into ``emporix:asset`` from a validated create or update body."""
    doc: dict[str, Any] = {"type": asset_type, "access": data["access"]}
    if asset_type == LINK:
        doc["url"] = data["url"]
    if data.get("refIds"):
        doc["refIds"] = [{"id": ref["id"], "type": ref["type"]} for ref in data["refIds"]]
    if data.get("mixins"):
        doc["mixins"] = data["mixins"]
    if filename:
        doc["details"] = {"filename": filename}
    mixins = (data.get("metadata") or {}).get("mixins")
    if mixins:
        doc["metadata"] = {"mixins": mixins}
    return doc


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC with milliseconds and ``Z``, as the vendor shows times."""
    moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
