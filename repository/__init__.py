"""The asset repository: a tree of folders, assets, renditions and comments.

Knows nothing of HTTP or Flask; the APIs in ``app`` are views over it.
"""
from .blobs import BlobStore, StoredBlob
from .errors import (
    AccessDenied,
    AlreadyExists,
    Busy,
    Forbidden,
    InvalidOperation,
    InvalidPath,
    InvalidValue,
    NotFound,
    ParentMissing,
    PreconditionFailed,
    PropertyTaken,
    QueryTimeout,
    RepositoryError,
)
from .service import FOLDER, ASSET, RENDITION, COMMENT, Node, Page, Repository

__all__ = [
    "AccessDenied",    "ASSET", "COMMENT", "FOLDER", "RENDITION",
    "AlreadyExists", "BlobStore", "Busy", "Forbidden", "InvalidOperation", "InvalidPath", "InvalidValue", "Node", "NotFound", "Page",
    "ParentMissing", "PreconditionFailed", "PropertyTaken", "QueryTimeout", "Repository", "RepositoryError", "StoredBlob",
]
