"""PUT (a full replacement with optimistic locking, 204) and DELETE (204) of an asset, and GET
of one asset."""
from __future__ import annotations

import hashlib
import io
import json

import pytest

from .helpers import TENANT, blob_form, create_blob, create_link, error_body

ASSETS = f"/media/{TENANT}/assets"
VERSION_REQUIRED = "The document version has to be provided on update operations."


def get(client, headers, asset_id):
    return client.get(f"{ASSETS}/{asset_id}", headers=headers).get_json()


def put_link(client, headers, asset_id, **fields):
    body = {"type": "LINK", "access": "PUBLIC", "url": "https://example.com/b.html",
            "metadata": {"version": 1}, **fields}
    return client.put(f"{ASSETS}/{asset_id}", headers=headers, json=body)


def test_link_put_replaces_the_whole_asset_and_answers_204(client, manage):
    asset_id = create_link(client, manage, refIds=[{"id": "c1", "type": "CATEGORY"}],
                           mixins={"a": {"b": 1}})
    response = put_link(client, manage, asset_id, url="https://example.com/new.html")
    assert response.status_code == 204 and response.data == b""
    body = get(client, manage, asset_id)
    assert body["url"] == "https://example.com/new.html"
    assert "refIds" not in body and "mixins" not in body  # replaced, not merged
    assert body["metadata"]["version"] == 2
    assert body["metadata"]["modifiedAt"] >= body["metadata"]["createdAt"]


def test_blob_put_replaces_file_and_body(client, manage):
    asset_id = create_blob(client, manage, data=b"old", access="PUBLIC",
                           refIds=[{"id": "p1", "type": "PRODUCT"}])
    body = {"type": "BLOB", "access": "PUBLIC", "details": {"filename": "new.txt"},
            "metadata": {"version": 1}}
    response = client.put(f"{ASSETS}/{asset_id}", headers=manage,
                          data=blob_form(body, b"new bytes", "n.txt", "text/csv"))
    assert response.status_code == 204
    got = get(client, manage, asset_id)
    assert got["details"] == {"filename": "new.txt", "mimeType": "text/csv", "bytes": 9,
                              "etag": hashlib.sha256(b"new bytes").hexdigest()}
    assert "refIds" not in got and got["metadata"]["version"] == 2


def test_put_without_version_is_400_with_the_vendors_message(client, manage):
    asset_id = create_link(client, manage)
    for metadata in (None, {}, {"mixins": {}}):
        body = {"type": "LINK", "access": "PUBLIC", "url": "https://example.com"}
        if metadata is not None:
            body["metadata"] = metadata
        response = client.put(f"{ASSETS}/{asset_id}", headers=manage, json=body)
        assert response.status_code == 400
        assert error_body(response) == {
            "code": 400, "status": "Bad request", "message": VERSION_REQUIRED,
            "details": ["https://saas-ag.com/patterns/errortypes.html"]}


def test_put_with_a_stale_version_is_409_and_changes_nothing(client, manage):
    asset_id = create_link(client, manage)
    assert put_link(client, manage, asset_id).status_code == 204
    response = put_link(client, manage, asset_id, url="https://example.com/stale.html")
    assert response.status_code == 409
    assert error_body(response)["status"] == "Conflict"
    assert get(client, manage, asset_id)["url"] == "https://example.com/b.html"
    assert put_link(client, manage, asset_id, metadata={"version": 2}).status_code == 204


@pytest.mark.parametrize("change, word", [({"type": "BLOB"}, "type"),
                                          ({"access": "PRIVATE"}, "access")])
def test_changing_type_or_access_is_400(client, manage, change, word):
    asset_id = create_link(client, manage)
    response = put_link(client, manage, asset_id, **change)
    assert response.status_code == 400
    assert word in error_body(response)["message"]


def test_blob_access_cannot_change_either(client, manage):
    asset_id = create_blob(client, manage, access="PRIVATE")
    body = {"type": "BLOB", "access": "PUBLIC", "metadata": {"version": 1}}
    response = client.put(f"{ASSETS}/{asset_id}", headers=manage, data=blob_form(body))
    assert response.status_code == 400
    assert "access" in error_body(response)["message"]


def test_put_in_the_wrong_format_is_400(client, manage):
    blob_id = create_blob(client, manage)
    response = client.put(f"{ASSETS}/{blob_id}", headers=manage, json={
        "type": "BLOB", "access": "PRIVATE", "metadata": {"version": 1}})
    assert response.status_code == 400 and "multipart" in error_body(response)["message"]
    body = {"type": "BLOB", "access": "PRIVATE", "metadata": {"version": 1}}
    response = client.put(f"{ASSETS}/{blob_id}", headers=manage,
                          data={"body": json.dumps(body)})
    assert error_body(response)["message"] == "The part named [file] is missing."
    link_id = create_link(client, manage)
    response = client.put(f"{ASSETS}/{link_id}", headers=manage, data=blob_form(
        {"type": "LINK", "access": "PUBLIC", "metadata": {"version": 1}}))
    assert response.status_code == 400 and "application/json" in error_body(response)["message"]


def test_put_checks_the_public_rule_and_the_url(client, manage):
    asset_id = create_link(client, manage, access="PRIVATE")
    response = put_link(client, manage, asset_id, access="PRIVATE",
                        refIds=[{"id": "b", "type": "BRAND"}])
    assert response.status_code == 400
    response = put_link(client, manage, asset_id, access="PRIVATE", url="data:text/html,x")
    assert response.status_code == 400


def test_put_of_an_unknown_asset_is_404(client, manage):
    response = put_link(client, manage, "nope")
    assert response.status_code == 404


def test_the_vendors_update_examples_are_accepted(client, manage):
    link_id = create_link(client, manage, refIds=[{"id": "c", "type": "CATEGORY"}])
    response = client.put(f"{ASSETS}/{link_id}", headers=manage, json={
        "type": "LINK", "access": "PUBLIC", "url": "https://emporix.io/docs/index.html",
        "refIds": [{"id": "123e06ecf0452c2d6c0b81392", "type": "CATEGORY"}],
        "mixins": {"mediaCustomAttributes": {"altText": "Product specification sheet"}},
        "metadata": {"version": 1, "mixins": {"mediaCustomAttributes": "https://x.io/m.json"}}})
    assert response.status_code == 204


def test_get_unknown_asset_is_404_with_the_vendors_body(client, manage):
    for asset_id in ("nope", "..", "a.b", "x" * 300):
        response = client.get(f"{ASSETS}/{asset_id}", headers=manage)
        assert response.status_code == 404
        assert error_body(response) == {"code": 404, "status": "element_resource_non_existing",
                                        "message": "The asset with the requested code does "
                                                   "not exist."}


def test_delete_answers_204_and_the_asset_is_gone(client, manage):
    asset_id = create_blob(client, manage)
    response = client.delete(f"{ASSETS}/{asset_id}", headers=manage)
    assert response.status_code == 204 and response.data == b""
    assert client.get(f"{ASSETS}/{asset_id}", headers=manage).status_code == 404
    assert client.delete(f"{ASSETS}/{asset_id}", headers=manage).status_code == 404


def test_a_node_under_the_tenant_made_elsewhere_is_no_emporix_asset(app, client, manage):
    create_link(client, manage)  # makes /emporix/mytenant
    repository = app.extensions["repository"]
    repository.create(("emporix", TENANT, "foreign"), "asset",
                      blob=repository.blobs.put(io.BytesIO(b"x")), mime_type="text/plain")
    assert client.get(f"{ASSETS}/foreign", headers=manage).status_code == 404
    ids = [a["id"] for a in client.get(ASSETS, headers=manage).get_json()]
    assert "foreign" not in ids and len(ids) == 1


def test_the_rendition_job_does_not_change_the_version_a_client_sees(app, client, manage):
    """An image's metadata and renditions are made in the background after the create;
    the client's PUT with the version it was given must still be accepted."""
    from PIL import Image

    from renditions.jobs import run_pending

    image = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(image, "PNG")
    body = {"type": "BLOB", "access": "PRIVATE"}
    response = client.post(ASSETS, headers=manage,
                           data=blob_form(body, image.getvalue(), "red.png", "image/png"))
    asset_id = response.get_json()["id"]
    before = get(client, manage, asset_id)

    assert run_pending(app.extensions["repository"], app.extensions["renditions.settings"]) == 1
    node = app.extensions["repository"].get(("emporix", TENANT, asset_id))
    assert node.properties["tiff:ImageWidth"] == 64  # the job did write its metadata
    after = get(client, manage, asset_id)
    assert after["metadata"] == before["metadata"]

    put = {"type": "BLOB", "access": "PRIVATE", "metadata": {"version": 1}}
    response = client.put(f"{ASSETS}/{asset_id}", headers=manage,
                          data=blob_form(put, b"replaced", "r.txt", "text/plain"))
    assert response.status_code == 204, response.get_json()
