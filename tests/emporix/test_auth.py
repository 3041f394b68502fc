"""Tokens bound to a tenant, scopes, the tenant pattern, the Emporix-Tenant header, and
tenant isolation in both directions."""
from __future__ import annotations

import pytest

from .helpers import MANAGE, READ, TENANT, bearer, blob_form, create_link, error_body

ASSETS = f"/media/{TENANT}/assets"
FAULT = {"fault": {"faultstring": "Invalid access token",
                   "detail": {"errorcode": "oauth.v2.InvalidAccessToken"}}}


@pytest.fixture
def link_id(client, manage) -> str:
    return create_link(client, manage)


def every_request(asset_id: str):
    """(method, path, needs media.asset_manage) for every endpoint."""
    return [
        ("GET", ASSETS, False),
        ("POST", ASSETS, True),
        ("GET", f"{ASSETS}/{asset_id}", False),
        ("PUT", f"{ASSETS}/{asset_id}", True),
        ("DELETE", f"{ASSETS}/{asset_id}", True),
        ("GET", f"{ASSETS}/{asset_id}/download", False),
    ]


@pytest.mark.parametrize("authorization", [None, "Bearer nope", "Bearer a.b", "Basic YTpi",
                                           "Bearer "])
def test_no_or_bad_token_is_401_in_the_gateways_fault_shape(client, link_id, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    for method, path, _ in every_request(link_id):
        response = client.open(path, method=method, headers=headers)
        assert response.status_code == 401, (method, path)
        assert response.get_json() == FAULT
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_password_login_is_not_accepted(client, link_id, admin_auth):
    assert client.get(ASSETS, headers=admin_auth).status_code == 401


def test_read_scope_reads_but_cannot_write(client, link_id, read):
    for method, path, writes in every_request(link_id):
        response = client.open(path, method=method, headers=read, json={})
        if writes:
            assert response.status_code == 403, (method, path)
            body = error_body(response)
            assert body["details"] == ["Missing required scopes"]
            assert body["message"] == ("The access to the requested resource has been "
                                       "forbidden by the server..")
        else:
            assert response.status_code in (200, 301), (method, path)


def test_manage_scope_reads_too(client, link_id, manage):
    assert client.get(ASSETS, headers=manage).status_code == 200
    assert client.get(f"{ASSETS}/{link_id}", headers=manage).status_code == 200


@pytest.mark.parametrize("scopes", [(), ("media.other",), ("MEDIA.ASSET_READ",)])
def test_a_token_without_a_media_scope_is_403(app, client, link_id, scopes):
    headers = bearer(app, *scopes)
    for method, path, _ in every_request(link_id):
        assert client.open(path, method=method, headers=headers).status_code == 403


def test_a_token_of_another_tenant_is_403_in_both_directions(app, client, manage, link_id):
    other = bearer(app, MANAGE, tenant="othertenant")
    other_link = create_link(client, other, tenant="othertenant")
    for method, path, _ in every_request(link_id):
        response = client.open(path, method=method, headers=other)
        assert response.status_code == 403, (method, path)
        assert error_body(response)["details"] == ["The token belongs to another tenant"]
    response = client.get(f"/media/othertenant/assets/{other_link}", headers=manage)
    assert response.status_code == 403


def test_a_token_bound_to_no_tenant_is_403(app, client, link_id):
    headers = bearer(app, MANAGE, tenant=None)
    response = client.get(ASSETS, headers=headers)
    assert response.status_code == 403
    assert error_body(response)["details"] == ["The token is not bound to a tenant"]


def test_tenants_are_isolated(app, client, manage):
    other = bearer(app, MANAGE, tenant="othertenant")
    mine = create_link(client, manage, id="same-id", url="https://example.com/mine")
    theirs = create_link(client, other, tenant="othertenant", id="same-id",
                         url="https://example.com/theirs")
    assert mine == theirs == "same-id"  # ids are per tenant
    assert [a["url"] for a in client.get(ASSETS, headers=manage).get_json()] == [
        "https://example.com/mine"]
    assert [a["url"] for a in client.get("/media/othertenant/assets", headers=other)
            .get_json()] == ["https://example.com/theirs"]
    assert client.delete(f"{ASSETS}/same-id", headers=manage).status_code == 204
    assert client.get("/media/othertenant/assets/same-id", headers=other).status_code == 200


@pytest.mark.parametrize("tenant", ["ab", "a" * 17, "MyTenant", "1tenant", "my-tenant",
                                    "my_tenant"])
def test_a_tenant_breaking_the_pattern_is_400(app, client, tenant):
    headers = bearer(app, MANAGE, tenant=tenant)
    response = client.get(f"/media/{tenant}/assets", headers=headers)
    assert response.status_code == 400
    assert "^[a-z][a-z0-9]+$" in error_body(response)["message"]


def test_an_emporix_tenant_header_that_disagrees_is_400(client, manage):
    response = client.get(ASSETS, headers={**manage, "Emporix-Tenant": "othertenant"})
    assert response.status_code == 400
    assert error_body(response) == {
        "code": 400, "status": "Bad request",
        "message": "Tenant in the header is not matching with the one provided in the URI.",
        "details": ["https://saas-ag.com/patterns/errortypes.html"]}
    assert client.get(ASSETS, headers={**manage, "Emporix-Tenant": TENANT}).status_code == 200


def test_writes_are_refused_before_the_body_is_read(client, read):
    response = client.post(ASSETS, headers=read, data=blob_form({"type": "BLOB"}))
    assert response.status_code == 403


def test_unknown_paths_and_methods_answer_in_the_vendors_shape(client, manage):
    response = client.get("/media/mytenant/nothing", headers=manage)
    assert response.status_code == 404 and error_body(response)["code"] == 404
    response = client.patch(ASSETS, headers=manage)
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"] and error_body(response)["code"] == 405
