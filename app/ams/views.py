"""Routes of the iQmetrix AMS API (``ams-assets.md``), mapped onto nodes under ``/ams``.

An AMS asset is an asset node directly or deeper under the folder ``/ams`` (created on
first upload). Its AMS ``id`` is the node id (a uuid4 GUID); a new node is named
``<id><ext>``. The AMS fields map onto the node like this:

=============  ===================================================================
``id``         the node id
``name``       ``jcr:title`` (the uploaded file name; the node name when missing)
``width``      ``tiff:ImageWidth`` (null when missing: not an acceptable image)
``height``     ``tiff:ImageLength``
``md5Checksum`` the md5 of the stored bytes (kept by the blob store)
``mimeType``   the node's media type
``href``       ``/v1/files/<id><ext>`` on this server, absolute
=============  ===================================================================

Decisions where the vendor's page is silent:

- An image is what :func:`renditions.probe.probe_image` accepts (a raster format Pillow
  identifies, within ``AMS_MAX_IMAGE_PIXELS``). Its media type and extension come from the
  real format, so ``photo.png`` that is really a JPEG is served as ``image/jpeg`` at
  ``<id>.jpg``; the file name still comes back as ``name``. A possible decompression bomb
  (too many pixels) is stored like any other file, with a null width and height, and
  ``/images`` answers it 400 as a non-image. SVG is no raster image: 400 on ``/images``.
- For other files the media type is the part's ``Content-Type`` (guessed from the file
  name when it is missing or ``application/octet-stream``); the extension is the file
  name's, or one that fits the media type, or none.
- Whether an asset is an image, and its size, are read from the stored ``tiff:*``
  properties: the asset metadata the rendition job (``renditions``) writes for every image,
  whichever API uploaded it. An AMS upload also writes them itself, from the header
  (:func:`renditions.probe.probe_image`, a few kilobytes read), because its 201 answer must
  carry ``width`` and ``height`` and the job runs later; both read the same header, so they
  agree. An image put under ``/ams`` through another API counts as a non-image until its
  rendition job has run (a second or so).
- File parts with an empty file name (what a browser sends for an empty file input) do
  not count as files. A malformed GUID and a node that is not an asset under ``/ams``
  answer 404 like an unknown one; GUIDs are matched case-insensitively.
- ``href`` always names the ``/v1`` file URL, whichever prefix the request used. The file
  URL answers anonymous requests with the stored bytes and an ``ETag`` (the sha256), as
  every download does (:mod:`app.downloads`: ``nosniff``, ``Content-Security-Policy:
  sandbox``, HTML/SVG/XML/JavaScript as attachments), so an uploaded HTML or SVG file
  cannot run script in this server's origin.
- A 201 also carries ``Location``: the asset's URL under the prefix the request used.
- Errors are ``{"message": "<Description>: <How to Resolve>"}`` with the page's texts; a
  body over ``MAX_CONTENT_LENGTH`` is 413, a missing or bad Bearer token on ``POST`` 401
  with ``WWW-Authenticate: Bearer``. A failed upload leaves no node behind (the bytes, if
  already stored, are unreferenced and go at the next ``flask gc``).
"""
from __future__ import annotations

import mimetypes
import posixpath
import re
import uuid
from http import HTTPStatus
from typing import Any

from flask import current_app, redirect, request, url_for
from flask_smorest import Blueprint
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import HTTPException

from renditions.probe import probe_image
from repository import (
    ASSET,
    AccessDenied,
    AlreadyExists,
    Node,
    NotFound,
    ParentMissing,
    Repository,
    RepositoryError,
)
from repository.access import ADD_CHILD_NODES
from repository.blobs import BlobTooLarge

from .. import get_repository, system_repository
from ..auth import AMS, act_as, act_as_public_reader, bearer_identity
from ..downloads import send_stored
from ..errors import ApiError, status_for
from ..uploads import store_file
from .schemas import AssetSchema, CreatedAssetSchema, ErrorSchema, UploadSchema

#: Where AMS assets live in the tree.
AMS_FOLDER = ("ams",)
#: Name of the blueprint serving ``/v1`` (and the file URLs that ``href`` names).
V1 = "ams"

# The page's error table: "<Description>: <How to Resolve>".
NOT_FOUND = "Asset Media Service Error: Resource not found"
NOT_AN_IMAGE = ("Bad Request: Ensure the Asset is of the correct type for the action "
                "(i.e. an image for /images endpoints)")
ONE_AT_A_TIME = "Bad Request: Ensure you are only uploading one Asset at a time"
NO_FILE = "Bad Request: Ensure file was attached to request"
NO_TOKEN = ("Unauthorized: Ensure the request carries a Bearer token "
            "(Authorization: Bearer <token>)")
BAD_TOKEN = "Unauthorized: Ensure the Bearer token is valid (it is unknown or revoked)"
NOT_ALLOWED = ("Forbidden: Ensure the token's user may upload (an administrator grants "
               "jcr:addChildNodes on /ams)")

GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
SAFE_EXTENSION = re.compile(r"\.[a-z0-9]{1,16}")
#: Extensions for common image types (``mimetypes`` may prefer ``.jpe`` or ``.tiff``).
PREFERRED_EXTENSION = {
    "image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp",
    "image/bmp": ".bmp", "image/tiff": ".tif", "image/x-icon": ".ico", "image/avif": ".avif",
}
#: Attempts at creating the node when ``/ams`` is deleted between ensuring and creating.
CREATE_ATTEMPTS = 3


class AmsError(ApiError):
    """An error answered in this API's own body shape (ApiError's other users differ)."""


def error_response(status: int, message: str, headers: dict[str, str] | None = None):
    response = current_app.json.response({"message": message})
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


# -- the blueprints --------------------------------------------------------------------------

def make_blueprint(name: str, url_prefix: str, *, serve_files: bool) -> Blueprint:
    """One AMS blueprint; ``init_app`` makes one for ``/v1`` and one for the bare root.

    Each has its own view functions (closures), so flask-smorest documents both sets of
    paths independently, with their own operationIds.
    """
    suffix = "" if url_prefix == "/v1" else "Unversioned"
    blp = Blueprint(
        name, __name__, url_prefix=url_prefix or None,
        description=(f"iQmetrix Asset Media Service under {url_prefix}" if url_prefix else
                     "The same iQmetrix AMS operations without the /v1 prefix (older "
                     "revisions of the vendor's documentation show them there)"),
    )
    blp.before_request(require_bearer_for_writes)
    blp.register_error_handler(AmsError, lambda e: error_response(e.status, e.message, e.headers))
    blp.register_error_handler(RepositoryError, repository_error)
    blp.register_error_handler(BlobTooLarge, repository_error)
    blp.register_error_handler(ApiError, repository_error)
    blp.register_error_handler(HTTPException, http_error)

    @blp.route("/assets", methods=["POST"])
    @blp.doc(operationId=f"createAsset{suffix}", security=[{"bearerAuth": []}])
    @blp.arguments(UploadSchema, location="files", error_status_code=400,
                   description="Exactly one file part (the vendor names it `Filename`)")
    @blp.response(201, CreatedAssetSchema, description="The asset was stored")
    @blp.alt_response(400, schema=ErrorSchema,
                      description="Bad Request: Ensure you are only uploading one Asset at a "
                                  "time; Bad Request: Ensure file was attached to request")
    @blp.alt_response(401, schema=ErrorSchema, description="No or a bad Bearer token")
    @blp.alt_response(413, schema=ErrorSchema,
                      description="The body is larger than the server's MAX_CONTENT_LENGTH")
    def create_asset(_files: dict[str, Any]):
        """Creating an Asset

        Upload one file as `multipart/form-data`. The answer holds every field of the
        asset plus `"success": true`; `width` and `height` are the image's pixel size (null
        for a file that is not an image). Errors: 400 "Bad Request: Ensure you are only
        uploading one Asset at a time" and "Bad Request: Ensure file was attached to
        request".
        """
        node = upload_asset()
        location = url_for(f"{request.blueprint}.get_asset", asset_id=node.id, _external=True)
        return {**asset_fields(node), "success": True}, 201, {"Location": location}

    @blp.route("/assets/<path:asset_id>", methods=["GET"])
    @blp.doc(operationId=f"getAsset{suffix}")
    @blp.response(200, AssetSchema, description="The asset")
    @blp.alt_response(404, schema=ErrorSchema,
                      description="Ensure Asset GUID is valid and the Asset exists")
    def get_asset(asset_id: str):
        """Getting an Asset

        Anonymous requests are answered (storefronts embed the URLs directly).
        """
        return asset_fields(find_asset(asset_id))

    @blp.route("/images/<path:asset_id>", methods=["GET"])
    @blp.doc(operationId=f"getImage{suffix}")
    @blp.response(303, description="Redirect to the image file on this server",
                  headers={"Location": {"description": "The image file's URL (the asset's "
                                                       "`href`); it ends in the extension",
                                        "schema": {"type": "string", "format": "uri"}}})
    @blp.alt_response(400, schema=ErrorSchema,
                      description="Bad Request: Ensure the Asset is of the correct type for "
                                  "the action (i.e. an image for /images endpoints)")
    @blp.alt_response(404, schema=ErrorSchema,
                      description="Ensure Asset GUID is valid and the Asset exists")
    def get_image(asset_id: str):
        """Redirecting to an Image Asset

        A `303` whose `Location` points at the file, usable in `<img src>`. Anonymous
        requests are answered.
        """
        node = find_asset(asset_id)
        if image_size(node) is None or node.blob is None:
            raise AmsError(400, NOT_AN_IMAGE)
        return redirect(file_url(node), 303)

    if serve_files:
        @blp.route("/files/<path:filename>", methods=["GET"])
        @blp.doc(operationId=f"getAssetFile{suffix}", responses={"200": {
            "description": "The stored bytes with the asset's media type (conditional "
                           "requests with If-None-Match / If-Modified-Since give 304)",
            "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
        }})
        @blp.alt_response(404, schema=ErrorSchema, description="No such asset file")
        def download_file(filename: str):
            """The file behind an asset's `href`

            `<id><ext>` as the asset's `href` names it; anonymous requests are answered.
            """
            return send_asset_file(filename)

    return blp


# -- request handling --------------------------------------------------------------------------

def require_bearer_for_writes():
    """POST needs a Bearer token, and acts as its user; the GETs answer anonymous requests
    (the vendor's design: storefronts embed the image URLs) and read what is under /ams."""
    if request.method != "POST":
        act_as_public_reader(AMS, AMS_FOLDER)
        return None
    identity = bearer_identity()
    if identity is not None:
        if act_as(identity, AMS) is None:
            return error_response(403, "Forbidden: Ensure the token has the scope "
                                       "ams.asset_upload (or no scopes)")
        return None
    auth = request.authorization
    if auth is not None and auth.type == "bearer" and auth.token:
        return error_response(401, BAD_TOKEN,
                              {"WWW-Authenticate": 'Bearer realm="assets", error="invalid_token"'})
    return error_response(401, NO_TOKEN, {"WWW-Authenticate": 'Bearer realm="assets"'})


def repository_error(error: Exception):
    status = status_for(error)
    return error_response(status, f"{_phrase(status)}: {error}")


def http_error(error: HTTPException):
    status = error.code or 500
    if status == 413:
        limit = current_app.config["MAX_CONTENT_LENGTH"]
        message = f"Request Entity Too Large: Ensure the request body is at most {limit} bytes"
    elif status == 404:
        message = NOT_FOUND
    else:
        # webargs puts its validation errors in ``data["messages"]``.
        detail = (getattr(error, "data", None) or {}).get("messages")
        message = f"{error.name}: {detail or error.description}"
    response = error_response(status, message)
    if status == 405 and getattr(error, "valid_methods", None):
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def upload_asset() -> Node:
    files = [upload for _, upload in request.files.items(multi=True) if upload.filename]
    if not files:
        raise AmsError(400, NO_FILE)
    if len(files) > 1:
        raise AmsError(400, ONE_AT_A_TIME)
    upload = files[0]
    repository = get_repository()
    try:  # before reading the file: refuse a caller who may not upload at all
        repository.check(AMS_FOLDER, ADD_CHILD_NODES)
    except (NotFound, AccessDenied):
        if system_repository().exists(AMS_FOLDER):
            raise AmsError(403, NOT_ALLOWED) from None
    blob, declared_type = store_file(upload)
    info = probe_image(repository.blobs.path_of(blob.sha256),
                       max_pixels=current_app.config.get("AMS_MAX_IMAGE_PIXELS"))
    name = file_name_of(upload)
    mime_type = info.mime_type if info is not None and info.mime_type else declared_type
    asset_id = new_asset_id()
    properties: dict[str, Any] = {"jcr:title": name}
    if info is not None:
        properties["tiff:ImageWidth"] = info.width
        properties["tiff:ImageLength"] = info.height
    node_name = asset_id + extension_for(name, mime_type, image=info is not None)
    for attempt in range(1, CREATE_ATTEMPTS + 1):
        ensure_ams_folder(system_repository())
        try:
            return repository.create(AMS_FOLDER + (node_name,), ASSET, properties=properties,
                                     blob=blob, mime_type=mime_type, node_id=asset_id)
        except ParentMissing:  # /ams was deleted meanwhile: make it again
            if attempt == CREATE_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def new_asset_id() -> str:
    return str(uuid.uuid4())


def ensure_ams_folder(repository: Repository) -> None:
    """Create ``/ams`` unless it exists; a concurrent request creating it too is fine."""
    try:
        repository.ensure_folder(AMS_FOLDER, properties={"jcr:title": "iQmetrix AMS"})
    except AlreadyExists:
        raise AmsError(409, "Conflict: Ensure /ams in the repository is a folder; AMS stores "
                            "its assets there") from None


def file_name_of(upload: FileStorage) -> str:
    """The uploaded file's name without any directory a client put in front of it."""
    raw = upload.filename or ""
    base = re.split(r"[\\/]", raw)[-1]
    return base or raw


def extension_for(file_name: str, mime_type: str, *, image: bool) -> str:
    """The node name's extension: the file name's when it fits, else one for the type."""
    extension = posixpath.splitext(file_name)[1].lower()
    if SAFE_EXTENSION.fullmatch(extension):
        if not image:
            return extension
        guessed, _ = mimetypes.guess_type("x" + extension, strict=False)
        if guessed == mime_type:
            return extension
    fitting = PREFERRED_EXTENSION.get(mime_type) or mimetypes.guess_extension(
        mime_type, strict=False) or ""
    return fitting if SAFE_EXTENSION.fullmatch(fitting) else ""


# -- reading -------------------------------------------------------------------------------------

def find_asset(raw_id: str) -> Node:
    """The AMS asset with this GUID; anything else is the page's 404."""
    if not GUID.fullmatch(raw_id):
        raise AmsError(404, NOT_FOUND)
    try:
        node = get_repository().get_by_id(raw_id.lower())
    except NotFound:
        raise AmsError(404, NOT_FOUND) from None
    if not is_ams_asset(node):
        raise AmsError(404, NOT_FOUND)
    return node


def is_ams_asset(node: Node) -> bool:
    return node.kind == ASSET and len(node.path) > len(AMS_FOLDER) and \
        node.path[: len(AMS_FOLDER)] == AMS_FOLDER


def image_size(node: Node) -> tuple[int, int] | None:
    width = node.properties.get("tiff:ImageWidth")
    height = node.properties.get("tiff:ImageLength")
    if _positive_int(width) and _positive_int(height):
        return width, height
    return None


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def asset_fields(node: Node) -> dict[str, Any]:
    title = node.properties.get("jcr:title")
    size = image_size(node)
    return {
        "id": node.id,
        "name": title if isinstance(title, str) and title else node.name,
        "height": size[1] if size else None,
        "width": size[0] if size else None,
        "href": file_url(node),
        "md5Checksum": get_repository().md5_of(node.blob) if node.blob is not None else None,
        "mimeType": node.mime_type,
    }


def node_extension(node: Node) -> str:
    return posixpath.splitext(node.name)[1]


def file_url(node: Node) -> str:
    return url_for(f"{V1}.download_file", filename=node.id + node_extension(node),
                   _external=True)


def send_asset_file(filename: str):
    asset_id, dot, extension = filename.partition(".")
    node = find_asset(asset_id)
    if node.blob is None or dot + extension != node_extension(node):
        raise AmsError(404, NOT_FOUND)
    title = node.properties.get("jcr:title")
    return send_stored(get_repository().blobs.path_of(node.blob.sha256),
                       mime_type=node.mime_type, etag=node.blob.sha256,
                       last_modified=node.modified,
                       file_name=title if isinstance(title, str) and title else node.name)
