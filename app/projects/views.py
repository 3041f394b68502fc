"""Routes of the Projects API v2 (``projects-v2-assets.txt``; the vendor is MediaPocket),
mapped onto the tree under ``/projects``.

A **project** is a folder ``/projects/{project_id}`` (``/projects`` is made on demand).
An **asset** is an asset node directly inside its project's folder. Its API ``id`` is the
node id (20 characters of ``[A-Za-z0-9_-]``), and the node is *named* by that id too,
never renamed (also not when media arrives), so its AEM URL
``/api/assets/projects/{project_id}/{id}.json`` stays stable; the media is the node's
binary (AEM shows it as the ``original`` rendition). Assets put into a project folder
through another API are shown too, with what their properties allow.

=====================  =========================================================
asset field            where it lives on the node
=====================  =========================================================
``id``                 the node id
``project_id``         the name of the folder holding the asset
``title``              ``jcr:title`` (AEM shows it as ``dc:title``)
``description``        ``jcr:description`` (AEM: ``dc:description``)
``category``           ``projects:category`` (stored lower-cased)
``tags``               ``projects:tags``
``external_id``        ``projects:external_id``
``owner``              ``projects:owner``: the e-mail of the API key's user (its name
                       when the user has no e-mail)
``media_type``         ``projects:media_type`` (see :mod:`app.projects.importer`)
``original_filename``  ``projects:original_filename``
``media_error``        ``projects:media_error``; the field appears only when set
``md5_sum``            the md5 of the node's binary (null without one)
``created_date``,      the node's created / modified times, ISO 8601 UTC with
``modification_date``  milliseconds and ``Z``
``parent_id``,         always null; ``ai_tags`` always ``[]``; ``status`` always
``drop_folder_id``,    ``"open"``
``deleted``
=====================  =========================================================

Decisions where the vendor's page is silent:

- Auth: every request (the OpenAPI document excepted) needs ``X-API-KEY``: a token made
  with ``flask --app app tokens create --user NAME`` (the same tokens as Bearer). Missing
  or unknown → 401 ``{"error": "Unauthorized"}``. Every key may use every project (one
  organisation per server).
- Order of checks on create: key (401) → project (404 ``project not found``) → parameters
  (422, see :mod:`app.projects.params`) → model (400, every message joined by ``", "``)
  → the asset is created → the media (400 ``Asset <id> created, adding media to asset
  failed: <why>`` for a ``file_url`` that is not an absolute http(s) URL, or an ``s3``
  import the server is not set up for; the asset stays, with ``media_error`` set).
- The media import is a job in the database, stored in the transaction that creates the
  asset (see :mod:`app.projects.jobs`): a restart does not lose it, and any server
  process runs it.
- ``url`` and ``s3`` together → 422 ``Give the media either as url or as s3, not both``.
  With media, ``media_type: "article"`` is ignored: the media decides the type.
- ``external_id`` is unique within its project (400 ``External id has already been
  taken``). The database decides (a unique index over the project's children, see
  ``repository.models.SIBLING_UNIQUE_PROPERTY``): it holds for concurrent requests in any
  number of server processes, and for writes through the AEM API too. An empty
  ``external_id`` is not unique.
- A blank title is 400 ``Title can't be blank``; title, category, external id, each tag and
  the file name are limited to 255 characters, the description to 65535 (400 ``... is
  too long (maximum is N characters)``).
- Bodies are JSON (at most 1 MiB); Rails-style form bodies (``tags[]=a``,
  ``url[file_url]=...``) are accepted too. A JSON body that is not an object counts as no
  parameters.
- ``POST /api/v2/projects`` (``{"title", "description"?, "id"?}``) answers 200
  ``{"project": {...}}`` like asset creation; a taken id → 400 ``Id has already been
  taken``. ``GET /api/v2/projects/{id}`` → ``{"project": ...}``.
- ``PUT /api/v2/assets/{id}`` changes only the parameters given (title, description,
  category, tags, external_id) with the same checks; 200 ``{"asset": ...}``. An unknown
  asset id → 404 ``{"error": "asset not found"}``.
- Other errors keep the shape: unknown paths under ``/api/v2`` → 404 ``{"error": "Not
  Found"}`` (without a key check: routing fails before the API is chosen), a method a
  path does not have → 405 with ``Allow``, an unexpected failure →
  500 ``{"error": "Internal Server Error"}``; media given while the server is shutting
  down → 503 ``Asset <id> created, adding media to asset failed: ...``.
"""
from __future__ import annotations

import json
import secrets
from datetime import datetime, timezone
from typing import Any

from flask import current_app, g, request
from flask_smorest import Blueprint
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from repository import (
    ASSET,
    FOLDER,
    AccessDenied,
    AlreadyExists,
    Node,
    NotFound,
    ParentMissing,
    PropertyTaken,
    Repository,
    RepositoryError,
)
from repository.access import ADD_CHILD_NODES
from repository.blobs import BlobTooLarge
from repository.models import SIBLING_UNIQUE_PROPERTY

from .. import get_repository, system_repository
from ..auth import PROJECTS, act_as, api_key_identity
from ..bodies import IncompleteBody, MalformedBody
from ..errors import ApiError, status_for
from ..uploads import is_form, json_body
from . import params as P
from .fetch import is_http_url
from .importer import (
    MEDIA_ERROR,
    MEDIA_TYPE,
    ORIGINAL_FILENAME,
    S3,
    URL,
    settings_from_config,
)
from .jobs import IMPORT, payload
from .s3 import unavailable as s3_unavailable
from .schemas import (
    AssetCreateSchema,
    AssetEnvelopeSchema,
    AssetUpdateSchema,
    ErrorSchema,
    ProjectCreateSchema,
    ProjectEnvelopeSchema,
)

PROJECTS_FOLDER = ("projects",)
URL_PREFIX = "/api/v2"

TITLE = "jcr:title"
DESCRIPTION = "jcr:description"
CATEGORY = "projects:category"
TAGS = "projects:tags"
#: Unique within the project: the repository enforces it (SIBLING_UNIQUE_PROPERTY).
EXTERNAL_ID = SIBLING_UNIQUE_PROPERTY
OWNER = "projects:owner"

#: Asset ids: 20 characters of [A-Za-z0-9_-] (15 random bytes).
ID_BYTES = 15
CREATE_ATTEMPTS = 3

UNAUTHORIZED = "Unauthorized"
PROJECT_NOT_FOUND = "project not found"
ASSET_NOT_FOUND = "asset not found"
BOTH_MEDIA = "Give the media either as url or as s3, not both"
NOT_HTTP = "not a valid HTTP URL"
NOT_TAKING_IMPORTS = "the server is not taking imports now; try again"
EXTERNAL_ID_TAKEN = "External id has already been taken"
NOT_ALLOWED = ("This key's user may not create projects (an administrator grants "
               "jcr:addChildNodes on /projects)")

API_KEY_SECURITY = [{"apiKey": []}]


class ProjectsError(ApiError):
    """An error answered in this API's own body shape (ApiError's other users differ)."""


def error_response(status: int, message: str, headers: dict[str, str] | None = None):
    return json_response({"error": message}, status, headers)


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None):
    """JSON in the order the fields were built (the page's order), not sorted."""
    response = current_app.response_class(
        json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json")
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


# -- plumbing ------------------------------------------------------------------------------

def require_api_key():
    """Every request carries a key, and acts for its user (:mod:`app.auth`)."""
    identity = api_key_identity(request.headers.get("X-API-KEY", "").strip())
    if identity is None:
        return error_response(401, UNAUTHORIZED)
    if act_as(identity, PROJECTS) is None:
        return error_response(403, "This key's scopes do not include the Projects API "
                                   "(projects.read or projects.manage)")
    g.projects_identity = identity
    return None


def _projects_error(error: ProjectsError):
    return error_response(error.status, error.message, error.headers)


def _param_error(error: P.ParamError):
    return error_response(422, error.message)


def _repository_error(error: Exception):
    return error_response(status_for(error), str(error))


def _http_error(error: HTTPException):
    status = error.code or 500
    headers = {}
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    if status == 413:
        limit = current_app.config["MAX_CONTENT_LENGTH"]
        return error_response(413, f"the request body is larger than the limit of {limit} bytes")
    if isinstance(error, (IncompleteBody, MalformedBody)):  # say what went wrong
        return error_response(status, error.description, headers)
    return error_response(status, error.name, headers)


def _unexpected(error: Exception):
    current_app.logger.exception("Projects API: unexpected error", exc_info=error)
    return error_response(500, "Internal Server Error")


def request_params() -> dict[str, Any]:
    """The request's parameters: a JSON object, or Rails-style form fields."""
    if is_form():
        return P.from_form(request.form.items(multi=True))
    body = json_body()
    return body if isinstance(body, dict) else {}


def owner() -> str | None:
    identity = g.projects_identity
    return identity.email or identity.name


def iso(moment: datetime) -> str:
    moment = moment.astimezone(timezone.utc) if moment.tzinfo else moment
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def new_id() -> str:
    return secrets.token_urlsafe(ID_BYTES)


def model_check(params: dict[str, Any], *, title_required: bool) -> None:
    errors = P.model_errors(params, title_required=title_required)
    if errors:
        raise ProjectsError(400, ", ".join(errors))


# -- projects ------------------------------------------------------------------------------

def find_project(project_id: str) -> Node:
    try:
        node = get_repository().get(PROJECTS_FOLDER + (project_id,))
    except (NotFound, RepositoryError):  # also a name the tree cannot hold
        raise ProjectsError(404, PROJECT_NOT_FOUND) from None
    if node.kind != FOLDER:
        raise ProjectsError(404, PROJECT_NOT_FOUND)
    return node


def ensure_projects_folder(repository: Repository) -> None:
    """Create ``/projects`` unless it exists; another request creating it too is fine."""
    try:
        repository.ensure_folder(PROJECTS_FOLDER, properties={TITLE: "Projects"})
    except AlreadyExists:
        raise ProjectsError(409, "/projects in the repository is not a folder; the Projects "
                                 "API keeps its projects there") from None


def project_fields(node: Node) -> dict[str, Any]:
    props = node.properties
    return {
        "id": node.name,
        "title": _text(props.get(TITLE)) or node.name,
        "description": _text(props.get(DESCRIPTION)),
        "owner": _text(props.get(OWNER)),
        "created_date": iso(node.created),
        "modification_date": iso(node.modified),
    }


def create_project():
    """Create a project

    A project is a folder `/projects/{id}` in the repository. Give an `id` of your own
    (1 to 64 characters of A-Z a-z 0-9 _ -) or let the server make one up.
    """
    params = P.validate(request_params(), P.PROJECT_CREATE)
    model_check(params, title_required=True)
    repository = get_repository()
    properties = {TITLE: params["title"], OWNER: owner()}
    if "description" in params:
        properties[DESCRIPTION] = params["description"]
    chosen = params.get("id")
    ensure_projects_folder(system_repository())
    try:
        repository.check(PROJECTS_FOLDER, ADD_CHILD_NODES)
    except (NotFound, AccessDenied):
        raise ProjectsError(403, NOT_ALLOWED) from None
    for attempt in range(1, CREATE_ATTEMPTS + 1):
        project_id = chosen or new_id()
        ensure_projects_folder(system_repository())
        try:
            node = repository.create(PROJECTS_FOLDER + (project_id,), FOLDER,
                                     properties=_without_none(properties), grant_creator=True)
        except AlreadyExists:
            if chosen:
                raise ProjectsError(400, "Id has already been taken") from None
            if attempt == CREATE_ATTEMPTS:
                raise
            continue
        except ParentMissing:  # /projects was deleted meanwhile: make it again
            if attempt == CREATE_ATTEMPTS:
                raise
            continue
        return json_response({"project": project_fields(node)})
    raise AssertionError("unreachable")


def get_project(project_id: str):
    """Get a project"""
    return json_response({"project": project_fields(find_project(project_id))})


# -- assets --------------------------------------------------------------------------------

def media_type_of(node: Node) -> str:
    stored = node.properties.get(MEDIA_TYPE)
    if node.blob is not None:
        if stored in ("image", "video", "document"):
            return stored
        mime = node.mime_type or ""
        if mime.startswith("image/"):
            return "image"
        if mime.startswith("video/"):
            return "video"
        return "document"
    return stored if stored in ("placeholder", "processing", "article") else "placeholder"


def asset_fields(node: Node) -> dict[str, Any]:
    props = node.properties
    tags = props.get(TAGS)
    fields: dict[str, Any] = {
        "id": node.id,
        "external_id": _text(props.get(EXTERNAL_ID)),
        "parent_id": None,
        "project_id": node.path[-2] if len(node.path) >= 2 else None,
        "owner": _text(props.get(OWNER)),
        "title": _text(props.get(TITLE)) or node.name,
        "description": _text(props.get(DESCRIPTION)),
        "category": _text(props.get(CATEGORY)),
        "tags": [tag for tag in tags if isinstance(tag, str)] if isinstance(tags, list) else [],
        "ai_tags": [],
        "status": "open",
        "media_type": media_type_of(node),
        "original_filename": _text(props.get(ORIGINAL_FILENAME)),
        "drop_folder_id": None,
        "md5_sum": get_repository().md5_of(node.blob) if node.blob is not None else None,
        "created_date": iso(node.created),
        "modification_date": iso(node.modified),
        "deleted": None,
    }
    error = _text(props.get(MEDIA_ERROR))
    if error:
        fields["media_error"] = error
    return fields


def asset_answer(node: Node, status: int = 200):
    return json_response({"asset": asset_fields(node)}, status)


def find_asset(asset_id: str) -> Node:
    try:
        node = get_repository().get_by_id(asset_id)
    except NotFound:
        raise ProjectsError(404, ASSET_NOT_FOUND) from None
    if not (node.kind == ASSET and len(node.path) == len(PROJECTS_FOLDER) + 2
            and node.path[: len(PROJECTS_FOLDER)] == PROJECTS_FOLDER):
        raise ProjectsError(404, ASSET_NOT_FOUND)
    return node


def _descriptive_properties(params: dict[str, Any]) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    if "title" in params:
        properties[TITLE] = params["title"]
    if "description" in params:
        properties[DESCRIPTION] = params["description"]
    if "category" in params:
        properties[CATEGORY] = params["category"].lower()
    if "tags" in params:
        properties[TAGS] = list(params["tags"])
    if "external_id" in params:
        properties[EXTERNAL_ID] = params["external_id"]
    return properties


def create_asset(project_id: str):
    """Create an asset

    Without media the asset is a `placeholder` (or an `article` with
    `"media_type": "article"`). With `url` (`file_url`, `filename`) or `s3` (`s3_key`,
    `filename`) the server imports the file in the background: the answer says
    `processing`, and `GET /api/v2/assets/{id}` later shows `image`, `video` or
    `document` with `md5_sum`, or `placeholder` with `media_error` when the import failed.
    """
    project = find_project(project_id)
    params = P.validate(request_params(), P.ASSET_CREATE)
    if "url" in params and "s3" in params:
        raise P.ParamError(BOTH_MEDIA)
    model_check(params, title_required=True)
    media = "url" if "url" in params else "s3" if "s3" in params else None
    properties = _descriptive_properties(params)
    properties.setdefault(TAGS, [])
    properties[OWNER] = owner()

    failure, status = None, 400
    if media == "url" and not is_http_url(params["url"]["file_url"]):
        failure = NOT_HTTP
    elif media == "s3":
        failure = s3_unavailable(settings_from_config(current_app.config).s3)
    if media is not None and failure is None \
            and not current_app.extensions["projects_importer"].accepting:
        # Shutting down. A job stored now would run at the next start, but the client
        # would wait for it without knowing; it may rather try again (another process).
        failure, status = NOT_TAKING_IMPORTS, 503
    jobs = None
    if media is None:
        is_article = params.get("media_type") == "article"
        properties[MEDIA_TYPE] = "article" if is_article else "placeholder"
    elif failure is not None:
        properties[MEDIA_TYPE] = "placeholder"
        properties[MEDIA_ERROR] = failure
    else:
        properties[MEDIA_TYPE] = "processing"
        properties[ORIGINAL_FILENAME] = params[media]["filename"]
        location = params[media]["file_url"] if media == "url" else params[media]["s3_key"]
        jobs = {IMPORT: payload(URL if media == "url" else S3, location,
                                params[media]["filename"])}

    node = create_asset_node(project.path, properties, jobs)
    if failure is not None:
        raise ProjectsError(status, f"Asset {node.id} created, adding media to asset failed: "
                                    f"{failure}")
    return asset_answer(node)


def create_asset_node(project_path: tuple[str, ...], properties: dict[str, Any],
                      jobs: dict[str, dict[str, Any] | None] | None = None) -> Node:
    """Create the asset node, and its jobs (the media import) in the same transaction:
    an asset that says "processing" always has a job that will end it."""
    repository = get_repository()
    for attempt in range(1, CREATE_ATTEMPTS + 1):
        asset_id = new_id()
        try:
            return repository.create(project_path + (asset_id,), ASSET,
                                     properties=_without_none(properties), node_id=asset_id,
                                     jobs=jobs)
        except ParentMissing:  # the project was deleted meanwhile
            raise ProjectsError(404, PROJECT_NOT_FOUND) from None
        except PropertyTaken:
            raise ProjectsError(400, EXTERNAL_ID_TAKEN) from None
        except AlreadyExists:  # 120 random bits collided: pick another id
            if attempt == CREATE_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def get_asset(asset_id: str):
    """Get an asset

    Poll this after creating an asset with media: `media_type` changes from `processing`
    to `image`, `video` or `document` (or back to `placeholder`, with `media_error`).
    """
    return asset_answer(find_asset(asset_id))


def update_asset(asset_id: str):
    """Update an asset

    Changes only the parameters given: title, description, category, tags (replaced as
    a whole), external_id.
    """
    node = find_asset(asset_id)
    params = P.validate(request_params(), P.ASSET_UPDATE)
    model_check(params, title_required=False)
    properties = _descriptive_properties(params)
    repository = get_repository()
    if properties:
        try:
            try:
                node = repository.update(node.path, properties=properties)
            except NotFound:  # moved or deleted meanwhile
                node = find_asset(asset_id)
                node = repository.update(node.path, properties=properties)
        except PropertyTaken:
            raise ProjectsError(400, EXTERNAL_ID_TAKEN) from None
    return asset_answer(node)


# -- routing errors under /api/v2 ----------------------------------------------------------

def owns_path(path: str) -> bool:
    """Whether a path is this API's (for 404/405 raised before a blueprint is chosen)."""
    return path == URL_PREFIX or path.startswith(URL_PREFIX + "/")


def routing_error(error: HTTPException):
    """404 and 405 on paths under /api/v2, in this API's error shape (see init_app)."""
    return _http_error(error)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _without_none(properties: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in properties.items() if value is not None}


# -- the blueprint -------------------------------------------------------------------------

def make_blueprint(name: str = "projects") -> Blueprint:
    """A fresh blueprint with its own view functions (closures), one per application, so
    flask-smorest documents each application's routes on their own."""
    blp = Blueprint(name, __name__, url_prefix=URL_PREFIX,
                    description="Projects API v2: project-scoped assets with media from a URL "
                                "or S3. Every request needs the X-API-KEY header.")
    blp.before_request(require_api_key)
    blp.register_error_handler(ProjectsError, _projects_error)
    blp.register_error_handler(P.ParamError, _param_error)
    for kind in (ApiError, RepositoryError, BlobTooLarge):
        blp.register_error_handler(kind, _repository_error)
    blp.register_error_handler(HTTPException, _http_error)
    blp.register_error_handler(Exception, _unexpected)

    @blp.route("/projects", methods=["POST"])
    @blp.doc(operationId="createProject", security=API_KEY_SECURITY, requestBody={
        "required": True, "content": {"application/json": {"schema": ProjectCreateSchema}}})
    @blp.response(200, ProjectEnvelopeSchema, description="The project was created")
    @blp.alt_response(400, schema=ErrorSchema, description="Id has already been taken; Title "
                      "can't be blank; Title is too long (maximum is 255 characters)")
    @blp.alt_response(401, schema=ErrorSchema, description="Unauthorized")
    @blp.alt_response(422, schema=ErrorSchema, description="Missing parameter title; Invalid "
                      "parameter '<name>' value <value>: <rule>")
    def create_project_view():
        """Create a project

        A project is a folder `/projects/{id}` in the repository. Give an `id` of your own
        (1 to 64 characters of A-Z a-z 0-9 _ -) or let the server make one up. The answer
        is `{"project": {...}}`.
        """
        return create_project()

    @blp.route("/projects/<project_id>", methods=["GET"])
    @blp.doc(operationId="getProject", security=API_KEY_SECURITY)
    @blp.response(200, ProjectEnvelopeSchema, description="The project")
    @blp.alt_response(401, schema=ErrorSchema, description="Unauthorized")
    @blp.alt_response(404, schema=ErrorSchema, description="project not found")
    def get_project_view(project_id: str):
        """Get a project"""
        return get_project(project_id)

    @blp.route("/projects/<project_id>/assets", methods=["POST"])
    @blp.doc(operationId="createAsset", security=API_KEY_SECURITY, requestBody={
        "required": True, "content": {"application/json": {"schema": AssetCreateSchema}}})
    @blp.response(200, AssetEnvelopeSchema, description="The asset was created (with `url` "
                  "or `s3`, its media_type is `processing` until the import has run)")
    @blp.alt_response(400, schema=ErrorSchema, description="Title is too long (maximum is 255 "
                      "characters); External id has already been taken; Asset <id> created, "
                      "adding media to asset failed: not a valid HTTP URL")
    @blp.alt_response(401, schema=ErrorSchema, description="Unauthorized")
    @blp.alt_response(404, schema=ErrorSchema, description="project not found")
    @blp.alt_response(422, schema=ErrorSchema, description="Missing parameter title; Invalid "
                      "parameter '<name>' value <value>: <rule>")
    def create_asset_view(project_id: str):
        """Create an asset

        Without media the asset is a `placeholder` (or an `article` with
        `"media_type": "article"`). With `url` (`file_url`, `filename`) or `s3` (`s3_key`,
        `filename`) the server imports the file in the background: the answer says
        `processing`, and `GET /api/v2/assets/{id}` later shows `image`, `video` or
        `document` with `md5_sum`, or `placeholder` with `media_error` when the import
        failed. Only http and https URLs to public addresses are fetched.
        """
        return create_asset(project_id)

    @blp.route("/assets/<asset_id>", methods=["GET"])
    @blp.doc(operationId="getAsset", security=API_KEY_SECURITY)
    @blp.response(200, AssetEnvelopeSchema, description="The asset")
    @blp.alt_response(401, schema=ErrorSchema, description="Unauthorized")
    @blp.alt_response(404, schema=ErrorSchema, description="asset not found")
    def get_asset_view(asset_id: str):
        """Get an asset

        Poll this after creating an asset with media: `media_type` changes from
        `processing` to `image`, `video` or `document` (or back to `placeholder`, with
        `media_error`).
        """
        return get_asset(asset_id)

    @blp.route("/assets/<asset_id>", methods=["PUT"])
    @blp.doc(operationId="updateAsset", security=API_KEY_SECURITY, requestBody={
        "required": True, "content": {"application/json": {"schema": AssetUpdateSchema}}})
    @blp.response(200, AssetEnvelopeSchema, description="The asset, updated")
    @blp.alt_response(400, schema=ErrorSchema, description="Title can't be blank; Title is too "
                      "long (maximum is 255 characters); External id has already been taken")
    @blp.alt_response(401, schema=ErrorSchema, description="Unauthorized")
    @blp.alt_response(404, schema=ErrorSchema, description="asset not found")
    @blp.alt_response(422, schema=ErrorSchema, description="Invalid parameter '<name>' value "
                      "<value>: <rule>")
    def update_asset_view(asset_id: str):
        """Update an asset

        Changes only the parameters given: title, description, category, tags (replaced
        as a whole), external_id.
        """
        return update_asset(asset_id)
    return blp
