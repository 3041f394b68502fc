"""Parameter checks (422) with the vendor's (Apipie's) exact texts, in the page's order."""
from __future__ import annotations

import pytest

from .helpers import SAMPLE

URL = {"file_url": "http://www.example.com/jpgfile.jpg", "filename": "jpgfile.jpg"}
S3 = {"s3_key": "uploads/jpgfile.jpg", "filename": "jpgfile.jpg"}


def post(projects, project_id, body):
    return projects.post(f"/api/v2/projects/{project_id}/assets", body)


@pytest.mark.parametrize("change, message", [
    ({"title": 5}, "Invalid parameter 'title' value 5: Must be a String"),
    ({"title": None}, "Invalid parameter 'title' value null: Must be a String"),
    ({"title": ["a"]}, "Invalid parameter 'title' value [\"a\"]: Must be a String"),
    ({"description": 1.5}, "Invalid parameter 'description' value 1.5: Must be a String"),
    ({"description": True}, "Invalid parameter 'description' value true: Must be a String"),
    ({"category": {"a": 1}}, "Invalid parameter 'category' value {\"a\": 1}: Must be a String"),
    ({"tags": "sample"}, "Invalid parameter 'tags' value \"sample\": Must be an array of String"),
    ({"tags": ["sample", 1]},
     "Invalid parameter 'tags' value [\"sample\", 1]: Must be an array of String"),
    ({"tags": None}, "Invalid parameter 'tags' value null: Must be an array of String"),
    ({"external_id": 42}, "Invalid parameter 'external_id' value 42: Must be a String"),
    ({"media_type": "image"},
     "Invalid parameter 'media_type' value \"image\": Must be one of: <code>article</code>."),
    ({"media_type": "Article"},
     "Invalid parameter 'media_type' value \"Article\": Must be one of: <code>article</code>."),
    ({"media_type": ["article"]},
     "Invalid parameter 'media_type' value [\"article\"]: Must be one of: <code>article</code>."),
    ({"url": "http://www.example.com/a.jpg"},
     "Invalid parameter 'url' value \"http://www.example.com/a.jpg\": Must be a Hash"),
    ({"url": ["x"]}, "Invalid parameter 'url' value [\"x\"]: Must be a Hash"),
    ({"url": {"filename": "a.jpg"}}, "Missing parameter file_url"),
    ({"url": {"file_url": "http://www.example.com/a.jpg"}}, "Missing parameter filename"),
    ({"url": {"file_url": 7, "filename": "a.jpg"}},
     "Invalid parameter 'file_url' value 7: Must be a String"),
    ({"url": {"file_url": "http://www.example.com/a.jpg", "filename": None}},
     "Invalid parameter 'filename' value null: Must be a String"),
    ({"s3": "uploads/a.jpg"}, "Invalid parameter 's3' value \"uploads/a.jpg\": Must be a Hash"),
    ({"s3": {"filename": "a.jpg"}}, "Missing parameter s3_key"),
    ({"s3": {"s3_key": "k"}}, "Missing parameter filename"),
    ({"s3": {"s3_key": ["k"], "filename": "a.jpg"}},
     "Invalid parameter 's3_key' value [\"k\"]: Must be a String"),
    ({"url": URL, "s3": S3}, "Give the media either as url or as s3, not both"),
])
def test_invalid_parameters_are_422_with_the_vendor_text(projects, project_id, change, message):
    response = post(projects, project_id, {**SAMPLE, **change})
    assert response.status_code == 422
    assert response.get_json() == {"error": message}


def test_non_ascii_values_are_shown_as_they_are(projects, project_id):
    response = post(projects, project_id, {**SAMPLE, "media_type": "bild-ä"})
    assert response.get_json() == {"error": "Invalid parameter 'media_type' value \"bild-ä\": "
                                            "Must be one of: <code>article</code>."}


def test_the_first_bad_parameter_in_the_page_order_is_reported(projects, project_id):
    response = post(projects, project_id, {"s3": 1, "tags": 2, "description": 3})
    assert response.get_json() == {"error": "Missing parameter title"}
    response = post(projects, project_id, {"s3": 1, "tags": 2, "description": 3, "title": "t"})
    assert response.get_json() == {
        "error": "Invalid parameter 'description' value 3: Must be a String"}


def test_the_project_is_checked_before_the_parameters(projects):
    response = post(projects, "not-found-id", {"title": 5})
    assert response.status_code == 404
    assert response.get_json() == {"error": "project not found"}


def test_an_empty_or_non_object_body_misses_the_title(projects, project_id):
    for body in (None, [], "title"):
        response = post(projects, project_id, body)
        assert response.status_code == 422
        assert response.get_json() == {"error": "Missing parameter title"}


def test_malformed_json_is_400(projects, project_id):
    response = projects.client.post(f"/api/v2/projects/{project_id}/assets",
                                    data=b'{"title": ', content_type="application/json",
                                    headers=projects.headers())
    assert response.status_code == 400
    assert response.get_json()["error"].startswith("the body is not valid JSON")


def test_unknown_parameters_are_ignored(projects, project_id):
    response = post(projects, project_id, {**SAMPLE, "colour": "red", "status": "closed"})
    assert response.status_code == 200
    assert response.get_json()["asset"]["status"] == "open"
    assert "colour" not in response.get_json()["asset"]


def test_rails_style_form_bodies_are_accepted(projects, project_id, pending_imports):
    response = projects.client.post(
        f"/api/v2/projects/{project_id}/assets", headers=projects.headers(),
        data={"title": "Form Asset", "category": "Form", "tags[]": ["a", "b"],
              "url[file_url]": "http://www.example.com/a.jpg", "url[filename]": "a.jpg"})
    assert response.status_code == 200, response.get_data(as_text=True)
    asset = response.get_json()["asset"]
    assert (asset["title"], asset["category"], asset["tags"]) == ("Form Asset", "form", ["a", "b"])
    assert asset["media_type"] == "processing"
    assert pending_imports()[0].location == "http://www.example.com/a.jpg"


def test_form_body_missing_nested_parameter(projects, project_id):
    response = projects.client.post(
        f"/api/v2/projects/{project_id}/assets", headers=projects.headers(),
        data={"title": "Form Asset", "url[filename]": "a.jpg"})
    assert response.status_code == 422
    assert response.get_json() == {"error": "Missing parameter file_url"}


@pytest.mark.parametrize("body, message", [
    ({"title": 3}, "Invalid parameter 'title' value 3: Must be a String"),
    ({"tags": [1]}, "Invalid parameter 'tags' value [1]: Must be an array of String"),
    ({"external_id": None}, "Invalid parameter 'external_id' value null: Must be a String"),
])
def test_update_parameters_are_checked_the_same_way(projects, project_id, body, message):
    asset = projects.create_asset(project_id, SAMPLE)
    response = projects.put(f"/api/v2/assets/{asset['id']}", body)
    assert response.status_code == 422
    assert response.get_json() == {"error": message}
