"""Asset comments: POST <asset>/comments/* with message and annotationData."""
from __future__ import annotations

import pytest

from .helpers import HOST, children, link, message, url

ASSET = "myfolder/myasset.png"


@pytest.fixture
def asset(api):
    api.make_folder("myfolder")
    api.make_asset(ASSET)
    return ASSET


def comments_of(api, path) -> list[dict]:
    return children(api.entity(path), "assets/comment")


@pytest.mark.parametrize("encoding", ["multipart/form-data", "application/x-www-form-urlencoded"])
def test_create_comment_answers_201_with_location(api, asset, encoding):
    response = api.post("/api/assets/myfolder/myasset.png/comments/*",
                        data={"message": "Hello World.", "annotationData": "{}"},
                        content_type=encoding)
    assert response.status_code == 201
    location = response.headers["Location"]
    assert location.startswith(HOST + "/api/assets/myfolder/myasset.png/comments/")
    assert response.get_json()["class"] == ["core/response"]


def test_comment_location_can_be_fetched(api, asset):
    response = api.post(url(asset) + "/comments/*",
                        data={"message": "Look here", "annotationData": '{"x": 10, "y": [1, 2]}'})
    comment = api.get(response.headers["Location"])
    assert comment.status_code == 200
    body = comment.get_json()
    assert body["class"] == ["assets/comment"]
    assert body["properties"]["message"] == "Look here"
    assert body["properties"]["annotationData"] == {"x": 10, "y": [1, 2]}
    assert link(body, "self") == response.headers["Location"]
    assert link(body, "parent") == HOST + "/api/assets/myfolder/myasset.png.json"


def test_comments_appear_in_the_assets_entities(api, asset):
    api.post(url(asset) + "/comments/*", data={"message": "first"})
    api.post(url(asset) + "/comments/*", data={"message": "second", "annotationData": "[]"})
    found = comments_of(api, asset)
    assert sorted(c["properties"]["message"] for c in found) == ["first", "second"]
    for comment in found:
        assert api.get(link(comment, "self")).status_code == 200


def test_create_comment_from_json(api, asset):
    response = api.post(url(asset) + "/comments/*",
                        json={"message": "json comment", "annotationData": {"a": 1}})
    assert response.status_code == 201
    body = api.get(response.headers["Location"]).get_json()
    assert body["properties"]["annotationData"] == {"a": 1}


def test_comment_without_a_message_is_400(api, asset):
    for data in [{}, {"annotationData": "{}"}, {"message": ""}, {"message": "   "}]:
        response = api.post(url(asset) + "/comments/*", data=data,
                            content_type="multipart/form-data")
        assert response.status_code == 400, data
        assert "message" in message(response)
    response = api.post(url(asset) + "/comments/*", json={"annotationData": {}})
    assert response.status_code == 400
    assert comments_of(api, asset) == []


def test_comment_with_bad_annotation_json_is_400(api, asset):
    for annotation in ["{not json", "{'single': 'quotes'}", "[1, 2"]:
        response = api.post(url(asset) + "/comments/*",
                            data={"message": "hi", "annotationData": annotation})
        assert response.status_code == 400, annotation
        assert "annotationData" in message(response)
    assert comments_of(api, asset) == []


def test_get_a_missing_comment_is_404(api, asset):
    response = api.get(url(asset) + "/comments/nothing.json")
    assert response.status_code == 404
    assert message(response)


def test_comment_on_a_missing_asset_is_404(api):
    api.make_folder("myfolder")
    response = api.post(url("myfolder/missing.png") + "/comments/*", data={"message": "hi"})
    assert response.status_code == 404
