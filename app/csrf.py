"""Cross-site request forgery: a browser sends Basic credentials (and session cookies) by
itself, so a page on another origin could make it change things here.

Adobe's page makes AEM's CSRF filter a prerequisite of the Assets API; this is ours, for
every API and every door:

- Requests that change nothing (GET, HEAD, OPTIONS, PROPFIND, REPORT) always pass.
- A request whose credential the browser does not add by itself (a Bearer token, an
  ``X-API-KEY``, or none) passes: a page on another origin cannot send it.
- Otherwise (HTTP Basic, a session cookie) the request must come from this server's own
  origin, as the browser says in ``Sec-Fetch-Site`` (``same-origin`` or ``none``) or, from
  older browsers, in ``Origin``; a request that carries neither (curl, scripts, AEM's tools)
  passes. A request from another origin (another site, or another origin of the same
  site) passes only with a valid ``CSRF-Token`` header, which a page gets from
  ``GET /libs/granite/csrf/token.json`` (``{"token": ...}``, as AEM answers; valid
  ``CSRF_TOKEN_SECONDS`` for the user who asked). Else: 403, nothing changed.
"""
from __future__ import annotations

from flask import Blueprint, Flask, current_app, jsonify, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from .auth import CHALLENGE, identify

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PROPFIND", "REPORT"})
TOKEN_HEADER = "CSRF-Token"
TOKEN_URL = "/libs/granite/csrf/token.json"
SESSION_COOKIE = "session"

bp = Blueprint("csrf", __name__)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="csrf-token")


def make_token(user: str) -> str:
    return _serializer().dumps(user)


def token_user(token: str) -> str | None:
    """The user a valid, unexpired token was made for; None otherwise."""
    try:
        return _serializer().loads(token, max_age=current_app.config["CSRF_TOKEN_SECONDS"])
    except (BadSignature, UnicodeError, ValueError):
        return None


def _ambient() -> bool:
    """True when the request's credential is one a browser adds by itself."""
    auth = request.authorization
    if auth is not None and auth.type == "basic":
        return True
    return SESSION_COOKIE in request.cookies and auth is None \
        and "X-API-KEY" not in request.headers


def _from_elsewhere() -> bool:
    """True when the browser says the request comes from another origin."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site.strip().lower() not in ("same-origin", "none")
    origin = request.headers.get("Origin")
    if origin is None:
        return False
    return origin.rstrip("/").lower() != request.host_url.rstrip("/").lower()


def refuse_forged_requests():
    """The app-wide check (see the module docstring); None lets the request go on."""
    if request.method in SAFE_METHODS or not _ambient() or not _from_elsewhere():
        return None
    token = request.headers.get(TOKEN_HEADER)
    if token:
        identity = identify()
        if identity is not None and token_user(token) == identity.name:
            return None
    response = jsonify(error="cross-site request refused: a request from another origin "
                             f"that sends Basic credentials needs a {TOKEN_HEADER} header "
                             f"from GET {TOKEN_URL}")
    response.status_code = 403
    return response


@bp.route(TOKEN_URL, methods=["GET"])
def csrf_token():
    """A CSRF token for the authenticated user, as AEM's ``token.json`` answers it."""
    identity = identify()
    if identity is None:
        response = jsonify(error="authentication required")
        response.status_code = 401
        response.headers["WWW-Authenticate"] = CHALLENGE
        return response
    response = jsonify(token=make_token(identity.name))
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.before_request(refuse_forged_requests)
