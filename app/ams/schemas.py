"""Marshmallow schemas of the iQmetrix AMS API: what the OpenAPI document shows and what
the views dump. Field names and types follow the vendor's page (``ams-assets.md``)."""
from __future__ import annotations

import marshmallow as ma
from flask_smorest.fields import Upload


class AssetSchema(ma.Schema):
    """An asset, as ``GET /assets/{AssetId}`` returns it."""

    class Meta:
        ordered = True

    id = ma.fields.String(
        required=True,
        metadata={"description": "Unique identifier",
                  "example": "732130d2-b673-461c-812b-f2b614d6076e"},
    )
    name = ma.fields.String(
        required=True, metadata={"description": "File name", "example": "iqmetrix.jpg"}
    )
    height = ma.fields.Integer(
        allow_none=True,
        metadata={"description": "Height in pixels (null when the asset is not an image)",
                  "example": 145},
    )
    width = ma.fields.Integer(
        allow_none=True,
        metadata={"description": "Width in pixels (null when the asset is not an image)",
                  "example": 240},
    )
    href = ma.fields.String(
        required=True,
        metadata={
            "description": "URL that points to an actual file where the digital asset is "
                           "stored (on this server; it ends in the file's extension)",
            "example": "https://ams.example.com/v1/files/"
                       "732130d2-b673-461c-812b-f2b614d6076e.jpg",
        },
    )
    md5Checksum = ma.fields.String(
        allow_none=True,
        metadata={"description": "MD5 of the stored bytes, as 32 hex digits; for upload "
                                 "integrity checks or comparing two assets",
                  "example": "2c8f3b3774df219b8246ca02a2a2a892"},
    )
    mimeType = ma.fields.String(
        allow_none=True, metadata={"description": "The mime type", "example": "image/jpeg"}
    )


class CreatedAssetSchema(AssetSchema):
    """The answer to ``POST /assets``: the asset plus ``"success": true``."""

    success = ma.fields.Boolean(
        required=True, metadata={"description": "Always true in a 201", "example": True}
    )


class ErrorSchema(ma.Schema):
    """Every AMS error: ``{"message": "<Description>: <How to Resolve>"}``."""

    message = ma.fields.String(
        required=True,
        metadata={"example": "Asset Media Service Error: Resource not found"},
    )


class UploadSchema(ma.Schema):
    """``multipart/form-data`` with exactly one file part. The vendor names the part
    ``Filename``; a single file part of any name is accepted."""

    class Meta:
        unknown = ma.EXCLUDE

    Filename = Upload(
        metadata={"description": "The file to store (exactly one file part per request)"}
    )
