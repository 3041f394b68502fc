"""Who is calling: HTTP Basic (users) and Bearer tokens, shared by every API."""
from __future__ import annotations

from flask import g, request

from repository.accounts import Identity

from . import get_accounts

CHALLENGE = 'Basic realm="assets", Bearer realm="assets"'


def identify() -> Identity | None:
    """The identity behind the request's Authorization header, or None."""
    auth = request.authorization
    if auth is None:
        return None
    accounts = get_accounts()
    if auth.type == "basic" and auth.username is not None and auth.password is not None:
        return accounts.authenticate_password(auth.username, auth.password)
    if auth.type == "bearer" and auth.token:
        return accounts.authenticate_token(auth.token)
    return None


def bearer_identity() -> Identity | None:
    """Like :func:`identify`, for APIs that accept tokens only."""
    auth = request.authorization
    if auth is None or auth.type != "bearer" or not auth.token:
        return None
    return get_accounts().authenticate_token(auth.token)


def current_identity() -> Identity:
    return g.identity
