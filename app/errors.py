"""The one place that says which HTTP status each repository error means.

Each API renders the status and message in its own error format (AEM: a Siren
``core/response``); the mapping itself lives only here.
"""
from __future__ import annotations

from typing import Callable

from flask import Flask, request
from werkzeug.exceptions import HTTPException

from repository.blobs import BlobTooLarge
from repository.errors import (
    AlreadyExists,
    Busy,
    Forbidden,
    InvalidOperation,
    InvalidPath,
    InvalidValue,
    NotFound,
    ParentMissing,
    PreconditionFailed,
)

REPOSITORY_STATUS: dict[type[Exception], int] = {
    InvalidPath: 400,
    InvalidOperation: 400,
    InvalidValue: 400,
    Forbidden: 403,
    NotFound: 404,
    AlreadyExists: 409,
    # A create or COPY/MOVE whose parent is missing: a client mistake, never a 5xx.
    ParentMissing: 412,
    PreconditionFailed: 412,
    BlobTooLarge: 413,
    # The database broke a deadlock each time the change was tried: nothing changed.
    Busy: 503,
}


class ApiError(Exception):
    """Bad input found by a view: an HTTP status and a message saying what to fix."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def status_for(error: Exception) -> int:
    if isinstance(error, ApiError):
        return error.status
    for kind, status in REPOSITORY_STATUS.items():
        if isinstance(error, kind):
            return status
    return 500


def add_routing_error_renderer(
    app: Flask, owns: Callable[[str], bool], render: Callable[[HTTPException], object]
) -> None:
    """Let an API answer routing errors (404, 405) on its own paths in its own format.

    Routing fails before any blueprint is chosen, so blueprint error handlers never see
    these; one app-wide handler asks each API whether the path is its own.
    """
    renderers = app.extensions.setdefault("routing_error_renderers", [])
    if not renderers:
        app.register_error_handler(404, _render_routing_error)
        app.register_error_handler(405, _render_routing_error)
    renderers.append((owns, render))


def _render_routing_error(error: HTTPException):
    from flask import current_app

    for owns, render in current_app.extensions["routing_error_renderers"]:
        if owns(request.path):
            return render(error)
    return error
