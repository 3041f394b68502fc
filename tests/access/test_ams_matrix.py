"""The permission matrix of iQmetrix AMS: uploading needs jcr:addChildNodes on /ams; the
two GETs answer anyone (the vendor's storefront image URLs)."""
from __future__ import annotations

import io

import pytest

from repository.access import ADD_CHILD_NODES

from .conftest import CALLERS

EXPECTED_UPLOAD = {
    "admin": 201, "norights": 403, "reader": 403, "writer": 201, "denied": 403, "member": 201,
    "scoped": 403, "tenant": 403, "revoked": 401, "expired": 401,
}


@pytest.fixture
def ams_world(world):
    """writer and the group editors may upload; AMS takes Bearer tokens only."""
    for principal in ["writer", "editors"]:
        world.repository.access.modify(("ams",), principal, granted=ADD_CHILD_NODES)
    headers = dict(world.headers)
    for name in ["norights", "reader", "writer", "denied", "member"]:
        headers[name] = world.bearer_for(name)
    headers["admin"] = world.bearer_for("admin")
    return world, headers


def upload(client, headers):
    return client.post("/v1/assets", headers=headers,
                       data={"Filename": (io.BytesIO(b"%PDF-1.7 hello"), "a.pdf", "application/pdf")})


@pytest.mark.parametrize("caller", CALLERS)
def test_ams_upload_matrix(ams_world, client, caller):
    world, headers = ams_world
    before = world.snapshot()
    response = upload(client, headers[caller])
    assert response.status_code == EXPECTED_UPLOAD[caller], response.get_data(as_text=True)
    if response.status_code == 201:
        assert world.snapshot() != before
        asset_id = response.get_json()["id"]
        assert client.get(f"/v1/assets/{asset_id}").status_code == 200  # anyone reads it
    else:
        assert world.snapshot() == before


def test_a_token_scoped_to_ams_uploads_and_one_scoped_elsewhere_does_not(ams_world, client):
    world, _ = ams_world
    assert upload(client, world.bearer_for("writer", scopes=["ams.asset_upload"])).status_code == 201
    response = upload(client, world.bearer_for("writer", scopes=["projects.manage"]))
    assert response.status_code == 403
    assert "message" in response.get_json()


def test_anonymous_gets_read_ams_assets_but_nothing_outside_ams(ams_world, client):
    world, _ = ams_world
    inside = upload(client, world.bearer_for("admin")).get_json()["id"]
    outside = world.repository.get(("m", "a.txt")).id
    assert client.get(f"/v1/assets/{inside}").status_code == 200
    assert client.get(f"/v1/assets/{outside}").status_code == 404
