"""POST /media/{tenant}/assets: BLOB (multipart) and LINK (JSON) assets, ids, the PUBLIC rule,
the fields the server computes."""
from __future__ import annotations

import hashlib
import io
import json
import re

import pytest

from .helpers import (
    TENANT,
    assert_vendor_fields,
    blob_form,
    create_blob,
    create_link,
    error_body,
    validate,
    vendor_document,
)

ASSETS = f"/media/{TENANT}/assets"
ISO_MS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def test_blob_create_answers_201_with_the_id_only(client, manage):
    response = client.post(ASSETS, headers=manage, data=blob_form(
        {"type": "BLOB", "access": "PRIVATE", "details": {"filename": "contract",
                                                          "mimeType": "application/pdf"}}))
    assert response.status_code == 201
    assert list(response.get_json()) == ["id"]
    assert re.fullmatch(r"[0-9a-f]{24}", response.get_json()["id"])


def test_blob_fields_computed_by_the_server(client, manage):
    data = b"some bytes of a file"
    asset_id = create_blob(client, manage, data=data, access="PRIVATE",
                           details={"filename": "f.bin", "mimeType": "application/pdf"})
    body = client.get(f"{ASSETS}/{asset_id}", headers=manage).get_json()
    validate(body, "GetAssetBlob")
    assert_vendor_fields(body, "GetAsset")
    assert body["details"] == {"filename": "f.bin", "mimeType": "application/pdf",
                               "bytes": len(data), "etag": hashlib.sha256(data).hexdigest()}
    assert ISO_MS.fullmatch(body["metadata"]["createdAt"])
    assert ISO_MS.fullmatch(body["metadata"]["modifiedAt"])
    assert body["metadata"]["version"] == 1
    assert "refIds" not in body  # an empty refIds is omitted


def test_blob_details_default_to_the_file_part(client, manage):
    response = client.post(ASSETS, headers=manage, data=blob_form(
        {"type": "BLOB", "access": "PUBLIC"}, b"\x89PNG", "logo.png", "image/png"))
    body = client.get(f"{ASSETS}/{response.get_json()['id']}", headers=manage).get_json()
    assert body["details"]["filename"] == "logo.png"
    assert body["details"]["mimeType"] == "image/png"


def test_body_part_is_json_whatever_its_content_type(client, manage):
    body = json.dumps({"type": "BLOB", "access": "PRIVATE", "id": "as-file"}).encode()
    response = client.post(ASSETS, headers=manage, data={
        "file": (io.BytesIO(b"x"), "x.txt", "text/plain"),
        "body": (io.BytesIO(body), "body.json", "application/octet-stream")})
    assert response.status_code == 201 and response.get_json() == {"id": "as-file"}


def test_link_create_and_its_document(client, manage):
    response = client.post(ASSETS, headers=manage, json={
        "id": "123e06ecf0452c2d6c0b81390", "type": "LINK", "access": "PUBLIC",
        "url": "https://example.com/media/category-banner.html",
        "refIds": [{"id": "123e06ecf0452c2d6c0b81392", "type": "CATEGORY"}],
        "mixins": {"mediaCustomAttributes": {"altText": "Product specification sheet"}},
        "metadata": {"mixins": {"mediaCustomAttributes": "https://example.com/mixin.json"}}})
    assert response.status_code == 201
    assert response.get_json() == {"id": "123e06ecf0452c2d6c0b81390"}
    body = client.get(f"{ASSETS}/123e06ecf0452c2d6c0b81390", headers=manage).get_json()
    validate(body, "GetAssetLink")
    assert_vendor_fields(body, "GetAsset")
    assert body["type"] == "LINK" and body["access"] == "PUBLIC"
    assert body["url"] == "https://example.com/media/category-banner.html"
    assert body["refIds"] == [{"id": "123e06ecf0452c2d6c0b81392", "type": "CATEGORY"}]
    assert body["mixins"] == {"mediaCustomAttributes": {"altText": "Product specification sheet"}}
    assert body["metadata"]["mixins"] == {
        "mediaCustomAttributes": "https://example.com/mixin.json"}
    assert "details" not in body  # a LINK has no binary


def test_the_vendors_request_examples_are_accepted(client, manage):
    content = vendor_document()["paths"]["/media/{tenant}/assets"]["post"]["requestBody"][
        "content"]
    for example in content["application/json"]["examples"].values():
        payload = {k: v for k, v in example["value"].items() if k != "id"}  # all share one id
        assert client.post(ASSETS, headers=manage, json=payload).status_code == 201
    for example in content["multipart/form-data"]["examples"].values():
        response = client.post(ASSETS, headers=manage, data=blob_form(example["value"]["body"]))
        assert response.status_code == 201, response.get_json()


def test_client_supplied_id_and_a_taken_id_is_409(client, manage):
    assert create_link(client, manage, id="my-id_1") == "my-id_1"
    response = client.post(ASSETS, headers=manage, json={
        "id": "my-id_1", "type": "LINK", "access": "PUBLIC", "url": "https://example.com"})
    assert response.status_code == 409
    body = error_body(response)
    assert body["status"] == "Conflict" and body["message"] == "Conflict"
    assert "my-id_1" in body["details"][0]


@pytest.mark.parametrize("bad_id", ["..", "a/b", "a b", "x" * 65, "", "é", "a.b"])
def test_a_malformed_id_is_400(client, manage, bad_id):
    response = client.post(ASSETS, headers=manage, json={
        "id": bad_id, "type": "LINK", "access": "PUBLIC", "url": "https://example.com"})
    assert response.status_code == 400
    assert "id" in error_body(response)["message"]


@pytest.mark.parametrize("ref_type", ["BRAND", "CATEGORY", "LABEL", "PRODUCT", "MODULE"])
def test_predefined_ref_types_require_public_access(client, manage, ref_type):
    refs = [{"id": "r1", "type": ref_type}]
    response = client.post(ASSETS, headers=manage, json={
        "type": "LINK", "access": "PRIVATE", "url": "https://example.com", "refIds": refs})
    assert response.status_code == 400
    assert "PUBLIC" in error_body(response)["message"]
    response = client.post(ASSETS, headers=manage, data=blob_form(
        {"type": "BLOB", "access": "PRIVATE", "refIds": refs}))
    assert response.status_code == 400


def test_private_assets_may_have_custom_ref_types(client, manage):
    create_link(client, manage, access="PRIVATE", refIds=[{"id": "r1", "type": "warranty"}])


@pytest.mark.parametrize("payload, names", [
    ({"type": "LINK", "access": "PUBLIC"}, "url"),
    ({"type": "LINK", "url": "https://example.com"}, "access"),
    ({"type": "LINK", "access": "OPEN", "url": "https://example.com"}, "access"),
    ({"type": "FILE", "access": "PUBLIC", "url": "https://example.com"}, "type"),
    ({"type": "LINK", "access": "PUBLIC", "url": "https://x.io", "refIds": [{"id": "1"}]},
     "refIds.0.type"),
    ({"type": "LINK", "access": "PUBLIC", "url": "https://x.io", "refIds": "CATEGORY"}, "refIds"),
])
def test_invalid_link_body_is_400_naming_the_field(client, manage, payload, names):
    response = client.post(ASSETS, headers=manage, json=payload)
    assert response.status_code == 400
    body = error_body(response)
    assert any(line.startswith(names) for line in body["details"]), body


@pytest.mark.parametrize("url", ["javascript:alert(1)", "/relative", "ftp://x.io/a", "https://"])
def test_link_url_must_be_http(client, manage, url):
    response = client.post(ASSETS, headers=manage, json={
        "type": "LINK", "access": "PUBLIC", "url": url})
    assert response.status_code == 400


def test_blob_as_json_is_400(client, manage):
    response = client.post(ASSETS, headers=manage, json={"type": "BLOB", "access": "PUBLIC"})
    assert response.status_code == 400
    assert "multipart/form-data" in error_body(response)["message"]


def test_multipart_without_file_or_body_is_400(client, manage):
    response = client.post(ASSETS, headers=manage,
                           data={"body": json.dumps({"type": "BLOB", "access": "PUBLIC"})})
    assert response.status_code == 400
    assert error_body(response)["message"] == "The part named [file] is missing."
    response = client.post(ASSETS, headers=manage,
                           data={"file": (io.BytesIO(b"x"), "x.txt")})
    assert error_body(response)["message"] == "The part named [body] is missing."
    response = client.post(ASSETS, headers=manage,
                           data={"file": (io.BytesIO(b"x"), "x.txt"), "body": "{not json"})
    assert "not valid JSON" in error_body(response)["message"]


def test_other_content_types_are_415(client, manage):
    response = client.post(ASSETS, headers=manage, data=b"x",
                           content_type="application/octet-stream")
    assert response.status_code == 415
    assert error_body(response)["code"] == 415


def test_a_json_body_that_is_no_object_is_400(client, manage):
    response = client.post(ASSETS, headers=manage, json=["LINK"])
    assert response.status_code == 400
    error_body(response)


def test_asset_lives_under_emporix_tenant_in_the_tree(app, client, manage):
    asset_id = create_link(client, manage)
    node = app.extensions["repository"].get(("emporix", TENANT, asset_id))
    assert node.kind == "asset" and node.blob is None
