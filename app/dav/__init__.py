"""WebDAV (RFC 4918, classes 1 and 2) at ``/dav/``: the tree, as the AEM Assets API shows
it, to WebDAV clients (Windows Explorer, macOS Finder, cadaver, rclone, litmus).

WsgiDAV (:mod:`wsgidav`) speaks the protocol; :mod:`.provider` and :mod:`.resources`
translate it to Repository calls acting for the caller, :mod:`.locks` keeps the locks in
the database, :mod:`.propfind` streams a folder's listing. This module mounts it inside
the Flask application, so one server process serves every API: a Flask route takes every
request under ``/dav`` (so the app-wide checks, CSRF among them, run first), authenticates
it as the AEM API does (HTTP Basic or Bearer; scopes ``assets.read`` and ``assets.write``)
and hands it to WsgiDAV, whose answer streams back through Flask.

Settings: ``DAV_MACOS_METADATA`` (``ignore``: Finder's ``._*`` and ``.DS_Store`` files are
accepted and not stored; ``store``: stored like any file) and ``DAV_PROPFIND_INFINITY``
(allow ``PROPFIND`` with ``Depth: infinity``; off by default, RFC 4918's
``propfind-finite-depth`` answer).
"""
from __future__ import annotations

import logging

from flask import Blueprint, Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException
from werkzeug.test import run_wsgi_app
from werkzeug.wsgi import LimitedStream
from wsgidav.error_printer import ErrorPrinter
from wsgidav.request_resolver import RequestResolver
from wsgidav.wsgidav_app import WsgiDAVApp

from .. import get_repository
from ..auth import ASSETS, CHALLENGE, act_as, identify
from .locks import DatabaseLockStorage, request_scope
from .provider import RepositoryProvider
from .resources import REPOSITORY

MOUNT = "/dav"
METHODS = ["OPTIONS", "GET", "HEAD", "POST", "PUT", "DELETE", "PROPFIND", "PROPPATCH",
           "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK"]
#: Largest body of a request other than PUT (XML: PROPFIND, PROPPATCH, LOCK).
MAX_XML_BYTES = 1024 * 1024
EXTENSION = "dav.app"
#: Headers of WsgiDAV's answers left to the WSGI server: hop-by-hop ones, which an
#: application must not send, and Date, which the server sends itself.
SERVER_HEADERS = frozenset({"connection", "keep-alive", "transfer-encoding", "date"})

bp = Blueprint("dav", __name__)


def _plain(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return Response(message + "\n", status=status, mimetype="text/plain", headers=headers)


@bp.route(MOUNT, defaults={"subpath": ""}, methods=METHODS, strict_slashes=False,
          provide_automatic_options=False)
@bp.route(f"{MOUNT}/<path:subpath>", methods=METHODS, provide_automatic_options=False)
def serve(subpath: str) -> Response:
    identity = identify()
    if identity is None:
        return _plain(401, "authentication required: send HTTP Basic credentials or a "
                           "Bearer token", {"WWW-Authenticate": CHALLENGE})
    if identity.tenant is not None:
        return _plain(403, f"this token is bound to the tenant {identity.tenant} and cannot "
                           "use WebDAV; use a token made without --tenant")
    if act_as(identity, ASSETS) is None:
        return _plain(403, "this token's scopes do not include the Assets API "
                           "(assets.read or assets.write), which WebDAV belongs to")
    raw_uri = request.environ.get("REQUEST_URI") or request.environ.get("RAW_URI") or ""
    if "#" in raw_uri:  # the server dropped the fragment; acting on the rest is unsafe
        return _plain(400, "a request URI must not contain a fragment ('#'); "
                           "percent-encode '#' in names as %23")
    if request.method != "PUT" and (request.content_length or 0) > MAX_XML_BYTES:
        return _plain(413, f"a {request.method} body must be at most {MAX_XML_BYTES} bytes")
    environ = dict(request.environ)
    try:
        # Bounded by Content-Length (or the server's end of a chunked body), and by
        # MAX_CONTENT_LENGTH: WsgiDAV reads to the end of what it is given, and the
        # development server hands over the raw socket.
        stream = request.stream
        if request.content_length is not None:
            # Stop at the declared length: under gunicorn (wsgi.input_terminated) werkzeug
            # caps the stream at MAX_CONTENT_LENGTH and refuses a read past the cap, so a
            # body of exactly the limit would be read whole and then refused.
            stream = LimitedStream(stream, request.content_length)
        environ["wsgi.input"] = stream
    except HTTPException as error:
        return _plain(error.code or 400, error.description or error.name)
    path = environ.get("PATH_INFO", "")
    environ["SCRIPT_NAME"] = MOUNT
    environ["PATH_INFO"] = path[len(MOUNT):] or "/"
    environ[REPOSITORY] = get_repository()
    environ["wsgidav.auth.user_name"] = identity.name
    with request_scope():  # until the answer starts: the rest of a listing streams later
        app_iter, status, headers = run_wsgi_app(current_app.extensions[EXTENSION], environ)
    kept = [(key, value) for key, value in headers.items() if key.lower() not in SERVER_HEADERS]
    return Response(app_iter, status=status, headers=kept, direct_passthrough=True)


class _StreamedAnswers(logging.Filter):
    """WsgiDAV logs an error, and asks to close the connection, for every answer without a
    Content-Length; a streamed PROPFIND has none by design (the server sends it chunked)."""

    EXPECTED = ("Missing required Content-Length header in 207-response",
                "Adding 'Connection: close' header")

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(self.EXPECTED)


def make_dav_app(app: Flask) -> WsgiDAVApp:
    repository = app.extensions["repository"]
    config = app.config
    infinity = config.get("DAV_PROPFIND_INFINITY")
    if isinstance(infinity, str):
        infinity = infinity.strip().lower() in ("1", "true", "yes", "on")
    provider = RepositoryProvider(
        macos_metadata=str(config.get("DAV_MACOS_METADATA") or "ignore").strip().lower(),
        propfind_infinity=bool(infinity),
        max_upload=config.get("MAX_CONTENT_LENGTH"),
    )
    return WsgiDAVApp({
        "provider_mapping": {"/": provider},
        "mount_path": MOUNT,
        "lock_storage": DatabaseLockStorage(repository.engine),
        "property_manager": None,  # dead properties live in the nodes (resources.DEAD)
        # Authentication is ours (serve); no CORS, no directory browser.
        "middleware_stack": [ErrorPrinter, RequestResolver],
        "http_authenticator": {"accept_basic": False, "accept_digest": False},
        "add_header_MS_Author_Via": True,
        "block_size": 1024 * 1024,
        "suppress_version_info": True,
        "verbose": 1,
        "logging": {"enable": False},
    })


def init_app(app: Flask) -> None:
    logger = logging.getLogger("wsgidav.wsgidav_app")
    if not any(isinstance(f, _StreamedAnswers) for f in logger.filters):
        logger.addFilter(_StreamedAnswers())
    app.extensions[EXTENSION] = make_dav_app(app)
    app.register_blueprint(bp)
