"""Asset renditions: create (raw or multipart), read, update, delete, and how an asset
shows them."""
from __future__ import annotations

import io

import pytest

from .helpers import HOST, blob_files, children, link, message, url

ASSET = "myfolder/myasset.png"


@pytest.fixture
def asset(api):
    api.make_folder("myfolder")
    api.make_asset(ASSET, b"the original upload", "image/png")
    return ASSET


def rendition_names(api, path) -> list[str]:
    return sorted(e["properties"]["name"]
                  for e in children(api.entity(path), "assets/rendition"))


def test_create_rendition_from_a_raw_body(api, asset):
    response = api.post("/api/assets/myfolder/myasset.png/renditions/web-rendition",
                        data=b"web bytes", content_type="image/png")
    assert response.status_code == 201
    assert response.headers["Location"] == (
        HOST + "/api/assets/myfolder/myasset.png/renditions/web-rendition")
    assert response.get_json()["class"] == ["core/response"]
    assert api.bytes_of(asset, "web-rendition") == b"web bytes"


def test_create_rendition_from_multipart_name_and_file(api, asset):
    response = api.post("/api/assets/myfolder/myasset.png/renditions/*",
                        data={"name": "web-rendition",
                              "file": (io.BytesIO(b"form bytes"), "myRendition.png", "image/png")})
    assert response.status_code == 201
    assert response.headers["Location"].endswith("/renditions/web-rendition")
    assert api.bytes_of(asset, "web-rendition") == b"form bytes"
    assert "myRendition.png" not in rendition_names(api, asset)


def test_multipart_rendition_name_falls_back_to_the_file_name(api, asset):
    response = api.post(url(asset) + "/renditions/*",
                        data={"file": (io.BytesIO(b"by file name"), "myRendition.png")})
    assert response.status_code == 201
    assert response.headers["Location"].endswith("/renditions/myRendition.png")
    assert api.bytes_of(asset, "myRendition.png") == b"by file name"


def test_get_rendition_returns_its_bytes_with_its_content_type(api, asset):
    api.make_rendition(asset, "small.jpg", b"jpeg bytes", "image/jpeg")
    response = api.get(url(asset) + "/renditions/small.jpg")
    assert response.status_code == 200
    assert response.data == b"jpeg bytes"
    assert response.mimetype == "image/jpeg"
    assert response.headers["Content-Length"] == str(len(b"jpeg bytes"))


def test_original_rendition_is_the_uploaded_binary(api, asset):
    response = api.get(url(asset) + "/renditions/original")
    assert response.status_code == 200
    assert response.data == b"the original upload"
    assert response.mimetype == "image/png"


def test_update_rendition_with_put_answers_200_and_replaces_the_bytes(api, asset):
    api.make_rendition(asset, "web", b"v1", "image/png")
    response = api.put("/api/assets/myfolder/myasset.png/renditions/web",
                       data=b"version two", content_type="image/webp")
    assert response.status_code == 200
    assert response.get_json()["class"] == ["core/response"]
    got = api.get(url(asset) + "/renditions/web")
    assert got.data == b"version two"
    assert got.mimetype == "image/webp"


def test_update_rendition_with_a_multipart_file(api, asset):
    api.make_rendition(asset, "web", b"v1")
    response = api.put(url(asset) + "/renditions/web",
                       data={"file": (io.BytesIO(b"v2 form"), "web.png", "image/png")})
    assert response.status_code == 200
    assert api.bytes_of(asset, "web") == b"v2 form"


def test_put_original_rendition_replaces_the_asset_binary(api, asset):
    response = api.put(url(asset) + "/renditions/original", data=b"new original",
                       content_type="image/png")
    assert response.status_code == 200
    assert api.bytes_of(asset) == b"new original"


def test_update_a_missing_rendition_is_404(api, asset, blob_root):
    before = blob_files(blob_root)
    response = api.put(url(asset) + "/renditions/nothing", data=b"x", content_type="image/png")
    assert response.status_code == 404
    assert message(response)
    assert rendition_names(api, asset) == ["original"]
    assert blob_files(blob_root) == before


def test_delete_rendition_answers_200_then_it_is_404(api, asset):
    api.make_rendition(asset, "web", b"web")
    response = api.delete("/api/assets/myfolder/myasset.png/renditions/web")
    assert response.status_code == 200
    assert response.get_json()["class"] == ["core/response"]
    assert api.get(url(asset) + "/renditions/web").status_code == 404
    assert rendition_names(api, asset) == ["original"]
    assert api.bytes_of(asset) == b"the original upload"


def test_delete_original_rendition_answers_200_then_it_is_404(api, asset):
    response = api.delete("/api/assets/myfolder/myasset.png/renditions/original")
    assert response.status_code == 200
    assert api.get(url(asset) + "/renditions/original").status_code == 404
    assert api.get(url(asset) + ".json").status_code == 200


def test_delete_a_missing_rendition_is_404(api, asset):
    response = api.delete(url(asset) + "/renditions/never")
    assert response.status_code == 404
    assert message(response)


def test_get_a_missing_rendition_is_404(api, asset):
    response = api.get(url(asset) + "/renditions/never")
    assert response.status_code == 404
    assert message(response)


def test_create_an_existing_rendition_is_409_and_keeps_its_bytes(api, asset, blob_root):
    api.make_rendition(asset, "web", b"first")
    before = blob_files(blob_root)
    response = api.post(url(asset) + "/renditions/web", data=b"second", content_type="image/png")
    assert response.status_code == 409
    assert api.bytes_of(asset, "web") == b"first"
    assert blob_files(blob_root) == before


def test_renditions_appear_as_entities_of_the_asset(api, asset):
    api.make_rendition(asset, "web", b"web bytes", "image/png")
    api.make_rendition(asset, "print.tif", b"tiff", "image/tiff")
    body = api.entity(asset)
    renditions = {e["properties"]["name"]: e for e in children(body, "assets/rendition")}
    assert set(renditions) == {"original", "web", "print.tif"}
    for name, entity in renditions.items():
        assert entity["rel"] == ["child"]
        href = link(entity, "self")
        assert href == f"{HOST}/api/assets/myfolder/myasset.png/renditions/{name}"
        assert api.get(href).status_code == 200


def test_thumbnail_link_appears_once_the_thumbnail_rendition_exists(api, asset):
    assert link(api.entity(asset), "thumbnail") is None
    api.make_rendition(asset, "cq5dam.thumbnail.140.100.png", b"thumb", "image/png")
    thumbnail = link(api.entity(asset), "thumbnail")
    assert thumbnail == HOST + "/api/assets/myfolder/myasset.png/renditions/cq5dam.thumbnail.140.100.png"
    assert api.get(thumbnail).data == b"thumb"


def test_thumbnail_link_goes_away_with_the_thumbnail_rendition(api, asset):
    api.make_rendition(asset, "cq5dam.thumbnail.140.100.png", b"thumb")
    api.delete(url(asset) + "/renditions/cq5dam.thumbnail.140.100.png")
    assert link(api.entity(asset), "thumbnail") is None


def test_multipart_rendition_without_a_file_part_is_400(api, asset, blob_root):
    before = blob_files(blob_root)
    response = api.post(url(asset) + "/renditions/*", data={"name": "web"},
                        content_type="multipart/form-data")
    assert response.status_code == 400
    assert "file" in message(response)
    assert rendition_names(api, asset) == ["original"]
    assert blob_files(blob_root) == before


def test_create_rendition_of_a_missing_asset_is_404(api):
    api.make_folder("myfolder")
    response = api.post(url("myfolder/missing.png") + "/renditions/web", data=b"x",
                        content_type="image/png")
    assert response.status_code == 404
