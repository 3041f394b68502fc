"""POST /assets: one multipart file in, 201 with every field of the asset plus success."""
from __future__ import annotations

import hashlib
import re
import threading

import pytest

from repository import NotFound

from .helpers import (
    ASSET_FIELDS,
    GUID_PATTERN,
    HOST,
    PREFIXES,
    fetch,
    file_part,
    jpeg,
    png,
    png_header,
)


@pytest.mark.parametrize("prefix", PREFIXES)
def test_upload_answers_201_with_every_field_and_success(ams, prefix):
    data = png(7, 5)
    response = ams.post_files({"Filename": file_part(data, "iqmetrix.png", "image/png")}, prefix)
    assert response.status_code == 201
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == ASSET_FIELDS | {"success"}
    assert body["success"] is True
    assert re.fullmatch(GUID_PATTERN, body["id"])
    assert body["name"] == "iqmetrix.png"
    assert (body["width"], body["height"]) == (7, 5)
    assert body["mimeType"] == "image/png"
    assert body["md5Checksum"] == hashlib.md5(data).hexdigest()
    assert body["href"] == f"{HOST}/v1/files/{body['id']}.png"
    assert response.headers["Location"] == f"{HOST}{prefix}/assets/{body['id']}"


def test_md5_checksum_is_the_md5_of_the_uploaded_bytes(ams):
    data = jpeg(31, 17)
    body = ams.upload(data, "photo.jpg")
    assert body["md5Checksum"] == hashlib.md5(data).hexdigest()


@pytest.mark.parametrize("maker, size, filename, mime", [
    (png, (7, 5), "a.png", "image/png"),
    (jpeg, (24, 13), "b.jpg", "image/jpeg"),
    (png, (1, 300), "tall.png", "image/png"),
])
def test_width_and_height_are_the_real_pixel_size(ams, maker, size, filename, mime):
    body = ams.upload(maker(*size), filename)
    assert (body["width"], body["height"]) == size
    assert body["mimeType"] == mime


def test_a_non_image_has_null_width_and_height_and_keeps_its_type(ams):
    body = ams.upload(b"just some text\n", "notes.txt", "text/plain")
    assert body["width"] is None and body["height"] is None
    assert body["mimeType"] == "text/plain"
    assert body["name"] == "notes.txt"
    assert body["href"].endswith(f"/v1/files/{body['id']}.txt")
    assert body["md5Checksum"] == hashlib.md5(b"just some text\n").hexdigest()


def test_any_single_file_part_name_is_accepted(ams):
    body = ams.upload(png(), "other.png", part="file")
    assert body["name"] == "other.png"
    assert (body["width"], body["height"]) == (7, 5)


def test_the_real_image_format_decides_type_and_extension(ams):
    """A JPEG named .png is served as what it is, so it works in <img>."""
    body = ams.upload(jpeg(8, 9), "mislabelled.png", "image/png")
    assert body["mimeType"] == "image/jpeg"
    assert body["href"].endswith(".jpg")
    assert body["name"] == "mislabelled.png"


def test_extension_comes_from_the_type_when_the_file_name_has_none(ams):
    body = ams.upload(png(), "no-extension")
    assert body["href"].endswith(f"{body['id']}.png")


def test_a_directory_in_the_file_name_is_dropped(ams):
    body = ams.upload(png(), "../photos/2024/cat.png")
    assert body["name"] == "cat.png"


def test_a_decompression_bomb_is_stored_without_a_size(ams):
    data = png_header(20_000, 20_000)  # 400 megapixels claimed in a few dozen bytes
    body = ams.upload(data, "bomb.png", "image/png")
    assert body["width"] is None and body["height"] is None
    assert body["md5Checksum"] == hashlib.md5(data).hexdigest()


def test_the_pixel_limit_is_configurable(app, ams):
    app.config["AMS_MAX_IMAGE_PIXELS"] = 100
    small = ams.upload(png(10, 10), "fits.png")
    large = ams.upload(png(11, 10), "too-many-pixels.png")
    assert (small["width"], small["height"]) == (10, 10)
    assert (large["width"], large["height"]) == (None, None)


# -- where the asset lives in the tree ----------------------------------------------------

def test_uploaded_asset_is_visible_through_the_aem_api_under_ams(ams, client, admin_auth):
    data = png(7, 5)
    body = ams.upload(data, "iqmetrix.png")
    node_name = f"{body['id']}.png"
    response = client.get(f"/api/assets/ams/{node_name}.json", headers=admin_auth)
    assert response.status_code == 200, response.get_data(as_text=True)
    entity = response.get_json()
    assert entity["class"] == ["assets/asset"]
    assert entity["properties"]["name"] == node_name
    metadata = entity["properties"]["metadata"]
    assert metadata["dc:title"] == "iqmetrix.png"
    assert metadata["tiff:ImageWidth"] == 7
    assert metadata["tiff:ImageLength"] == 5
    assert metadata["dc:format"] == "image/png"
    assert metadata["dam:size"] == len(data)
    original = fetch(client, f"/api/assets/ams/{node_name}/renditions/original",
                     headers=admin_auth)
    assert original.data == data


def test_asset_node_has_the_ams_id_and_its_properties(ams, repository):
    body = ams.upload(jpeg(24, 13), "photo.jpeg")
    node = repository.get_by_id(body["id"])
    assert node.path == ("ams", f"{body['id']}.jpeg")
    assert node.kind == "asset"
    assert node.properties == {"jcr:title": "photo.jpeg", "tiff:ImageWidth": 24,
                               "tiff:ImageLength": 13}
    assert node.blob.md5 == body["md5Checksum"]


def test_ams_folder_exists_from_the_start(repository):
    assert repository.get(("ams",)).kind == "folder"


def test_ams_folder_is_made_again_by_the_first_upload_after_it_was_deleted(ams, repository):
    repository.delete(("ams",))
    with pytest.raises(NotFound):
        repository.get(("ams",))
    ams.upload(png(), "first.png")
    assert repository.get(("ams",)).kind == "folder"
    ams.upload(png(), "second.png")
    assert repository.list_children(("ams",)).total == 2


def test_ams_folder_created_by_a_concurrent_request_is_fine(ams, repository, monkeypatch):
    """The folder appears between our look-up and our create: AlreadyExists is no error."""
    repository.delete(("ams",))
    repository.create(("ams",), "folder")
    real_get = repository.get
    missed = []

    def get_as_if_missing(path):
        if path == ("ams",) and not missed:  # only the first look-up misses it
            missed.append(path)
            raise NotFound("/ams does not exist (yet, as far as this request saw)")
        return real_get(path)

    monkeypatch.setattr(repository, "get", get_as_if_missing)
    body = ams.upload(png(), "raced.png")
    monkeypatch.undo()
    assert missed
    assert repository.get_by_id(body["id"]).path == ("ams", f"{body['id']}.png")


def test_ams_folder_deleted_before_the_asset_is_created_is_made_again(ams, repository,
                                                                      monkeypatch):
    ams.upload(png(), "first.png")
    real_create = repository.create
    calls = []

    def delete_folder_first(path, kind, **kwargs):
        if len(path) == 2 and not calls:
            calls.append(path)
            repository.delete(("ams",))
        return real_create(path, kind, **kwargs)

    monkeypatch.setattr(repository, "create", delete_folder_first)
    body = ams.upload(png(), "second.png")
    monkeypatch.undo()
    assert calls
    assert repository.get_by_id(body["id"]).path[0] == "ams"


def test_concurrent_first_uploads_all_succeed_in_one_folder(app, token_auth, repository):
    repository.delete(("ams",))  # made at start-up; the uploads must make it again
    count = 6
    barrier = threading.Barrier(count)
    results: list[int] = []

    def upload(index: int) -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post("/v1/assets", headers=token_auth,
                               data={"Filename": file_part(png(3 + index, 4), f"{index}.png")})
        results.append(response.status_code)

    threads = [threading.Thread(target=upload, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results == [201] * count
    assert [n.name for n in repository.list_children(()).nodes].count("ams") == 1
    assert repository.list_children(("ams",)).total == count
