"""Marshmallow schemas of the Projects API v2: what the OpenAPI document shows.

Requests are not loaded through these schemas: the vendor's parameter checks and their
exact texts live in :mod:`app.projects.params`. The request schemas here describe the
same parameters for the document; the response schemas describe what the views send.
"""
from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from .params import PROJECT_ID_SOURCE

DATE_EXAMPLE = "2023-11-27T09:43:34.166Z"


def _string(description: str, example=None, **kwargs) -> ma.fields.String:
    metadata = {"description": description}
    if example is not None:
        metadata["example"] = example
    return ma.fields.String(metadata=metadata, **kwargs)


class ErrorSchema(ma.Schema):
    """Every error: ``{"error": "<text>"}``."""

    error = _string("What went wrong", "project not found", required=True)


# -- assets ----------------------------------------------------------------------------------------

class AssetSchema(ma.Schema):
    """An asset, as the vendor's page shows it."""

    id = _string("20 characters of A-Z a-z 0-9 _ -", "v_Fa1CZTS56Vkgdoyo4e", required=True)
    external_id = _string("The client's own id, unique within the project", allow_none=True)
    parent_id = _string("Always null", allow_none=True)
    project_id = _string("The project's id", "DtialUGXI36apS40-0cE", required=True)
    owner = _string("E-mail of the user whose API key created the asset",
                    "admin-user-253@example.com", allow_none=True)
    title = _string("Title", "Sample Asset", required=True)
    description = _string("Description", "Sample asset from API V2", allow_none=True)
    category = _string("Category, lower-cased", "sample", allow_none=True)
    tags = ma.fields.List(ma.fields.String(), metadata={"example": ["sample", "test"]})
    ai_tags = ma.fields.List(ma.fields.String(), metadata={"description": "Always empty"})
    status = _string("Always \"open\"", "open")
    media_type = _string(
        "placeholder (no media), processing (media being imported), image, video, "
        "document (by content), or article", "placeholder",
        validate=validate.OneOf(["placeholder", "processing", "image", "video", "document",
                                 "article"]))
    original_filename = _string("The file name given with the media", "jpgfile.jpg",
                                allow_none=True)
    drop_folder_id = _string("Always null", allow_none=True)
    md5_sum = _string("MD5 of the media (32 hex digits); null until media exists",
                      allow_none=True)
    created_date = _string("ISO 8601, UTC, milliseconds", DATE_EXAMPLE)
    modification_date = _string("ISO 8601, UTC, milliseconds", DATE_EXAMPLE)
    deleted = _string("Always null", allow_none=True)
    media_error = _string(
        "Only present when importing the media failed: why (this server's addition)",
        "the server answered 404 Not Found")


class AssetEnvelopeSchema(ma.Schema):
    asset = ma.fields.Nested(AssetSchema, required=True)


class UrlMediaSchema(ma.Schema):
    file_url = _string("File URL (http or https)", "http://www.example.com/jpgfile.jpg",
                       required=True)
    filename = _string("Filename", "jpgfile.jpg", required=True)


class S3MediaSchema(ma.Schema):
    s3_key = _string("Key of the object in the server's configured bucket",
                     "uploads/jpgfile.jpg", required=True)
    filename = _string("Filename", "jpgfile.jpg", required=True)


class AssetCreateSchema(ma.Schema):
    title = _string("Title", "Sample Asset", required=True)
    description = _string("Description", "Sample asset from API V2")
    category = _string("Category (stored lower-cased)", "Sample")
    tags = ma.fields.List(ma.fields.String(), metadata={"description": "Tags",
                                                        "example": ["sample", "test"]})
    external_id = _string("External ID (unique within the project)")
    media_type = _string("Type. During asset creation, only used for articles. Defaults to "
                         "placeholder with no media.", "article",
                         validate=validate.OneOf(["article"]))
    url = ma.fields.Nested(UrlMediaSchema, metadata={"description": "Media from URL"})
    s3 = ma.fields.Nested(S3MediaSchema, metadata={"description": "Media from S3"})


class AssetUpdateSchema(ma.Schema):
    title = _string("Title", "Sample Asset")
    description = _string("Description")
    category = _string("Category (stored lower-cased)")
    tags = ma.fields.List(ma.fields.String(), metadata={"description": "Tags (replaces them)"})
    external_id = _string("External ID (unique within the project)")


# -- projects --------------------------------------------------------------------------------------

class ProjectSchema(ma.Schema):
    id = _string("The project's id (its folder's name under /projects)",
                 "DtialUGXI36apS40-0cE", required=True)
    title = _string("Title", "Sample Project", required=True)
    description = _string("Description", allow_none=True)
    owner = _string("E-mail of the user whose API key created the project", allow_none=True)
    created_date = _string("ISO 8601, UTC, milliseconds", DATE_EXAMPLE)
    modification_date = _string("ISO 8601, UTC, milliseconds", DATE_EXAMPLE)


class ProjectEnvelopeSchema(ma.Schema):
    project = ma.fields.Nested(ProjectSchema, required=True)


class ProjectCreateSchema(ma.Schema):
    id = _string(f"Optional id matching /{PROJECT_ID_SOURCE}/; made up when missing",
                 "DtialUGXI36apS40-0cE")
    title = _string("Title", "Sample Project", required=True)
    description = _string("Description")
