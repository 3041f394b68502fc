"""Who may use the AEM door: HTTP Basic or a Bearer token, acting through the ``assets``
API's scopes. Shared by the Assets HTTP API and AEM's toolbox (Sling, Granite), which
answer a refusal each in its own body shape."""
from __future__ import annotations

from flask import g

from ..auth import ASSETS, act_as, identify


def log_in() -> tuple[int, str] | None:
    """Make the request act for its credentials; the status and message of a refusal."""
    g.identity = identify()
    if g.identity is None:
        return 401, "authentication required: send HTTP Basic credentials or a Bearer token"
    if g.identity.tenant is not None:
        # A tenant-bound token is for that tenant's media only, never the whole tree.
        return 403, (f"this token is bound to the tenant {g.identity.tenant} and cannot use "
                     "the Assets API; use a token made without --tenant")
    if act_as(g.identity, ASSETS) is None:
        return 403, ("this token's scopes do not include the Assets API "
                     "(assets.read or assets.write)")
    return None
