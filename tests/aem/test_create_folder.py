"""Create a folder: Siren JSON at the new path, or a form (urlencoded or multipart) at
``<parent>/*``; 201 + Location, 409 duplicate, 412 missing parent."""
from __future__ import annotations

import pytest

from .helpers import HOST, children, json_url, message, url

FORM_ENCODINGS = ["application/x-www-form-urlencoded", "multipart/form-data"]


def test_create_folder_from_siren_json_answers_201_with_location(api):
    response = api.post("/api/assets/myFolder",
                        json={"class": "assetFolder", "properties": {"title": "My Folder"}})
    assert response.status_code == 201
    assert response.headers["Location"] == HOST + "/api/assets/myFolder.json"
    body = api.get(response.headers["Location"]).get_json()
    assert body["class"] == ["assets/folder"]
    assert body["properties"]["name"] == "myFolder"
    assert body["properties"]["dc:title"] == "My Folder"


def test_create_folder_answers_a_core_response_describing_the_change(api):
    api.make_folder("parent")
    response = api.post(url("parent/child"), json={"class": "assetFolder"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["class"] == ["core/response"]
    properties = body["properties"]
    assert properties["status.code"] == 201
    assert properties["path"] == "/parent/child"
    assert properties["location"] == HOST + "/api/assets/parent/child.json"
    assert properties["parentLocation"] == HOST + "/api/assets/parent.json"
    assert properties["changes"] == [{"type": "created", "argument": "/parent/child"}]


def test_create_folder_accepts_siren_class_as_an_array_and_vnd_siren_json(api):
    response = api.post(url("a"), data='{"class": ["assets/folder"], "properties": {}}',
                        content_type="application/vnd.siren+json")
    assert response.status_code == 201
    assert api.entity("a")["class"] == ["assets/folder"]


@pytest.mark.parametrize("encoding", FORM_ENCODINGS)
def test_create_folder_from_a_form_posted_to_star(api, encoding):
    response = api.post("/api/assets/*", data={"name": "myfolder", "title": "My Folder"},
                        content_type=encoding)
    assert response.status_code == 201
    assert response.headers["Location"] == HOST + "/api/assets/myfolder.json"
    body = api.entity("myfolder")
    assert body["class"] == ["assets/folder"]
    assert body["properties"]["dc:title"] == "My Folder"


@pytest.mark.parametrize("encoding", FORM_ENCODINGS)
def test_create_folder_from_a_form_in_a_subfolder(api, encoding):
    api.make_folder("outer")
    response = api.post(url("outer") + "/*", data={"name": "inner"}, content_type=encoding)
    assert response.status_code == 201
    assert api.child_names("outer") == ["inner"]


@pytest.mark.parametrize("encoding", ["json"] + FORM_ENCODINGS)
def test_title_jcr_title_and_dc_title_are_all_accepted(api, encoding):
    for key in ["title", "jcr:title", "dc:title"]:
        name = "f-" + key.replace(":", "-")
        if encoding == "json":
            response = api.post(url(name), json={"class": "assetFolder",
                                                 "properties": {key: f"Title {key}"}})
        else:
            response = api.post("/api/assets/*", data={"name": name, key: f"Title {key}"},
                                content_type=encoding)
        assert response.status_code == 201, key
        properties = api.entity(name)["properties"]
        assert properties["dc:title"] == f"Title {key}", key
        assert "jcr:title" not in properties


def test_create_folder_takes_properties_from_query_parameters(api):
    response = api.post(url("f") + "?title=From%20Query&jcr:description=Described",
                        json={"class": "assetFolder"})
    assert response.status_code == 201
    properties = api.entity("f")["properties"]
    assert properties["dc:title"] == "From Query"
    assert properties["dc:description"] == "Described"


def test_create_folder_by_form_also_takes_query_parameters(api):
    response = api.post("/api/assets/*?dc:description=Q", data={"name": "f"})
    assert response.status_code == 201
    assert api.entity("f")["properties"]["dc:description"] == "Q"


def test_extra_properties_in_json_are_kept(api):
    api.post(url("f"), json={"class": "assetFolder", "properties": {"custom:flag": "yes"}})
    assert api.entity("f")["properties"]["custom:flag"] == "yes"


@pytest.mark.parametrize("how", ["json", "form"])
def test_create_an_existing_folder_is_409_and_keeps_the_original(api, how):
    api.make_folder("dup", title="Original")
    if how == "json":
        response = api.post(url("dup"), json={"class": "assetFolder",
                                              "properties": {"title": "Second"}})
    else:
        response = api.post("/api/assets/*", data={"name": "dup", "title": "Second"})
    assert response.status_code == 409
    assert "dup" in message(response)
    assert api.entity("dup")["properties"]["dc:title"] == "Original"
    assert [e["properties"]["name"] for e in children(api.entity(""))] == ["dup"]


def test_create_a_folder_where_an_asset_exists_is_409(api):
    api.make_folder("f")
    api.make_asset("f/a.png", b"keep me")
    response = api.post(url("f/a.png"), json={"class": "assetFolder"})
    assert response.status_code == 409
    assert api.bytes_of("f/a.png") == b"keep me"


@pytest.mark.parametrize("how", ["json", "form"])
def test_create_folder_in_a_missing_parent_is_412_naming_the_parent(api, how):
    if how == "json":
        response = api.post(url("nope/deeper/f"), json={"class": "assetFolder"})
    else:
        response = api.post(url("nope/deeper") + "/*", data={"name": "f"})
    assert response.status_code == 412
    text = message(response)
    assert "/nope/deeper" in text
    assert api.get(json_url("nope")).status_code == 404
    assert children(api.entity("")) == []


def test_create_folder_with_json_at_star_is_refused(api):
    response = api.post("/api/assets/*", json={"class": "assetFolder"})
    assert response.status_code == 400
    assert message(response)
    assert children(api.entity("")) == []


def test_create_folder_form_without_a_name_is_400(api):
    response = api.post("/api/assets/*", data={"title": "No name"})
    assert response.status_code == 400
    assert "name" in message(response)
    assert children(api.entity("")) == []


def test_create_the_root_is_refused(api):
    response = api.post("/api/assets", json={"class": "assetFolder"})
    assert 400 <= response.status_code < 500
    assert message(response)
