"""Marshmallow schemas of the Emporix Media API, named and shaped like the components of the
vendor's OpenAPI document (``emporix-media-api.yml``): they validate request bodies and
describe every body in the OpenAPI document this server publishes."""
from __future__ import annotations

import marshmallow as ma
from flask_smorest.fields import Upload

from repository import mediatypes

PREDEFINED_REF_TYPES = ("BRAND", "CATEGORY", "LABEL", "PRODUCT", "MODULE")
ACCESS = ("PUBLIC", "PRIVATE")


class _Schema(ma.Schema):
    class Meta:
        ordered = True
        unknown = ma.EXCLUDE  # fields the vendor does not define are ignored


class RefIdSchema(_Schema):
    type = ma.fields.String(required=True, metadata={
        "description": "Reference type. Can be one of the predefined types: "
                       f"`{'`, `'.join(PREDEFINED_REF_TYPES)}` or any custom schema type."})
    id = ma.fields.String(required=True, metadata={"description": "Reference Id."})


class MetadataCreateSchema(_Schema):
    mixins = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String(), metadata={
        "description": "A key-value map, where key is a mixin name and value is a link to "
                       "the mixin schema."})


class MetadataUpdateSchema(MetadataCreateSchema):
    version = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1),
                                metadata={"description": "Version of the document."})


class MetadataGetSchema(MetadataCreateSchema):
    version = ma.fields.Integer(metadata={"description": "Version of the document."})
    createdAt = ma.fields.String(metadata={
        "description": "Date and time when the document was created (ISO 8601, UTC, "
                       "milliseconds).", "example": "2022-03-31T13:18:02.379Z"})
    modifiedAt = ma.fields.String(metadata={
        "description": "Date and time when the document was last modified.",
        "example": "2022-03-31T13:18:02.379Z"})


def _media_type(value: str) -> None:
    why = mediatypes.problem(value)
    if why is not None:
        raise ma.ValidationError(why)


class AssetDetailsCreateSchema(_Schema):
    filename = ma.fields.String(metadata={"description": "Asset filename."})
    mimeType = ma.fields.String(validate=_media_type, metadata={
        "description": "The MIME (media) type of the asset: type/subtype of token characters "
                       "(RFC 9110), e.g. `image/png`."})


class AssetDetailsGetSchema(AssetDetailsCreateSchema):
    bytes = ma.fields.Integer(metadata={
        "type": "number",
        "description": "Size of the content associated with the asset in bytes (computed "
                       "by the server)."})
    etag = ma.fields.String(metadata={
        "description": "The ETAG digest for the asset: the sha256 of its bytes (computed by "
                       "the server; the download's ETag header quotes it)."})


class AssetSchema(_Schema):
    access = ma.fields.String(validate=ma.validate.OneOf(ACCESS), metadata={
        "description": "Access type of the asset. This property is immutable. PUBLIC assets "
                       "are served at their `url` without credentials; PRIVATE ones only "
                       "through `/media/{tenant}/assets/{assetId}/download`."})
    refIds = ma.fields.List(ma.fields.Nested(RefIdSchema), metadata={
        "description": "List of references. Predefined types require PUBLIC access."})
    mixins = ma.fields.Dict(metadata={"description": "Custom asset attributes."})
    metadata = ma.fields.Nested(MetadataCreateSchema)


class AssetCreateLinkSchema(AssetSchema):
    id = ma.fields.String(metadata={"description": "Unique identifier of an asset (optional; "
                                                   "1 to 64 of A-Z a-z 0-9 _ -)."})
    type = ma.fields.String(required=True, validate=ma.validate.OneOf(["LINK"]),
                            metadata={"description": "Asset type. This property is immutable."})
    url = ma.fields.String(required=True, metadata={"description": "Resource link (http or "
                                                                   "https)."})
    access = ma.fields.String(required=True, validate=ma.validate.OneOf(ACCESS))


class AssetCreateBlobSchema(AssetSchema):
    id = ma.fields.String(metadata={"description": "Unique identifier of an asset (optional; "
                                                   "1 to 64 of A-Z a-z 0-9 _ -)."})
    type = ma.fields.String(required=True, validate=ma.validate.OneOf(["BLOB"]),
                            metadata={"description": "Asset type. This property is immutable."})
    details = ma.fields.Nested(AssetDetailsCreateSchema)
    access = ma.fields.String(required=True, validate=ma.validate.OneOf(ACCESS))


class AssetUpdateLinkSchema(AssetSchema):
    url = ma.fields.String(required=True, metadata={"description": "Resource link."})
    type = ma.fields.String(required=True, validate=ma.validate.OneOf(["LINK"]),
                            metadata={"description": "Asset type. This property is immutable."})
    metadata = ma.fields.Nested(MetadataUpdateSchema, required=True)
    access = ma.fields.String(required=True, validate=ma.validate.OneOf(ACCESS))


class AssetUpdateBlobSchema(AssetSchema):
    type = ma.fields.String(required=True, validate=ma.validate.OneOf(["BLOB"]),
                            metadata={"description": "Asset type. This property is immutable."})
    details = ma.fields.Nested(AssetDetailsCreateSchema)
    metadata = ma.fields.Nested(MetadataUpdateSchema, required=True)
    access = ma.fields.String(required=True, validate=ma.validate.OneOf(ACCESS))


class AssetCreateMultipartSchema(_Schema):
    file = Upload(required=True, metadata={"description": "Content of the file (at most "
                                                          "EMPORIX_MAX_FILE_SIZE, 10 MB)."})
    body = ma.fields.Nested(AssetCreateBlobSchema, required=True, metadata={
        "description": "Asset JSON creation payload (a JSON text, whatever the part's type)."})


class AssetUpdateMultipartSchema(_Schema):
    file = Upload(required=True, metadata={"description": "Content of the file."})
    body = ma.fields.Nested(AssetUpdateBlobSchema, required=True, metadata={
        "description": "Asset Json update payload"})


class GetAssetSchema(AssetSchema):
    """An asset as the API returns it (the vendor's GetAssetBlob / GetAssetLink)."""

    id = ma.fields.String(metadata={"description": "Unique identifier of an asset."})
    type = ma.fields.String(validate=ma.validate.OneOf(["BLOB", "LINK"]),
                            metadata={"description": "Asset type. This property is immutable."})
    vendorId = ma.fields.String(metadata={"description": "Id of a vendor to which the asset "
                                                         "belongs (never set by this server)."})
    url = ma.fields.String(metadata={"description": "Resource link: the LINK's url; for a "
                                                    "PUBLIC BLOB its public file URL; for a "
                                                    "PRIVATE BLOB its download URL."})
    details = ma.fields.Nested(AssetDetailsGetSchema)
    metadata = ma.fields.Nested(MetadataGetSchema)


class CreatedSchema(_Schema):
    id = ma.fields.String(metadata={"example": "53ac81fd0cce8b26b36f3492"})


class ErrorMessageSchema(_Schema):
    code = ma.fields.Integer(required=True, validate=ma.validate.Range(min=100, max=599),
                             metadata={"description": "HTTP status code."})
    status = ma.fields.String(required=True, metadata={"description": "HTTP status."})
    message = ma.fields.String(required=True, metadata={
        "description": "Descriptive error message for debugging."})
    details = ma.fields.List(ma.fields.String(), metadata={
        "description": "List of problems causing this error."})
    resourceId = ma.fields.String(metadata={"description": "Id of the resource."})


class FaultDetailSchema(_Schema):
    errorcode = ma.fields.String(metadata={"example": "oauth.v2.InvalidAccessToken"})


class FaultBodySchema(_Schema):
    faultstring = ma.fields.String(metadata={"example": "Invalid access token"})
    detail = ma.fields.Nested(FaultDetailSchema)


class FaultSchema(_Schema):
    """The API gateway's 401 body."""

    fault = ma.fields.Nested(FaultBodySchema)


class ListQuerySchema(_Schema):
    pageNumber = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1), metadata={
        "description": "The page number to be retrieved, from 1; a page past the end is an "
                       "empty list."})
    pageSize = ma.fields.Integer(load_default=60, validate=ma.validate.Range(min=1), metadata={
        "description": "The number of documents being retrieved on the page (at most "
                       "EMPORIX_MAX_PAGE_SIZE, 1000)."})
    sort = ma.fields.String(metadata={
        "description": "Fields to sort by, left to right: `field[:desc]`, comma-separated; "
                       "descending only for `desc` or `DESC`. Missing values sort first "
                       "(ascending). Default: `metadata.createdAt,id`.",
        "example": "metadata.createdAt:desc"})
    q = ma.fields.String(metadata={
        "description": "Space-separated clauses that must all hold: `field:value`, "
                       "`field:\"quoted\"`, `field:>n` (`<`, `>=`, `<=`), "
                       "`field:(>=a AND <=b)`, `field:(a,b)`, `field:~regex`, "
                       "`field:(~a b)`, `field:null`, `field:exists`, `field:missing`. "
                       "Dotted fields reach into arrays (`refIds.id:X`).",
        "example": "access:PUBLIC refIds.type:CATEGORY"})
