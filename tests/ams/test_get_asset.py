"""GET /assets/{id}: the asset's fields (no success), anonymous; 404 for anything else."""
from __future__ import annotations

import hashlib
import uuid

import pytest

from .helpers import ASSET_FIELDS, NOT_FOUND, PREFIXES, fetch, jpeg, png


@pytest.mark.parametrize("prefix", PREFIXES)
def test_get_asset_answers_the_fields_without_success(ams, client, prefix):
    data = jpeg(24, 13)
    created = ams.upload(data, "iqmetrix.jpg", prefix=prefix)
    response = client.get(f"{prefix}/assets/{created['id']}")  # anonymous
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == ASSET_FIELDS
    assert body == {key: value for key, value in created.items() if key != "success"}
    assert body["md5Checksum"] == hashlib.md5(data).hexdigest()
    assert (body["width"], body["height"]) == (24, 13)


def test_an_asset_uploaded_under_v1_is_found_at_the_root_and_back(ams, client):
    first = ams.upload(png(), "a.png", prefix="/v1")
    second = ams.upload(png(), "b.png", prefix="")
    assert client.get(f"/assets/{first['id']}").get_json()["name"] == "a.png"
    assert client.get(f"/v1/assets/{second['id']}").get_json()["name"] == "b.png"


def test_get_asset_answers_anonymous_and_token_requests_alike(ams, client, token_auth):
    created = ams.upload(png(), "a.png")
    anonymous = client.get(f"/v1/assets/{created['id']}")
    with_token = client.get(f"/v1/assets/{created['id']}", headers=token_auth)
    assert anonymous.status_code == with_token.status_code == 200
    assert anonymous.get_json() == with_token.get_json()


def test_a_guid_in_capitals_finds_the_asset(ams, client):
    created = ams.upload(png(), "a.png")
    response = client.get(f"/v1/assets/{created['id'].upper()}")
    assert response.status_code == 200
    assert response.get_json()["id"] == created["id"]


@pytest.mark.parametrize("prefix", PREFIXES)
def test_unknown_id_answers_404_with_the_page_message(client, prefix):
    response = client.get(f"{prefix}/assets/{uuid.uuid4()}")
    assert response.status_code == 404
    assert response.mimetype == "application/json"
    assert response.get_json() == NOT_FOUND


@pytest.mark.parametrize("bad_id", [
    "not-a-guid", "732130d2-b673-461c-812b-f2b614d6076", "732130d2b673461c812bf2b614d6076e",
    "732130d2-b673-461c-812b-f2b614d6076e-extra", "a/b", "%00", "..", "x" * 500,
])
def test_malformed_id_answers_404_with_the_page_message(client, bad_id):
    response = client.get(f"/v1/assets/{bad_id}")
    assert response.status_code == 404
    assert response.get_json() == NOT_FOUND


def test_a_node_that_is_no_ams_asset_answers_404(ams, client, repository):
    ams.upload(png(), "a.png")
    folder = repository.get(("ams",))
    elsewhere_folder = repository.create(("elsewhere",), "folder")
    blob = repository.blobs.put_bytes(png())
    elsewhere = repository.create(("elsewhere", "x.png"), "asset", blob=blob,
                                  mime_type="image/png")
    for node in (folder, elsewhere_folder, elsewhere):
        response = client.get(f"/v1/assets/{node.id}")
        assert response.status_code == 404, node.path
        assert response.get_json() == NOT_FOUND
        assert client.get(f"/v1/images/{node.id}").get_json() == NOT_FOUND


def test_an_asset_put_under_ams_through_aem_is_an_ams_asset(client, token_auth, repository):
    response = client.post("/api/assets/ams/report.pdf", data=b"%PDF-1.7",
                           content_type="application/pdf", headers=token_auth)
    assert response.status_code == 201, response.get_data(as_text=True)
    node = repository.get(("ams", "report.pdf"))
    body = client.get(f"/v1/assets/{node.id}").get_json()
    assert body["name"] == "report.pdf"
    assert body["mimeType"] == "application/pdf"
    # the AEM upload skipped the md5; AMS computes it when it first shows the asset
    assert body["md5Checksum"] == hashlib.md5(b"%PDF-1.7").hexdigest()
    assert body["href"].endswith(f"/v1/files/{node.id}.pdf")
    assert fetch(client, body["href"]).data == b"%PDF-1.7"


@pytest.mark.parametrize("method, path, status", [
    ("GET", "/v1/assets/", 404),
    ("PUT", "/v1/assets/732130d2-b673-461c-812b-f2b614d6076e", 405),
])
def test_routing_errors_on_ams_paths_answer_in_json(client, method, path, status):
    response = client.open(path, method=method)
    assert response.status_code == status
    assert isinstance(response.json["message"], str) and response.json["message"]
