"""Create an asset (raw body or multipart), update its binary and its metadata."""
from __future__ import annotations

import io

import pytest

from .helpers import HOST, blob_files, children, json_url, message, url

PNG = b"\x89PNG\r\n\x1a\n pretend image"


@pytest.fixture
def folder(api):
    api.make_folder("myFolder")
    return "myFolder"


# -- create ------------------------------------------------------------------------------

def test_create_asset_from_a_raw_body_answers_201_with_location(api, folder):
    response = api.post("/api/assets/myFolder/myAsset.png", data=PNG, content_type="image/png")
    assert response.status_code == 201
    assert response.headers["Location"] == HOST + "/api/assets/myFolder/myAsset.png.json"
    assert response.get_json()["properties"]["changes"] == [
        {"type": "created", "argument": "/myFolder/myAsset.png"}]
    body = api.get(response.headers["Location"]).get_json()
    assert body["class"] == ["assets/asset"]
    assert body["properties"]["name"] == "myAsset.png"


def test_raw_upload_keeps_content_type_as_dc_format_and_the_bytes(api, folder):
    api.make_asset("myFolder/doc.pdf", b"%PDF-1.7 bytes", "application/pdf")
    metadata = api.entity("myFolder/doc.pdf")["properties"]["metadata"]
    assert metadata["dc:format"] == "application/pdf"
    assert metadata["dam:size"] == len(b"%PDF-1.7 bytes")
    response = api.get(url("myFolder/doc.pdf") + "/renditions/original")
    assert response.status_code == 200
    assert response.data == b"%PDF-1.7 bytes"
    assert response.mimetype == "application/pdf"


def test_create_asset_takes_properties_from_query_parameters(api, folder):
    response = api.post(url("myFolder/q.png") + "?dc:title=Queried", data=PNG,
                        content_type="image/png")
    assert response.status_code == 201
    assert api.entity("myFolder/q.png")["properties"]["metadata"]["dc:title"] == "Queried"


def test_create_asset_from_multipart_name_and_file(api, folder):
    response = api.post("/api/assets/myFolder/*",
                        data={"name": "myAsset.png", "file": (io.BytesIO(PNG), "myPicture.png",
                                                              "image/png")})
    assert response.status_code == 201
    assert response.headers["Location"] == HOST + "/api/assets/myFolder/myAsset.png.json"
    assert api.child_names("myFolder") == ["myAsset.png"]
    assert api.bytes_of("myFolder/myAsset.png") == PNG
    assert api.entity("myFolder/myAsset.png")["properties"]["metadata"]["dc:format"] == "image/png"


def test_multipart_asset_name_falls_back_to_the_file_name(api, folder):
    response = api.post("/api/assets/myFolder/*",
                        data={"file": (io.BytesIO(PNG), "myPicture.png")})
    assert response.status_code == 201
    assert response.headers["Location"] == HOST + "/api/assets/myFolder/myPicture.png.json"
    assert api.child_names("myFolder") == ["myPicture.png"]
    assert api.bytes_of("myFolder/myPicture.png") == PNG


def test_multipart_asset_without_a_part_type_guesses_it_from_the_file_name(api, folder):
    api.post("/api/assets/myFolder/*",
             data={"file": (io.BytesIO(b"<svg/>"), "pic.svg", "application/octet-stream")})
    metadata = api.entity("myFolder/pic.svg")["properties"]["metadata"]
    assert metadata["dc:format"] == "image/svg+xml"


def test_multipart_asset_form_fields_become_properties(api, folder):
    api.post("/api/assets/myFolder/*",
             data={"name": "t.png", "title": "Shown", "file": (io.BytesIO(PNG), "x.png")})
    assert api.entity("myFolder/t.png")["properties"]["metadata"]["dc:title"] == "Shown"


@pytest.mark.parametrize("how", ["raw", "multipart"])
def test_create_an_existing_asset_is_409_and_keeps_the_bytes(api, folder, blob_root, how):
    api.make_asset("myFolder/a.png", b"first")
    before = blob_files(blob_root)
    if how == "raw":
        response = api.post(url("myFolder/a.png"), data=b"second", content_type="image/png")
    else:
        response = api.post(url("myFolder") + "/*",
                            data={"name": "a.png", "file": (io.BytesIO(b"second"), "a.png")})
    assert response.status_code == 409
    assert "a.png" in message(response)
    assert api.bytes_of("myFolder/a.png") == b"first"
    assert blob_files(blob_root) == before


@pytest.mark.parametrize("how", ["raw", "multipart"])
def test_create_asset_in_a_missing_parent_is_412_naming_the_parent(api, blob_root, how):
    before = blob_files(blob_root)
    if how == "raw":
        response = api.post(url("ghost/a.png"), data=PNG, content_type="image/png")
    else:
        response = api.post(url("ghost") + "/*",
                            data={"name": "a.png", "file": (io.BytesIO(PNG), "a.png")})
    assert response.status_code == 412
    assert "/ghost" in message(response)
    assert children(api.entity("")) == []
    assert blob_files(blob_root) == before


def test_create_asset_at_star_with_a_raw_body_is_400(api, folder, blob_root):
    response = api.post(url("myFolder") + "/*", data=PNG, content_type="image/png")
    assert response.status_code == 400
    assert message(response)
    assert api.child_names("myFolder") == []
    assert blob_files(blob_root) == set()


def test_create_asset_inside_an_asset_is_refused_without_storing_bytes(api, folder, blob_root):
    api.make_asset("myFolder/a.png", b"parent bytes")
    before = blob_files(blob_root)
    response = api.post(url("myFolder/a.png/inner.png"), data=b"never stored",
                        content_type="image/png")
    assert 400 <= response.status_code < 500
    assert blob_files(blob_root) == before


# -- update binary ---------------------------------------------------------------------------

def test_update_asset_binary_with_put_answers_200_and_serves_the_new_bytes(api, folder):
    api.make_asset("myFolder/a.png", b"old bytes")
    response = api.put("/api/assets/myFolder/a.png", data=b"new bytes!", content_type="image/png")
    assert response.status_code == 200
    assert response.get_json()["class"] == ["core/response"]
    assert api.bytes_of("myFolder/a.png") == b"new bytes!"
    assert api.entity("myFolder/a.png")["properties"]["metadata"]["dam:size"] == len(b"new bytes!")


def test_update_asset_binary_changes_its_type(api, folder):
    api.make_asset("myFolder/a", b"png", "image/png")
    assert api.put(url("myFolder/a"), data=b"jpeg", content_type="image/jpeg").status_code == 200
    assert api.entity("myFolder/a")["properties"]["metadata"]["dc:format"] == "image/jpeg"
    assert api.get(url("myFolder/a") + "/renditions/original").mimetype == "image/jpeg"


def test_update_asset_binary_with_a_multipart_file(api, folder):
    api.make_asset("myFolder/a.png", b"old")
    response = api.put(url("myFolder/a.png"),
                       data={"file": (io.BytesIO(b"from form"), "a.png", "image/png")})
    assert response.status_code == 200
    assert api.bytes_of("myFolder/a.png") == b"from form"


def test_update_binary_keeps_metadata_and_renditions(api, folder):
    api.make_asset("myFolder/a.png", b"old")
    api.put(url("myFolder/a.png"), json={"class": "asset", "properties": {"dc:title": "T"}})
    api.make_rendition("myFolder/a.png", "web.png", b"web")
    api.put(url("myFolder/a.png"), data=b"new", content_type="image/png")
    assert api.entity("myFolder/a.png")["properties"]["metadata"]["dc:title"] == "T"
    assert api.bytes_of("myFolder/a.png", "web.png") == b"web"


def test_update_binary_of_a_missing_asset_is_404(api, folder, blob_root):
    response = api.put(url("myFolder/missing.png"), data=b"x", content_type="image/png")
    assert response.status_code == 404
    assert message(response)
    assert api.child_names("myFolder") == []


# -- update metadata -------------------------------------------------------------------------

def test_update_asset_metadata_with_siren_json_answers_200(api, folder):
    api.make_asset("myFolder/myAsset.png", PNG)
    response = api.put("/api/assets/myFolder/myAsset.png",
                       json={"class": "asset", "properties": {"dc:title": "My Asset"}})
    assert response.status_code == 200
    body = response.get_json()
    assert body["class"] == ["core/response"]
    assert body["properties"]["changes"] == [
        {"type": "modified", "argument": "/myFolder/myAsset.png"}]
    metadata = api.entity("myFolder/myAsset.png")["properties"]["metadata"]
    assert metadata["dc:title"] == "My Asset"
    assert api.bytes_of("myFolder/myAsset.png") == PNG


def test_update_metadata_merges_with_existing_properties(api, folder):
    api.make_asset("myFolder/a.png")
    api.put(url("myFolder/a.png"), json={"class": "asset", "properties": {"dc:title": "T"}})
    api.put(url("myFolder/a.png"),
            json={"class": "asset", "properties": {"dc:description": "D"}})
    metadata = api.entity("myFolder/a.png")["properties"]["metadata"]
    assert metadata["dc:title"] == "T"
    assert metadata["dc:description"] == "D"


def test_update_metadata_accepts_a_nested_metadata_object(api, folder):
    api.make_asset("myFolder/a.png")
    response = api.put(url("myFolder/a.png"),
                       json={"class": "asset", "properties": {"metadata": {"dc:title": "N"}}})
    assert response.status_code == 200
    assert api.entity("myFolder/a.png")["properties"]["metadata"]["dc:title"] == "N"


def test_update_folder_metadata_with_siren_json(api, folder):
    response = api.put(url("myFolder"), json={"class": "assetFolder",
                                              "properties": {"title": "Renamed title"}})
    assert response.status_code == 200
    assert api.entity("myFolder")["properties"]["dc:title"] == "Renamed title"


def test_update_metadata_of_a_missing_asset_is_404(api, folder):
    response = api.put(url("myFolder/missing.png"),
                       json={"class": "asset", "properties": {"dc:title": "x"}})
    assert response.status_code == 404
    assert message(response)
    assert api.get(json_url("myFolder/missing.png")).status_code == 404
