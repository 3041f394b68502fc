"""Who may call the Emporix Media API: Bearer tokens bound to a tenant, with scopes.

Checked in this order, before the request body is read:

1. no token, or one the server does not know → 401 in the API gateway's ``fault`` shape;
2. a tenant in the path that breaks ``^[a-z][a-z0-9]+$`` (3 to 16 characters) → 400;
3. an ``Emporix-Tenant`` header that differs from the path's tenant → 400;
4. a token bound to another tenant (or to none) → 403;
5. a missing scope → 403: reads need ``media.asset_read`` or ``media.asset_manage``,
   writes ``media.asset_manage``.

Tokens are minted with ``flask --app app tokens create --user NAME --tenant T --scope
media.asset_manage``. Past these checks the request acts for the token's user, confined
to ``/emporix/<tenant>``: the user needs entries granting it rights there (``flask --app
app acl grant /emporix/T NAME jcr:read jcr:write``), and ``media.asset_read`` narrows them
to reading.
"""
from __future__ import annotations

from flask import g, request

from repository import NotFound
from repository.access import READ
from repository.accounts import Identity

from .. import get_repository, system_repository
from ..auth import EMPORIX, act_as, bearer_identity
from .documents import TENANT, tenant_folder

READ_SCOPE = "media.asset_read"
MANAGE_SCOPE = "media.asset_manage"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

FAULT = {"fault": {"faultstring": "Invalid access token",
                   "detail": {"errorcode": "oauth.v2.InvalidAccessToken"}}}
AMBIGUOUS_TENANT = "Tenant in the header is not matching with the one provided in the URI."
FORBIDDEN = "The access to the requested resource has been forbidden by the server.."


class Refused(Exception):
    """The request may not proceed: ``status`` 401, 400 or 403 and what to say."""

    def __init__(self, status: int, message: str, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details


def authorize(tenant: str) -> Identity:
    """Check the caller against the tenant and the method; raises :class:`Refused`."""
    identity = bearer_identity()
    if identity is None:
        raise Refused(401, FAULT["fault"]["faultstring"])
    if not TENANT.fullmatch(tenant):
        raise Refused(400, f"The tenant '{tenant}' is invalid: it must match "
                           "^[a-z][a-z0-9]+$ and have 3 to 16 characters.")
    header = request.headers.get("Emporix-Tenant")
    if header is not None and header.strip() != tenant:
        raise Refused(400, AMBIGUOUS_TENANT)
    if identity.tenant != tenant:
        why = ("The token is not bound to a tenant" if identity.tenant is None
               else "The token belongs to another tenant")
        raise Refused(403, FORBIDDEN, [why])
    needed = {READ_SCOPE, MANAGE_SCOPE} if request.method in READ_METHODS else {MANAGE_SCOPE}
    if not needed & set(identity.scopes or ()):
        raise Refused(403, FORBIDDEN, ["Missing required scopes"])
    # From here on the request acts for the token's user, confined to the tenant's folder,
    # with what the scopes allow there at most (app.auth).
    act_as(identity, EMPORIX, confined_to=tenant_folder(tenant))
    if not _may_read_tenant(tenant):
        raise Refused(403, FORBIDDEN, ["The token's user has no rights in this tenant's "
                                       "folder; an administrator can grant them"])
    g.emporix_identity = identity
    return identity


def _may_read_tenant(tenant: str) -> bool:
    """False when the tenant's folder exists but the caller may not read it (a folder not
    made yet holds nothing to hide; the first upload makes it)."""
    folder = tenant_folder(tenant)
    try:
        get_repository().check(folder, READ)
    except NotFound:
        return not system_repository().exists(folder)
    return True
