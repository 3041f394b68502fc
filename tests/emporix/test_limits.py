"""The upload size limit (EMPORIX_MAX_FILE_SIZE): 413 with the vendor's message, nothing
stored; and hostile ids that must never leave the tenant's folder."""
from __future__ import annotations

import io
import json

import pytest

from .helpers import MANAGE, TENANT, bearer, blob_form, create_link, error_body

ASSETS = f"/media/{TENANT}/assets"
TOO_LARGE = {"code": 413, "status": "Request Entity Too Large",
             "message": "The part named [file] exceeds the maximum allowed content length."}
LIMIT = 1000


@pytest.fixture
def small_app(make_app):
    return make_app("small", EMPORIX_MAX_FILE_SIZE=LIMIT)


def stored_files(app) -> set:
    root = app.extensions["repository"].blobs.root
    return {p for p in root.rglob("*") if p.is_file()}


def test_default_limit_is_10_mb(app):
    assert app.config["EMPORIX_MAX_FILE_SIZE"] == 10 * 1024 * 1024


@pytest.mark.parametrize("size, status", [(LIMIT, 201), (LIMIT + 1, 413)])
def test_a_file_over_the_limit_is_413_and_nothing_is_stored(small_app, size, status):
    client, headers = small_app.test_client(), bearer(small_app, MANAGE)
    before = stored_files(small_app)
    response = client.post(ASSETS, headers=headers, data=blob_form(
        {"type": "BLOB", "access": "PRIVATE", "id": "big"}, b"x" * size))
    assert response.status_code == status
    if status == 413:
        assert error_body(response) == TOO_LARGE
        assert stored_files(small_app) == before
        assert client.get(f"{ASSETS}/big", headers=headers).status_code == 404


def test_a_body_far_over_the_limit_is_413_before_it_is_parsed(small_app):
    client, headers = small_app.test_client(), bearer(small_app, MANAGE)
    data = blob_form({"type": "BLOB", "access": "PRIVATE"}, b"x" * (3 * 1024 * 1024))
    response = client.post(ASSETS, headers=headers, data=data)
    assert response.status_code == 413 and error_body(response) == TOO_LARGE


def test_put_over_the_limit_is_413_and_the_asset_is_unchanged(small_app):
    client, headers = small_app.test_client(), bearer(small_app, MANAGE)
    client.post(ASSETS, headers=headers, data=blob_form(
        {"type": "BLOB", "access": "PRIVATE", "id": "f"}, b"small"))
    body = {"type": "BLOB", "access": "PRIVATE", "metadata": {"version": 1}}
    response = client.put(f"{ASSETS}/f", headers=headers, data=blob_form(body, b"x" * 5000))
    assert response.status_code == 413
    assert client.get(f"{ASSETS}/f", headers=headers).get_json()["details"]["bytes"] == 5


@pytest.mark.parametrize("asset_id", ["..", "%2e%2e", "..%2F..%2Fx", "%2F", "a%00b"])
def test_hostile_ids_never_reach_outside_the_tenant(app, client, manage, asset_id):
    create_link(client, manage)
    other = bearer(app, MANAGE, tenant="othertenant")
    create_link(client, other, tenant="othertenant", id="victim")
    for method in ("GET", "DELETE"):
        response = client.open(f"{ASSETS}/{asset_id}", method=method, headers=manage)
        assert response.status_code in (404, 405)
    response = client.open(f"{ASSETS}/..%2F..%2Fothertenant%2Fvictim", headers=manage)
    assert response.status_code == 404
    assert client.get("/media/othertenant/assets/victim", headers=other).status_code == 200


def test_a_huge_json_body_is_refused(client, manage):
    body = json.dumps({"type": "LINK", "access": "PUBLIC", "url": "https://x.io",
                       "mixins": {"pad": "x" * (1024 * 1024)}})
    response = client.post(ASSETS, headers=manage, data=io.BytesIO(body.encode()),
                           content_type="application/json")
    assert response.status_code == 413
