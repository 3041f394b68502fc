"""COPY and MOVE: parse the headers, check the rules, let the repository act atomically,
answer. One code path for both verbs; the differences are data.

The rules (see NOTES.md): ``X-Destination`` absent → 412, outside ``/api/assets`` or on
another host → 403; ``X-Depth`` is ``infinity`` (default) or ``0``, else 400 (MOVE always
acts as infinity); ``X-Overwrite`` is ``T`` (default) or ``F``. The repository decides the
rest: 404 source missing, 412 destination parent missing or overwrite refused, 403 onto
itself or into its own subtree; 201 new destination, 204 replaced.

WebDAV tools send the standard ``Destination``, ``Overwrite`` and ``Depth`` headers
(RFC 4918); each is read where its ``X-`` form is absent, the ``X-`` form winning when a
request sends both.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Response, request

from repository import paths
from repository.paths import RepoPath

from .. import get_repository
from ..errors import ApiError
from . import urls


@dataclass(frozen=True)
class TransferRequest:
    destination: RepoPath
    recursive: bool
    overwrite: bool


def _header(name: str) -> str | None:
    """The ``X-`` form of a header, else its standard form (``Destination``...)."""
    value = request.headers.get(f"X-{name}")
    return value if value is not None else request.headers.get(name)


def parse_headers(method: str) -> TransferRequest:
    raw = _header("Destination")
    if raw is None or raw.strip() == "":
        raise ApiError(412, f"{method} needs an X-Destination (or Destination) header")
    parts = urlsplit(raw.strip())
    if parts.scheme or parts.netloc:
        if parts.scheme not in ("http", "https") or parts.netloc.lower() != request.host.lower():
            raise ApiError(403, "X-Destination must be on this server")
    if parts.query or parts.fragment:
        raise ApiError(400, "X-Destination must be a path without query or fragment")
    path = parts.path
    if path != urls.API_ROOT and not path.startswith(urls.API_ROOT + "/"):
        raise ApiError(403, f"X-Destination must lie inside {urls.API_ROOT}")
    destination = paths.parse(path[len(urls.API_ROOT):], percent_decode=True)

    depth = _header("Depth")
    depth = "infinity" if depth is None else depth.strip().lower()
    if depth not in ("infinity", "0"):
        raise ApiError(400, "X-Depth (or Depth) must be 'infinity' or '0'")
    overwrite = _header("Overwrite")
    overwrite = "T" if overwrite is None else overwrite.strip().upper()
    if overwrite not in ("T", "F"):
        raise ApiError(400, "X-Overwrite (or Overwrite) must be 'T' or 'F'")
    return TransferRequest(destination=destination,
                           recursive=(method == "MOVE" or depth == "infinity"),
                           overwrite=overwrite == "T")


def transfer(method: str, source: RepoPath) -> Response:
    from .views import reply

    wanted = parse_headers(method)
    repository = get_repository()
    if method == "MOVE":
        created = repository.move(source, wanted.destination, overwrite=wanted.overwrite)
    else:
        created = repository.copy(source, wanted.destination, recursive=wanted.recursive,
                                  overwrite=wanted.overwrite)
    if not created:
        return Response(status=204)
    verb = "Moved" if method == "MOVE" else "Copied"
    return reply(201, f"{verb} to {paths.to_text(wanted.destination)}", wanted.destination,
                 "moved" if method == "MOVE" else "copied")
