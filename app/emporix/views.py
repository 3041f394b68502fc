"""Routes of the Emporix Media API (``emporix-media-assets.txt``, ``emporix-media-api.yml``
and NOTES.md), over the tree under ``/emporix/{tenant}`` (see :mod:`app.emporix.documents`
for the mapping and :mod:`app.emporix.auth` for who may call what).

Decisions where the vendor is silent:

- A client-supplied ``id`` is 1 to 64 characters of ``A-Z a-z 0-9 _ -`` (400 otherwise); the
  server makes up 24 hex digits. An id taken in the same tenant → 409; ids of different
  tenants never collide. An unknown or malformed id → 404.
- A LINK's ``url`` must be an absolute http(s) URL (the download redirects to it). A BLOB's
  ``details.mimeType`` defaults to the file part's type (guessed from its name when it is
  ``application/octet-stream`` or missing), ``details.filename`` to the part's file name.
- ``url`` of a BLOB is its public file URL ``/media/{tenant}/files/{id}`` on this server
  (PUBLIC: served without credentials, with ETag and conditional requests) or, PRIVATE, its
  download URL. ``details.etag`` is the sha256 of the bytes (the download's ETag, quoted).
- Download of a LINK, PUBLIC or PRIVATE, is a 301 to its url (the server holds no bytes).
- Listing: default order ``metadata.createdAt`` then ``id``; ``pageSize`` at most
  ``EMPORIX_MAX_PAGE_SIZE`` (1000, 400 above); ``sort`` by an object → 400; by a field no
  asset has → ignored (every value is missing, so all tie; the vendor's own example
  ``sort=name,metadata.createdAt:desc`` names such a field); only assets made through this API (with ``type`` BLOB or LINK) are listed.
- A PUT must use the asset's own body format: multipart (``file`` and ``body``) for a BLOB,
  JSON for a LINK; otherwise 400. ``type`` and ``access`` are required, as in the vendor's
  schemas, and must not change.
- Error bodies are ``{"code", "status", "message", "details"}`` with the vendor's texts:
  status ``Bad request`` (also for 403, as the vendor's example shows),
  ``element_resource_non_existing`` (404), ``Conflict`` (409, message ``Conflict``, the
  reason in ``details``), ``Request Entity Too Large`` (413), ``internal_service_error``.
- ``vendorId`` and the ``*_by_vendor`` scopes are not supported (there are no vendors here).
"""
from __future__ import annotations

import json
import re
import secrets
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

import marshmallow as ma
from flask import current_app, redirect, request, url_for
from flask_smorest import Blueprint
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from repository import (
    ASSET,
    AlreadyExists,
    InvalidValue,
    Node,
    NotFound,
    ParentMissing,
    PreconditionFailed,
    QueryTimeout,
    RepositoryError,
)
from repository import mediatypes
from repository.blobs import BlobTooLarge
from repository.query import Selection, SortKey, parse_q, parse_sort

from .. import get_repository, system_repository
from ..downloads import send_stored
from ..errors import ApiError, status_for
from ..uploads import (is_empty_file_input, is_form, is_json, json_body, media_type_of,
                       parse_json)
from . import schemas as S
from ..auth import EMPORIX, act_as_public_reader
from .auth import FAULT, Refused, authorize
from .documents import (
    ASSET_ID,
    BLOB,
    DOC,
    EMPORIX_FOLDER,
    LINK,
    TENANT,
    asset_path,
    iso,
    resolve,
    stored_fields,
    tenant_folder,
)

URL_PREFIX = "/media"
STATUS_TEXT = {400: "Bad request", 403: "Bad request", 404: "element_resource_non_existing",
               409: "Conflict", 413: "Request Entity Too Large", 500: "internal_service_error"}
ERROR_TYPES = "https://saas-ag.com/patterns/errortypes.html"
NOT_FOUND = "The asset with the requested code does not exist."
TOO_LARGE = "The part named [file] exceeds the maximum allowed content length."
VERSION_REQUIRED = "The document version has to be provided on update operations."
INTERNAL = ("A server-side exception occurred that prevented the system from correctly "
            "returning the result.")
#: Room for the multipart framing and the ``body`` part around the file.
MULTIPART_SLACK = 2 * 1024 * 1024
MAX_BODY_PART = 1024 * 1024
CREATE_ATTEMPTS = 3
#: Only what this API made: other nodes under /emporix/{tenant} are not Emporix assets.
OWN_ASSETS = tuple(parse_q("type:(BLOB,LINK)"))
DEFAULT_SORT = (SortKey(("metadata", "createdAt")), SortKey(("id",)))
SECURITY = [{"bearerAuth": []}]


class EmporixError(ApiError):
    """An error answered in this API's body shape."""

    def __init__(self, status: int, message: str, details: list[str] | None = None) -> None:
        super().__init__(status, message)
        self.details = details


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None):
    """JSON in the order the fields were built (the vendor's order), not sorted."""
    response = current_app.response_class(
        json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json")
    response.headers.update(headers or {})
    return response


def error_response(status: int, message: str, details: list[str] | None = None,
                   headers: dict[str, str] | None = None):
    body: dict[str, Any] = {"code": status, "status": _status_text(status), "message": message}
    if details is None and status == 400:
        details = [ERROR_TYPES]
    if details:
        body["details"] = details
    return json_response(body, status, headers)


def _status_text(status: int) -> str:
    if status in STATUS_TEXT:
        return STATUS_TEXT[status]
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


# -- errors ----------------------------------------------------------------------------------

def _refused(error: Refused):
    if error.status == 401:
        return json_response(FAULT, 401, {"WWW-Authenticate": 'Bearer realm="assets"'})
    return error_response(error.status, error.message, error.details)


def _emporix_error(error: EmporixError):
    return error_response(error.status, error.message, error.details)


def _repository_error(error: Exception):
    status = status_for(error)
    if isinstance(error, BlobTooLarge):
        return error_response(413, TOO_LARGE)
    if status == 404:
        return error_response(404, NOT_FOUND)
    if status == 409:
        return error_response(409, "Conflict", [str(error)])
    return error_response(status, str(error))


def http_error(error: HTTPException):
    status = error.code or 500
    if isinstance(error, RequestEntityTooLarge):
        return error_response(413, TOO_LARGE)
    if status == 404:
        return error_response(404, NOT_FOUND if "/assets/" in request.path else
                              "The requested resource does not exist.")
    headers = {}
    if status == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)
    messages = (getattr(error, "data", None) or {}).get("messages")  # webargs' errors
    if messages:
        return error_response(status, "The request parameters are invalid.",
                              _flatten(messages), headers)
    return error_response(status, error.description or error.name, None, headers)


def _unexpected(error: Exception):
    current_app.logger.exception("Emporix API: unexpected error", exc_info=error)
    return error_response(500, INTERNAL, ["https://pattern.yaas.io/errortypes.html"])


def _flatten(messages: Any, prefix: str = "") -> list[str]:
    """marshmallow's nested error dict as ``field.path: message`` lines."""
    if isinstance(messages, dict):
        lines: list[str] = []
        for key, value in messages.items():
            name = str(key) if key != "_schema" else ""
            path = f"{prefix}.{name}" if prefix and name else prefix or name
            lines += _flatten(value, path)
        return lines
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return [f"{prefix}: {m}" if prefix else m for m in messages]
    if isinstance(messages, list):
        return [line for m in messages for line in _flatten(m, prefix)]
    return [f"{prefix}: {messages}"]


# -- request bodies ---------------------------------------------------------------------------

def load(schema: type[ma.Schema], data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise EmporixError(400, "The request body must be a JSON object.")
    try:
        return schema().load(data)
    except ma.ValidationError as error:
        raise EmporixError(400, "The asset is invalid.", _flatten(error.messages)) from None


def body_part() -> Any:
    """The multipart ``body`` part as JSON, whatever its part content type."""
    text: Any = request.form.get("body")
    if text is None:
        part = request.files.get("body")
        if part is None:
            raise EmporixError(400, "The part named [body] is missing.")
        text = part.stream.read(MAX_BODY_PART + 1)
        if len(text) > MAX_BODY_PART:
            raise EmporixError(400, f"The part named [body] exceeds {MAX_BODY_PART} bytes.")
    try:
        return parse_json(text, "The part named [body]")
    except ApiError as error:
        raise EmporixError(400, error.message) from None


def file_part() -> FileStorage:
    """The ``file`` part; a file sent under another part name, or an empty file input (no
    file name, no bytes: a browser's "no file chosen") is refused, not stored."""
    upload = request.files.get("file")
    if upload is None:
        others = sorted(set(request.files) - {"body"})
        details = [f"The form sends a file in the part named [{name}]; send it in the part "
                   "named [file]." for name in others]
        raise EmporixError(400, "The part named [file] is missing.", details or None)
    if is_empty_file_input(upload):
        raise EmporixError(400, "The part named [file] holds no file (no file was chosen).")
    return upload


def part_media_type(upload: FileStorage) -> str:
    """The file part's media type, when ``details.mimeType`` does not give one."""
    mime_type = media_type_of(upload)
    why = mediatypes.problem(mime_type)
    if why is not None:
        raise EmporixError(400, "The asset is invalid.",
                           [f"file: the part's Content-Type: {why}; or give details.mimeType"])
    return mime_type


def check_refs(data: dict[str, Any]) -> None:
    predefined = sorted({ref["type"] for ref in data.get("refIds") or []
                         if ref["type"] in S.PREDEFINED_REF_TYPES})
    if predefined and data["access"] != "PUBLIC":
        raise EmporixError(400, "Assets assigned to predefined refIds types require PUBLIC "
                                f"access ({', '.join(predefined)}).")


def check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 2048 \
            or any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise EmporixError(400, "The url of a LINK asset must be an absolute http or https URL.")


def check_id(asset_id: str) -> None:
    if not ASSET_ID.fullmatch(asset_id):
        raise EmporixError(400, "An asset id must have 1 to 64 characters of A-Z a-z 0-9 _ -.")


def file_name_of(upload: FileStorage) -> str | None:
    base = re.split(r"[\\/]", upload.filename or "")[-1]
    return base or None


def store_upload(upload: FileStorage):
    try:
        return get_repository().blobs.put(
            upload.stream, max_size=current_app.config["EMPORIX_MAX_FILE_SIZE"], md5=False)
    except BlobTooLarge:
        raise EmporixError(413, TOO_LARGE) from None


# -- reading ------------------------------------------------------------------------------------

def find_asset(tenant: str, asset_id: str) -> Node:
    if not ASSET_ID.fullmatch(asset_id):
        raise EmporixError(404, NOT_FOUND)
    try:
        node = get_repository().get(asset_path(tenant, asset_id))
    except NotFound:
        raise EmporixError(404, NOT_FOUND) from None
    if not is_emporix_asset(node):
        raise EmporixError(404, NOT_FOUND)
    return node


def is_emporix_asset(node: Node) -> bool:
    doc = node.properties.get(DOC)
    return node.kind == ASSET and isinstance(doc, dict) and doc.get("type") in (BLOB, LINK)


def public_file_url(tenant: str, node: Node) -> str:
    return url_for("emporix.public_file", tenant=tenant, assetId=node.name, _external=True)


def asset_document(tenant: str, node: Node) -> dict[str, Any]:
    doc: dict[str, Any] = node.properties[DOC]
    body: dict[str, Any] = {"id": node.name, "type": doc["type"], "access": doc.get("access")}
    if doc["type"] == LINK:
        body["url"] = doc.get("url")
    elif doc.get("access") == "PUBLIC":
        body["url"] = public_file_url(tenant, node)
    else:
        body["url"] = url_for("emporix.download_asset", tenant=tenant, assetId=node.name,
                              _external=True)
    details: dict[str, Any] = {}
    filename = (doc.get("details") or {}).get("filename")
    if filename:
        details["filename"] = filename
    if node.mime_type:
        details["mimeType"] = node.mime_type
    if node.blob is not None:
        details["bytes"] = node.blob.size
        details["etag"] = node.blob.sha256
    if details:
        body["details"] = details
    if doc.get("refIds"):
        body["refIds"] = doc["refIds"]
    if doc.get("mixins"):
        body["mixins"] = doc["mixins"]
    metadata: dict[str, Any] = {"createdAt": iso(node.created), "modifiedAt": iso(node.modified),
                                "version": node.version}
    mixins = (doc.get("metadata") or {}).get("mixins")
    if mixins:
        metadata["mixins"] = mixins
    body["metadata"] = metadata
    return body


def list_assets(tenant: str, args: dict[str, Any]):
    page_size = args["pageSize"]
    limit = current_app.config["EMPORIX_MAX_PAGE_SIZE"]
    if page_size > limit:
        raise EmporixError(400, f"pageSize must be at most {limit}.")
    try:
        clauses = parse_q(args.get("q"))
        sort = parse_sort(args.get("sort"))
    except InvalidValue as error:
        raise EmporixError(400, str(error)) from None
    selection = Selection(OWN_ASSETS + tuple(clauses), tuple(sort) + DEFAULT_SORT, resolve)
    count = request.headers.get("X-Total-Count", "").strip().lower() == "true"
    offset = (args["pageNumber"] - 1) * page_size
    try:
        if offset > 2**62:
            raise NotFound("no page that far")  # past any end; only the count is needed
        page = get_repository().query_children(tenant_folder(tenant), selection, offset=offset,
                                               limit=page_size, count=count)
        nodes, total = page.nodes, page.total
    except NotFound:  # the tenant has no assets yet (or the page is past any end)
        nodes, total = [], 0
        if count and offset > 2**62:
            total = get_repository().query_children(
                tenant_folder(tenant), selection, limit=1, count=True).total
    except QueryTimeout as error:
        raise EmporixError(400, _too_slow(clauses, sort, error)) from None
    except InvalidValue as error:
        raise EmporixError(400, str(error)) from None
    headers = {"X-Total-Count": str(total)} if count else {}
    return json_response([asset_document(tenant, node) for node in nodes], 200, headers)


def _too_slow(clauses: list, sort: list, error: QueryTimeout) -> str:
    """Which part of the request to change when its listing ran out of time: the regex
    clauses of ``q`` (the usual cost), else all of ``q``, else the sort."""
    named = [c.text for c in clauses
             if any(cond.op == "regex" for alt in c.alternatives for cond in alt)] \
        or [c.text for c in clauses]
    if named:
        listed = ", ".join(f"'{text}'" for text in named)
        clause = "clause" if len(named) == 1 else "clauses"
        return (f"q: the {clause} {listed} cost too much on this tenant's assets ({error}); "
                "make it more selective (e.g. anchor a regex with ^) or page with a smaller "
                "pageSize.")
    what = "sort" if sort else "the listing"
    return f"{what}: {error}; use a smaller pageSize."


# -- writing ----------------------------------------------------------------------------------

def create_asset(tenant: str):
    if is_json():
        payload = json_body()
        if isinstance(payload, dict) and payload.get("type") == BLOB:
            raise EmporixError(400, "An asset of the BLOB type is created with "
                                    "multipart/form-data (parts file and body).")
        data = load(S.AssetCreateLinkSchema, payload)
        check_url(data["url"])
        upload = blob = None
        mime_type, filename = None, None
    elif is_form():
        data = load(S.AssetCreateBlobSchema, body_part())
        upload = file_part()
        details = data.get("details") or {}
        filename = details.get("filename") or file_name_of(upload)
        mime_type = details.get("mimeType") or part_media_type(upload)
    else:
        raise EmporixError(415, "Send a LINK asset as application/json and a BLOB asset as "
                                "multipart/form-data.")
    check_refs(data)
    asset_id = data.get("id")
    if asset_id is not None:
        check_id(asset_id)
    doc = stored_fields(data, asset_type=data["type"], filename=filename)
    if upload is not None:
        blob = store_upload(upload)
    node = create_node(tenant, asset_id, doc, blob, mime_type)
    return json_response({"id": node.name}, 201)


def create_node(tenant: str, chosen_id: str | None, doc: dict[str, Any], blob, mime_type):
    repository = get_repository()
    properties: dict[str, Any] = {DOC: doc}
    filename = (doc.get("details") or {}).get("filename")
    if filename:
        properties["jcr:title"] = filename
    for attempt in range(1, CREATE_ATTEMPTS + 1):
        asset_id = chosen_id or secrets.token_hex(12)
        try:
            ensure_tenant_folder(tenant)
            return repository.create(asset_path(tenant, asset_id), ASSET, properties=properties,
                                     blob=blob, mime_type=mime_type)
        except AlreadyExists:
            if chosen_id:
                raise EmporixError(409, "Conflict",
                                   [f"An asset with the id {chosen_id} already exists."]) from None
            if attempt == CREATE_ATTEMPTS:
                raise
        except ParentMissing:  # the tenant's folder was deleted meanwhile: make it again
            if attempt == CREATE_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def ensure_tenant_folder(tenant: str) -> None:
    """The API's mount folders, made by the server itself (the caller's rights start
    inside the tenant's folder)."""
    repository = system_repository()
    try:
        repository.ensure_folder(EMPORIX_FOLDER, properties={"jcr:title": "Emporix Media"})
        repository.ensure_folder(tenant_folder(tenant), properties={"jcr:title": tenant})
    except AlreadyExists:
        raise EmporixError(409, "Conflict", [f"/emporix/{tenant} in the repository is not a "
                                             "folder; the Emporix API keeps assets there"]) from None


def update_asset(tenant: str, asset_id: str):
    node = find_asset(tenant, asset_id)
    current = node.properties[DOC]
    if current["type"] == BLOB:
        if not is_form():
            raise EmporixError(400, "An asset of the BLOB type is updated with "
                                    "multipart/form-data (parts file and body).")
        payload = body_part()
    else:
        if not is_json():
            raise EmporixError(400, "An asset of the LINK type is updated with application/json.")
        payload = json_body()
    if not isinstance(payload, dict):
        raise EmporixError(400, "The request body must be a JSON object.")
    metadata = payload.get("metadata")
    if not isinstance(metadata, dict) or metadata.get("version") is None:
        raise EmporixError(400, VERSION_REQUIRED)
    if payload.get("type", current["type"]) != current["type"]:
        raise EmporixError(400, "The type of an asset cannot be changed.")
    if "access" in payload and payload["access"] != current.get("access"):
        raise EmporixError(400, "The access of an asset cannot be changed.")
    if current["type"] == BLOB:
        data = load(S.AssetUpdateBlobSchema, payload)
        upload = file_part()
        details = data.get("details") or {}
        filename = details.get("filename") or file_name_of(upload)
        mime_type = details.get("mimeType") or part_media_type(upload)
    else:
        data = load(S.AssetUpdateLinkSchema, payload)
        check_url(data["url"])
        upload, filename, mime_type = None, None, None
    check_refs(data)
    doc = stored_fields(data, asset_type=current["type"], filename=filename)
    blob = store_upload(upload) if upload is not None else None
    properties: dict[str, Any] = {DOC: doc, "jcr:title": filename}
    try:
        get_repository().update(node.path, properties=properties, blob=blob, mime_type=mime_type,
                                expected_version=data["metadata"]["version"])
    except PreconditionFailed as error:
        raise EmporixError(409, "Conflict", [str(error)]) from None
    except NotFound:  # deleted meanwhile
        raise EmporixError(404, NOT_FOUND) from None
    return "", 204


def delete_asset(tenant: str, asset_id: str):
    node = find_asset(tenant, asset_id)
    try:
        get_repository().delete(node.path)
    except NotFound:
        raise EmporixError(404, NOT_FOUND) from None
    return "", 204


# -- files ------------------------------------------------------------------------------------

def download(tenant: str, asset_id: str):
    node = find_asset(tenant, asset_id)
    doc = node.properties[DOC]
    if doc["type"] == LINK:
        return redirect(doc["url"], 301)
    if doc.get("access") == "PUBLIC":
        return redirect(public_file_url(tenant, node), 301)
    return send_bytes(node, download_name=(doc.get("details") or {}).get("filename"))


def public_file(tenant: str, asset_id: str):
    if not TENANT.fullmatch(tenant):
        raise EmporixError(404, NOT_FOUND)
    act_as_public_reader(EMPORIX, tenant_folder(tenant))  # answers PUBLIC BLOBs only, below
    node = find_asset(tenant, asset_id)
    doc = node.properties[DOC]
    if doc["type"] != BLOB or doc.get("access") != "PUBLIC":
        raise EmporixError(404, NOT_FOUND)
    return send_bytes(node, download_name=(doc.get("details") or {}).get("filename"))


def send_bytes(node: Node, *, download_name: str | None):
    if node.blob is None:
        raise EmporixError(404, NOT_FOUND)
    return send_stored(get_repository().blobs.path_of(node.blob.sha256),
                       mime_type=node.mime_type, etag=node.blob.sha256,
                       last_modified=node.modified, file_name=download_name or node.name)


# -- the blueprint ----------------------------------------------------------------------------

def before_request():
    """Authorise every route but the public file URL; bound the body of writes."""
    if request.endpoint == "emporix.public_file":
        return None
    tenant = (request.view_args or {}).get("tenant", "")
    authorize(tenant)
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        limit = current_app.config["EMPORIX_MAX_FILE_SIZE"] + MULTIPART_SLACK
        app_limit = current_app.config.get("MAX_CONTENT_LENGTH")
        request.max_content_length = min(limit, app_limit) if app_limit else limit
    return None


def owns_path(path: str) -> bool:
    return path == URL_PREFIX or path.startswith(URL_PREFIX + "/")


def make_blueprint(name: str = "emporix") -> Blueprint:
    """A fresh blueprint with its own view functions, one per application."""
    blp = Blueprint(name, __name__, url_prefix=URL_PREFIX,
                    description="Emporix Media: tenant-scoped BLOB and LINK assets. Every "
                                "route but the public file URL needs a Bearer token bound to "
                                "the tenant, with the scope media.asset_read or "
                                "media.asset_manage.")
    blp.before_request(before_request)
    blp.register_error_handler(Refused, _refused)
    blp.register_error_handler(EmporixError, _emporix_error)
    for kind in (ApiError, RepositoryError, BlobTooLarge):
        blp.register_error_handler(kind, _repository_error)
    blp.register_error_handler(HTTPException, http_error)
    blp.register_error_handler(Exception, _unexpected)

    def errors(*codes: int):
        def decorate(view):
            for code in codes:
                schema = S.FaultSchema if code == 401 else S.ErrorMessageSchema
                view = blp.alt_response(code, schema=schema, description=_status_text(code))(view)
            return view
        return decorate

    @blp.route("/<tenant>/assets", methods=["GET"])
    @blp.doc(operationId="GET-media-list-assets", security=SECURITY, parameters=[{
        "in": "header", "name": "X-Total-Count", "required": False,
        "schema": {"type": "boolean", "default": False},
        "description": "`true`: the total number of matching assets comes back in the "
                       "X-Total-Count response header."}])
    @blp.arguments(S.ListQuerySchema, location="query", error_status_code=400, as_kwargs=False)
    @blp.response(200, S.GetAssetSchema(many=True), description="The page of assets")
    @errors(400, 401, 403)
    def list_view(args: dict[str, Any], tenant: str):
        """Retrieving all assets

        Filter with `q`, order with `sort`, page with `pageNumber` and `pageSize`.
        """
        return list_assets(tenant, args)

    @blp.route("/<tenant>/assets", methods=["POST"])
    @blp.doc(operationId="POST-media-create-asset", security=SECURITY, requestBody={
        "required": True, "content": {
            "multipart/form-data": {"schema": S.AssetCreateMultipartSchema},
            "application/json": {"schema": S.AssetCreateLinkSchema}}})
    @blp.response(201, S.CreatedSchema, description="The asset has been created.")
    @errors(400, 401, 403, 409, 413)
    def create_view(tenant: str):
        """Creating an asset

        A BLOB as `multipart/form-data` (parts `file` and `body`), a LINK as JSON.
        Predefined `refIds` types (BRAND, CATEGORY, LABEL, PRODUCT, MODULE) need PUBLIC access.
        """
        return create_asset(tenant)

    @blp.route("/<tenant>/assets/<assetId>", methods=["GET"])
    @blp.doc(operationId="GET-media-retrieve-asset", security=SECURITY)
    @blp.response(200, S.GetAssetSchema, description="The requested asset")
    @errors(401, 403, 404)
    def get_view(tenant: str, assetId: str):
        """Retrieving an asset"""
        return json_response(asset_document(tenant, find_asset(tenant, assetId)))

    @blp.route("/<tenant>/assets/<assetId>", methods=["PUT"])
    @blp.doc(operationId="PUT-media-update-asset", security=SECURITY, requestBody={
        "required": True, "content": {
            "multipart/form-data": {"schema": S.AssetUpdateMultipartSchema},
            "application/json": {"schema": S.AssetUpdateLinkSchema}}})
    @blp.response(204, description="The asset has been updated successfully.")
    @errors(400, 401, 403, 404, 409, 413)
    def update_view(tenant: str, assetId: str):
        """Updating an asset

        Replaces the whole asset; `metadata.version` must be the current version (409 when
        stale). `type` and `access` cannot change.
        """
        return update_asset(tenant, assetId)

    @blp.route("/<tenant>/assets/<assetId>", methods=["DELETE"])
    @blp.doc(operationId="DELETE-media-remove-asset", security=SECURITY)
    @blp.response(204, description="The asset has been deleted successfully.")
    @errors(401, 403, 404)
    def delete_view(tenant: str, assetId: str):
        """Deleting an asset"""
        return delete_asset(tenant, assetId)

    @blp.route("/<tenant>/assets/<assetId>/download", methods=["GET"])
    @blp.doc(operationId="GET-media-download-asset", security=SECURITY, responses={
        "200": {"description": "The bytes of a PRIVATE BLOB, with an ETag (If-None-Match "
                               "→ 304)",
                "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
                "headers": {"ETag": {"schema": {"type": "string"}}}},
        "301": {"description": "PUBLIC BLOB: its public file URL; LINK: its url",
                "headers": {"Location": {"schema": {"type": "string"}}}}})
    @errors(401, 403, 404)
    def download_asset(tenant: str, assetId: str):
        """Downloading an asset"""
        return download(tenant, assetId)

    @blp.route("/<tenant>/files/<assetId>", methods=["GET"], endpoint="public_file")
    @blp.doc(operationId="GET-media-public-file", security=[], responses={
        "200": {"description": "The bytes of a PUBLIC BLOB, without credentials (conditional "
                               "requests give 304)",
                "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}}}})
    @errors(404)
    def public_file_view(tenant: str, assetId: str):
        """The public file URL of a PUBLIC BLOB"""
        return public_file(tenant, assetId)

    return blp
