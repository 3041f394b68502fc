"""The permission matrix of Emporix Media: a tenant-bound token acts for its user, only in
/emporix/<tenant>, narrowed by its scopes; the user needs entries there."""
from __future__ import annotations

import pytest

from repository.access import READ, WRITE, privilege_bits

TENANT = "acme"
ASSETS = f"/media/{TENANT}/assets"
MANAGE, READ_SCOPE = "media.asset_manage", "media.asset_read"
LINK = {"type": "LINK", "access": "PRIVATE", "url": "https://example.com/a.html"}


@pytest.fixture
def shop(world, client):
    """/emporix/acme with one LINK (made by admin); writer and editors may write there,
    denied is denied everything there; every caller gets a token bound to acme."""
    repo = world.repository
    admin = world.bearer_for("admin", scopes=[MANAGE], tenant=TENANT)
    response = client.post(ASSETS, json={**LINK, "id": "existing"}, headers=admin)
    assert response.status_code == 201, response.get_data(as_text=True)
    for principal in ["writer", "editors"]:
        repo.access.modify(("emporix", TENANT), principal, granted=READ | WRITE)
    repo.access.modify(("emporix", TENANT), "denied", denied=privilege_bits(["jcr:all"]))
    headers = {"admin": admin}
    for name in ["norights", "reader", "writer", "denied", "member"]:
        headers[name] = world.bearer_for(name, scopes=[MANAGE], tenant=TENANT)
    headers["read scope"] = world.bearer_for("writer", scopes=[READ_SCOPE], tenant=TENANT)
    headers["other tenant"] = world.bearer_for("writer", scopes=[MANAGE], tenant="other")
    headers["no tenant"] = world.bearer_for("writer", scopes=[MANAGE])
    headers["revoked"] = world.headers["revoked"]
    headers["expired"] = world.headers["expired"]
    return headers


OPERATIONS = {
    "read": lambda c, h: c.get(f"{ASSETS}/existing", headers=h),
    "list": lambda c, h: c.get(ASSETS, headers=h),
    "create": lambda c, h: c.post(ASSETS, json=LINK, headers=h),
    "update": lambda c, h: c.put(f"{ASSETS}/existing", headers=h, json={
        **LINK, "url": "https://example.com/b.html", "metadata": {"version": 1}}),
    "delete": lambda c, h: c.delete(f"{ASSETS}/existing", headers=h),
}
ALLOWED = {"read": 200, "list": 200, "create": 201, "update": 204, "delete": 204}
READ_ONLY = {"read": 200, "list": 200, "create": 403, "update": 403, "delete": 403}
EXPECTED = {
    "admin": ALLOWED,
    "norights": {op: 403 for op in OPERATIONS},  # no rights in the tenant's folder
    "reader": READ_ONLY,                         # jcr:read on / reaches the tenant too
    "writer": ALLOWED,
    "denied": {op: 403 for op in OPERATIONS},
    "member": ALLOWED,
    "read scope": READ_ONLY,
    "other tenant": {op: 403 for op in OPERATIONS},
    "no tenant": {op: 403 for op in OPERATIONS},
    "revoked": {op: 401 for op in OPERATIONS},
    "expired": {op: 401 for op in OPERATIONS},
}


@pytest.mark.parametrize("operation", list(OPERATIONS))
@pytest.mark.parametrize("caller", list(EXPECTED))
def test_emporix_matrix(world, client, shop, caller, operation):
    before = world.snapshot()
    response = OPERATIONS[operation](client, shop[caller])
    expected = EXPECTED[caller][operation]
    assert response.status_code == expected, response.get_data(as_text=True)
    if expected >= 400 or operation in ("read", "list"):
        assert world.snapshot() == before


def test_the_aem_api_cannot_read_a_tenants_files_without_rights(world, client, shop):
    node = world.repository.get(("emporix", TENANT, "existing"))
    url = f"/api/assets/emporix/{TENANT}/{node.name}.json"
    assert client.get(url, headers=world.headers["norights"]).status_code == 404
    assert client.get(f"/api/assets/emporix/{TENANT}.json",
                      headers=world.headers["norights"]).status_code == 404


@pytest.mark.parametrize("change", [
    {"access": "PUBLIC"},                                # would serve a PRIVATE file to anyone
    {"url": "javascript:alert(1)"},                       # would bypass the http(s) rule
])
def test_the_aem_api_cannot_rewrite_the_stored_emporix_document(world, client, shop, change):
    node = world.repository.get(("emporix", TENANT, "existing"))
    document = {**node.properties["emporix:asset"], **change}
    before = world.snapshot()
    response = client.put(f"/api/assets/emporix/{TENANT}/{node.name}",
                          json={"class": "asset", "properties": {"emporix:asset": document}},
                          headers=world.headers["admin"])
    assert response.status_code == 403
    assert "emporix:asset" in response.get_json()["properties"]["status.message"]
    assert world.snapshot() == before
