"""Who is calling: HTTP Basic (users) and Bearer tokens, shared by every API, and the
:class:`~repository.access.Caller` each API's requests act as.

Every door authenticates its own way, then calls :func:`act_as` (or sets a public reader);
:func:`app.get_repository` then acts for that caller, so every repository call a view makes
is checked against the caller's rights (:mod:`repository.access`). A request that set no
caller acts as nobody and may do nothing.

Scopes narrow a token: a token with no scopes may do in every API what its user may; a
token with scopes may act only in the APIs its scopes belong to, and only with the
privileges they name there (:data:`SCOPES`), never more than its user. A token bound to a
tenant is, besides, for the Emporix API only and confined to that tenant's folder.
"""
from __future__ import annotations

from flask import current_app, g, request

from repository.access import (
    ADD_CHILD_NODES,
    ALL,
    READ,
    WRITE,
    Caller,
)
from repository.accounts import Accounts, Identity

CHALLENGE = 'Basic realm="assets", Bearer realm="assets"'

#: The APIs scopes belong to. ``assets`` is the AEM Assets API with AEM's own tools.
ASSETS, AMS, EMPORIX, PROJECTS = "assets", "ams", "emporix", "projects"

#: Every scope a token may carry: the API it belongs to and the privileges it allows
#: there (the README publishes this table).
SCOPES: dict[str, tuple[str, int]] = {
    "assets.read": (ASSETS, READ),
    "assets.write": (ASSETS, READ | WRITE),
    "ams.asset_upload": (AMS, READ | ADD_CHILD_NODES),
    "media.asset_read": (EMPORIX, READ),
    "media.asset_manage": (EMPORIX, READ | WRITE),
    "projects.read": (PROJECTS, READ),
    "projects.manage": (PROJECTS, READ | WRITE),
}


def _accounts() -> Accounts:
    return current_app.extensions["accounts"]


def identify() -> Identity | None:
    """The identity behind the request's Authorization header, or None."""
    auth = request.authorization
    if auth is None:
        return None
    if auth.type == "basic" and auth.username is not None and auth.password is not None:
        # Remembered briefly and throttled (app/logins.py); may raise TooManyLogins (429).
        return current_app.extensions["logins"].login(auth.username, auth.password,
                                                      request.remote_addr)
    if auth.type == "bearer" and auth.token:
        return _accounts().authenticate_token(auth.token)
    return None


def bearer_identity() -> Identity | None:
    """Like :func:`identify`, for APIs that accept tokens only."""
    auth = request.authorization
    if auth is None or auth.type != "bearer" or not auth.token:
        return None
    return _accounts().authenticate_token(auth.token)


def api_key_identity(key: str) -> Identity | None:
    """The identity of an API key (a token sent in a header of its own)."""
    return _accounts().authenticate_token(key) if key else None


def ceiling(identity: Identity, api: str) -> int | None:
    """The privileges ``identity``'s credential allows in ``api`` at most; None when its
    scopes do not include that API at all."""
    if not identity.scopes:  # a password, or a token made without scopes
        return ALL
    allowed = None
    for scope in identity.scopes:
        owner, privileges = SCOPES.get(scope, (None, 0))
        if owner == api:
            allowed = (allowed or 0) | privileges
    return allowed


def act_as(identity: Identity, api: str, *, confined_to: tuple[str, ...] | None = None) -> Caller | None:
    """Make the request act for ``identity`` through ``api``; None (and no caller set)
    when the credential's scopes do not include that API."""
    allowed = ceiling(identity, api)
    if allowed is None:
        return None
    repository = current_app.extensions["repository"]
    caller = repository.principals.caller_for(identity.name, ceiling=allowed,
                                              confined_to=confined_to, door=api)
    g.identity = identity
    g.caller = caller
    return caller


def act_as_public_reader(api: str, under: tuple[str, ...]) -> Caller:
    """Make the request read, anonymously, what is stored under ``under``: for the API
    whose vendor serves some files to anyone (AMS image URLs, Emporix PUBLIC assets)."""
    caller = Caller(user=None, is_admin=True, ceiling=READ, confined_to=under, door=api)
    g.caller = caller
    return caller


def current_identity() -> Identity:
    return g.identity
