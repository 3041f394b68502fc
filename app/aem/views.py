"""Routes of the AEM Assets HTTP API: one dispatcher per HTTP method."""
from __future__ import annotations

import json
import secrets
import time
from functools import partial
from typing import Any

from flask import Response, current_app, g, request
from werkzeug.exceptions import HTTPException

from repository import ASSET, COMMENT, FOLDER, RENDITION, Node, paths
from repository.access import MODIFY_PROPERTIES
from repository.errors import (
    NotFound,
    RepositoryError,
)
from repository.blobs import BlobTooLarge
from siren import Entity, Link

from .. import get_repository
from ..auth import CHALLENGE
from ..errors import ApiError, add_routing_error_renderer, status_for
from .. import uploads
from ..downloads import send_stored
from ..uploads import form_file, is_form, is_json, json_body, parse_json
from . import bp, urls
from .locate import Target, locate
from .login import log_in
from .representation import (
    ORIGINAL,
    asset_entity,
    comment_entity,
    core_response,
    folder_entity,
    stored_properties,
)
from .transfer import transfer

# The AEM API shows no md5, so its uploads skip computing it (see BlobStore.put).
store_file = partial(uploads.store_file, md5=False)
store_raw_body = partial(uploads.store_raw_body, md5=False)

METHODS = ["GET", "POST", "PUT", "DELETE", "COPY", "MOVE"]
#: Form fields that steer a request rather than become properties.
CONTROL_FIELDS = frozenset({"name", "file", "_charset_", ":operation"})
SIREN_JSON = "application/json"


# -- plumbing ------------------------------------------------------------------------------

def siren(entity: Entity, status: int = 200, headers: dict | None = None) -> Response:
    response = current_app.response_class(
        json.dumps(entity.to_dict(), ensure_ascii=False), status=status, mimetype=SIREN_JSON
    )
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def reply(
    status: int, message: str, path=None, change: str | None = None, location: str | None = None
) -> Response:
    """A ``core/response`` for a write; a 201 also carries the new resource's Location.

    An explicit ``location`` marks a rendition or comment: ``path`` is then
    ``<asset>/renditions|comments/<name>`` and the parent shown is the asset.
    """
    parent_location = urls.entity(path[:-2]) if location and path is not None else None
    location = location or (urls.entity(path) if path is not None else None)
    headers = {"Location": location} if status == 201 and location else None
    body = core_response(status, message, path=path, change=change, location=location,
                         parent_location=parent_location)
    return siren(body, status, headers)


@bp.before_request
def require_login():
    refused = log_in()
    if refused is None:
        return None
    status, message = refused
    response = siren(core_response(status, message), status)
    if status == 401:
        response.headers["WWW-Authenticate"] = CHALLENGE
    return response


@bp.errorhandler(RepositoryError)
@bp.errorhandler(ApiError)
@bp.errorhandler(BlobTooLarge)
def repository_error(error: Exception) -> Response:
    status = status_for(error)
    return siren(core_response(status, str(error)), status,
                 getattr(error, "headers", None))


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException) -> Response:
    status = error.code or 500
    message = error.description or error.name
    if status == 413:
        limit = current_app.config["MAX_CONTENT_LENGTH"]
        message = f"the request body is larger than the limit of {limit} bytes"
    response = siren(core_response(status, message), status)
    if status == 405:
        allowed = getattr(error, "valid_methods", None) or METHODS + ["HEAD"]
        response.headers["Allow"] = ", ".join(allowed)
    return response


@bp.record_once
def _answer_routing_errors_in_siren(state) -> None:
    add_routing_error_renderer(
        state.app,
        lambda path: path == urls.SERVICE_DOCUMENT or path.startswith(urls.API_ROOT),
        http_error,
    )


# -- routes --------------------------------------------------------------------------------

@bp.route("/api.json")
def service_document() -> Response:
    entity = Entity(
        cls=["core/services"],
        properties={},
        entities=[Entity(cls=["core/service", "assets"], rel=["service"],
                         properties={"name": "assets", "title": "Assets"},
                         links=[Link(rel=["self"], href=urls.entity(()))])],
        links=[Link(rel=["self"], href=urls.service_document())],
    )
    return siren(entity)


@bp.route("/api/assets.json", endpoint="root_json", methods=["GET"])
@bp.route("/api/assets", endpoint="root", methods=METHODS, strict_slashes=False)
def dispatch_root() -> Response:
    return dispatch("")


@bp.route("/api/assets/<anypath:subpath>", methods=METHODS)
def dispatch(subpath: str) -> Response:
    method = "GET" if request.method == "HEAD" else request.method
    repository = get_repository()
    target = locate(repository, subpath, strip_json=method == "GET")
    if method in ("COPY", "MOVE"):
        if target.collection:
            raise ApiError(400, f"{method} applies to folders and assets, not to {target.collection}")
        return transfer(method, target.path)
    handler = HANDLERS[method]
    return handler(target)


# -- GET -----------------------------------------------------------------------------------

def get(target: Target) -> Response:
    repository = get_repository()
    if target.collection == "renditions":
        return download_rendition(target)
    if target.collection == "comments":
        if target.item is None:
            raise NotFound(f"{paths.to_text(target.path)}/comments: name a comment")
        comment = repository.get(target.path + (target.item,))
        if comment.kind != COMMENT:
            raise NotFound(f"{target.item} is not a comment of {paths.to_text(target.path)}")
        return siren(comment_entity(target.path, comment))
    node = repository.get(target.path)
    if node.kind == ASSET:
        renditions = repository.list_children(node.path, kinds=[RENDITION], limit=None).nodes
        comments = repository.list_children(node.path, kinds=[COMMENT], limit=None).nodes
        return siren(asset_entity(node, renditions, comments))
    offset, limit, after = paging_arguments()
    # A folder holds only folders and assets: no kind filter, so the count and the page
    # come straight from the (parent, name) index.
    page = repository.list_children(node.path, offset=offset, limit=limit, after=after)
    next_after = page.nodes[-1].name if page.nodes else None
    return siren(folder_entity(node, page, next_after))


def paging_arguments() -> tuple[int, int, str | None]:
    config = current_app.config
    offset = _int_argument("offset", 0, minimum=0)
    limit = _int_argument("limit", config["LISTING_DEFAULT_LIMIT"], minimum=1)
    if limit > config["LISTING_MAX_LIMIT"]:
        raise ApiError(400, f"limit must be at most {config['LISTING_MAX_LIMIT']}")
    after = request.args.get("after")
    return offset, limit, after


def _int_argument(name: str, default: int, *, minimum: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ApiError(400, f"{name} must be at least {minimum}")
    return value


def download_rendition(target: Target) -> Response:
    repository = get_repository()
    if target.item is None or target.item == "*":
        raise NotFound(f"{paths.to_text(target.path)}/renditions: name a rendition")
    holder = _rendition_holder(target)
    if holder.blob is None:
        raise NotFound(f"{paths.to_text(target.path)} has no {target.item} rendition")
    return send_stored(repository.blobs.path_of(holder.blob.sha256), mime_type=holder.mime_type,
                       etag=holder.blob.sha256, last_modified=holder.modified,
                       file_name=holder.name)


def _rendition_holder(target: Target) -> Node:
    """The node whose binary is the rendition: the asset itself for ``original``."""
    repository = get_repository()
    if target.item == ORIGINAL:
        return repository.get(target.path)
    node = repository.get(target.path + (target.item,))
    if node.kind != RENDITION:
        raise NotFound(f"{target.item} is not a rendition of {paths.to_text(target.path)}")
    return node


# -- POST ----------------------------------------------------------------------------------

def post(target: Target) -> Response:
    if target.collection == "renditions":
        return create_rendition(target)
    if target.collection == "comments":
        return create_comment(target)
    if is_json():
        return create_folder_from_json(target)
    if is_form():
        return create_from_form(target)
    return create_asset_from_body(target)


def create_folder_from_json(target: Target) -> Response:
    if target.star:
        raise ApiError(400, "name the folder in the URL when sending JSON "
                            "(POST /api/assets/<parent>/<name>)")
    body = _siren_body()
    properties = {**_query_properties(), **stored_properties(body.properties)}
    node = get_repository().create(target.path, FOLDER, properties=properties)
    return reply(201, "Folder created", node.path, "created")


def create_from_form(target: Target) -> Response:
    upload = form_file("file")
    fields = {k: v for k, v in request.form.items() if k not in CONTROL_FIELDS}
    properties = {**_query_properties(), **stored_properties(fields)}
    path = _named_path(target.path, upload)
    if upload is None:
        node = get_repository().create(path, FOLDER, properties=properties)
        return reply(201, "Folder created", node.path, "created")
    _check_creatable(path, ASSET)
    blob, mime = store_file(upload)
    node = get_repository().create(path, ASSET, properties=properties, blob=blob, mime_type=mime)
    return reply(201, "Asset created", node.path, "created")


def create_asset_from_body(target: Target) -> Response:
    if target.star:
        raise ApiError(400, "name the asset in the URL when sending a raw body, or send a "
                            "multipart form with the fields 'name' and 'file'")
    _check_creatable(target.path, ASSET)
    blob, mime = store_raw_body()
    node = get_repository().create(target.path, ASSET, properties=_query_properties(),
                                   blob=blob, mime_type=mime)
    return reply(201, "Asset created", node.path, "created")


def create_rendition(target: Target) -> Response:
    asset = get_repository().get(target.path)
    if target.item is None:
        raise ApiError(400, "name the rendition: POST <asset>/renditions/<name> or "
                            "<asset>/renditions/* with a 'name' field")
    if is_form():
        upload = form_file("file")
        if upload is None:
            raise ApiError(400, "the form has no file part: send the rendition in a field named 'file'")
        name = _chosen_name(target.item, upload)
        if name == ORIGINAL:
            raise ApiError(409, "the original rendition exists; replace it with PUT")
        path = asset.path + (paths.check_new_name(name),)
        _check_creatable(path, RENDITION)
        blob, mime = store_file(upload)
    else:
        if target.star:
            raise ApiError(400, "name the rendition in the URL when sending a raw body")
        if target.item == ORIGINAL:
            raise ApiError(409, "the original rendition exists; replace it with PUT")
        path = asset.path + (paths.check_new_name(target.item),)
        _check_creatable(path, RENDITION)
        blob, mime = store_raw_body()
    node = get_repository().create(path, RENDITION, blob=blob, mime_type=mime)
    return reply(201, "Rendition created", asset.path + ("renditions", node.name), "created",
                 location=urls.rendition(asset.path, node.name))


def create_comment(target: Target) -> Response:
    repository = get_repository()
    asset = repository.get(target.path)
    if target.item != "*":
        raise ApiError(400, "comments are created with POST <asset>/comments/*")
    source = request.form if is_form() else _json_object()
    message = source.get("message")
    if not isinstance(message, str) or not message.strip():
        raise ApiError(400, "a comment needs a non-empty 'message'")
    properties: dict[str, Any] = {"message": message, "author": g.identity.name}
    annotation = source.get("annotationData")
    if annotation not in (None, ""):
        if isinstance(annotation, str):
            annotation = parse_json(annotation, "annotationData")
        properties["annotationData"] = annotation
    name = f"{int(time.time() * 1000):013d}-{secrets.token_hex(4)}"
    repository.create(asset.path + (name,), COMMENT, properties=properties)
    return reply(201, "Comment created", asset.path + ("comments", name), "created",
                 location=urls.comment(asset.path, name))


# -- PUT -----------------------------------------------------------------------------------

def put(target: Target) -> Response:
    repository = get_repository()
    if target.collection == "comments":
        raise ApiError(405, "comments cannot be changed; add a new one")
    if target.collection == "renditions":
        if target.item in (None, "*"):
            raise ApiError(400, "name the rendition to replace")
        holder = _rendition_holder(target)
        repository.check(holder.path, MODIFY_PROPERTIES)  # before reading the body
        blob, mime = _binary_from_request()
        repository.update(holder.path if target.item != ORIGINAL else target.path,
                          blob=blob, mime_type=mime)
        return reply(200, "Rendition updated", target.path + ("renditions", target.item),
                     "modified", location=urls.rendition(target.path, target.item))
    node = repository.get(target.path)
    if is_json():
        body = _siren_body()
        incoming = dict(body.properties)
        nested = incoming.pop("metadata", None)
        if isinstance(nested, dict):
            incoming.update(nested)
        repository.update(node.path, properties=stored_properties(incoming))
        return reply(200, "Properties updated", node.path, "modified")
    if node.kind != ASSET:
        raise ApiError(415, "a folder is updated with a JSON body "
                            "(Content-Type: application/json)")
    repository.check(node.path, MODIFY_PROPERTIES)  # before reading the body
    blob, mime = _binary_from_request()
    repository.update(node.path, blob=blob, mime_type=mime)
    return reply(200, "Asset updated", node.path, "modified")


def _binary_from_request():
    if is_form():
        upload = form_file("file")
        if upload is None:
            raise ApiError(400, "the form has no file part: send the binary in a field named 'file'")
        return store_file(upload)
    return store_raw_body()


# -- DELETE --------------------------------------------------------------------------------

def delete(target: Target) -> Response:
    repository = get_repository()
    if target.collection:
        if target.item in (None, "*"):
            raise ApiError(400, f"name the {target.collection[:-1]} to delete")
        if target.collection == "renditions" and target.item == ORIGINAL:
            asset = repository.get(target.path)
            if asset.blob is None:
                raise NotFound(f"{paths.to_text(target.path)} has no original rendition")
            repository.update(asset.path, clear_blob=True)
            return reply(200, "Rendition deleted", target.path + ("renditions", ORIGINAL),
                         "deleted", location=urls.rendition(target.path, ORIGINAL))
        holder = repository.get(target.path + (target.item,))
        wanted = RENDITION if target.collection == "renditions" else COMMENT
        if holder.kind != wanted:
            raise NotFound(f"{target.item} is not a {wanted} of {paths.to_text(target.path)}")
        repository.delete(holder.path)
        return reply(200, f"{wanted.title()} deleted",
                     target.path + (target.collection, target.item), "deleted",
                     location=urls.resource(target.path, target.collection, target.item))
    if not target.path:
        raise ApiError(403, "the root folder cannot be deleted")
    repository.delete(target.path)
    return reply(200, "Deleted", target.path, "deleted")


HANDLERS = {"GET": get, "POST": post, "PUT": put, "DELETE": delete}


# -- helpers -------------------------------------------------------------------------------

def _siren_body() -> Entity:
    try:
        return Entity.from_dict(json_body())
    except ValueError as error:
        raise ApiError(400, f"the body is not a Siren entity: {error}") from None


def _json_object() -> dict[str, Any]:
    if not is_json():
        raise ApiError(415, "send a form (multipart/form-data or "
                            "application/x-www-form-urlencoded) or JSON")
    body = json_body()
    if not isinstance(body, dict):
        raise ApiError(400, "the body must be a JSON object")
    return body


def _query_properties() -> dict[str, Any]:
    ignored = CONTROL_FIELDS | {"offset", "limit", "after"}
    return stored_properties({k: v for k, v in request.args.items() if k not in ignored})


def _chosen_name(item: str, upload) -> str:
    if item != "*":
        return item
    name = request.form.get("name") or (upload.filename if upload is not None else None)
    if not name:
        raise ApiError(400, "give a name: a 'name' field, or a file with a file name")
    return name


def _named_path(path, upload):
    if not path or path[-1] != "*":
        return path
    return path[:-1] + (paths.check_new_name(_chosen_name("*", upload)),)


def _check_creatable(path, kind: str) -> None:
    """Refuse a create before its bytes are read (the repository still decides a race)."""
    get_repository().check_creatable(path, kind)
