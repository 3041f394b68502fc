"""AEM's toolbox over the tree: the endpoints AEM's own tools call besides the Assets HTTP
API. Sling's access manager on ``/content/dam/...`` (:mod:`.sling`) and Granite's users and
groups on ``/libs/granite/security/...`` and ``/home/...`` (:mod:`.granite`) register their
routes on this blueprint.

Authentication is the Assets API's (:mod:`.login`, scopes ``assets.*``). Every answer here
is Sling's: a POST answers with Sling's POST response (:mod:`.slingpost`), and so does every
refusal or error, as HTML or JSON as the request asks. The rules (who may read or change
entries, who may manage users) are the repository's; these modules only translate.

Parameters come from the form body or the query string, as Sling reads them.

URLs are split as Sling splits them (:func:`split_address`): the longest path that names an
existing resource is the resource, and what follows its name is ``.selectors.extension``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flask import Blueprint, Response, g, request
from werkzeug.exceptions import HTTPException

from repository import paths
from repository.blobs import BlobTooLarge
from repository.errors import InvalidPath, RepositoryError
from repository.paths import RepoPath

from ..auth import CHALLENGE
from ..errors import ApiError, add_routing_error_renderer, status_for
from .login import log_in
from .slingpost import HTML, JSON, PostResponse

bp = Blueprint("aem_toolbox", __name__)

class SlingError(ApiError):
    """A refusal with the JCR exception class Sling's ``error.class`` would name."""

    def __init__(self, status: int, message: str, error_class: str | None = None) -> None:
        super().__init__(status, message)
        self.error_class = error_class


@dataclass(frozen=True)
class Address:
    """A request URL split as Sling splits it: the resource, then its selectors and
    extension (``/a/photo.jpg.tidy.acl.json`` → ``("a", "photo.jpg")``, ``("tidy", "acl")``,
    ``"json"``)."""

    path: RepoPath
    selectors: tuple[str, ...] = ()
    extension: str | None = None

    @property
    def suffix(self) -> str:
        return "".join("." + part for part in (*self.selectors, self.extension) if part)


def split_address(rest: str, exists: Callable[[RepoPath], bool],
                  known: Callable[[Address], bool]) -> Address:
    """Split the URL below a mount (``""``, ``".acl.json"``, ``"/a/b.acl.json"``).

    As Sling resolves a resource: the last segment is cut at each dot from the right, and
    the first (longest) name that ``exists`` is the resource. When none exists, the cut that
    makes an operation this server ``known``s is taken (so the 404 names the right path),
    else the cut at the first dot.
    """
    if rest == "" or rest.startswith("."):  # the mount itself, e.g. /content/dam.acl.json
        selectors, extension = _selectors(rest[1:]) if rest else ((), None)
        return Address((), selectors, extension)
    if not rest.startswith("/"):
        raise SlingError(404, f"nothing is served at {request.path}")
    head, _, last = rest[1:].rpartition("/")
    parent = paths.parse(head) if head else ()
    candidates: list[Address] = []
    refused: InvalidPath | None = None
    cuts = [len(last)] + [i for i in range(len(last) - 1, 0, -1) if last[i] == "."]
    for cut in cuts:
        try:
            name = paths.check_name(last[:cut])
        except InvalidPath as error:
            refused = refused or error
            continue
        selectors, extension = _selectors(last[cut + 1:])
        candidates.append(Address(parent + (name,), selectors, extension))
    if not candidates:
        raise refused or InvalidPath(f"no resource can be named by {request.path}")
    for candidate in candidates:
        if exists(candidate.path):
            return candidate
    return next((c for c in candidates if known(c)), candidates[-1])


def _selectors(tail: str) -> tuple[tuple[str, ...], str | None]:
    if not tail:
        return (), None
    *selectors, extension = tail.split(".")
    return tuple(selectors), extension


def sling_path(mount: str, path: RepoPath) -> str:
    """The Sling path of a repository path under ``mount`` (``/content/dam`` + ``/a/b``)."""
    return mount + (paths.to_text(path) if path else "")


def answer_type() -> str:
    """The shape an answer takes by default: JSON for ``.json`` URLs, else HTML."""
    return JSON if request.path.endswith(".json") else HTML


def fail(status: int, message: str, error_class: str | None = None) -> Response:
    response = PostResponse.failure(g.get("sling_path") or request.path, status, message,
                                    error_class).send(answer_type())
    if status == 401:
        response.headers["WWW-Authenticate"] = CHALLENGE
    return response


@bp.before_request
def require_login() -> Response | None:
    refused = log_in()
    return fail(*refused) if refused is not None else None


@bp.errorhandler(RepositoryError)
@bp.errorhandler(ApiError)
@bp.errorhandler(BlobTooLarge)
def repository_error(error: Exception) -> Response:
    response = fail(status_for(error), str(error), getattr(error, "error_class", None))
    response.headers.update(getattr(error, "headers", None) or {})  # e.g. 429's Retry-After
    return response


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException) -> Response:
    response = fail(error.code or 500, error.description or error.name)
    if error.code == 405 and getattr(error, "valid_methods", None):
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


@bp.record_once
def _answer_routing_errors_in_slings_shape(state) -> None:
    add_routing_error_renderer(
        state.app,
        lambda path: path.startswith(("/content/dam/", "/content/dam.", "/libs/granite/security/",
                                      "/home/", "/home."))
        or path in ("/content/dam", "/home"),
        http_error,
    )


from . import granite, sling  # noqa: E402,F401  (register the routes)
