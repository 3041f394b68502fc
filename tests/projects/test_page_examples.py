"""Every example request of the vendor's page, replayed with the page's project ids:
the page's status code and body shape, field by field."""
from __future__ import annotations

import re

import pytest

from .helpers import ASSET_FIELDS, DATE_PATTERN, ID_PATTERN, OWNER_EMAIL, SAMPLE

PAGE_PROJECT_IDS = [
    "M3v-xrSG70BGtqli0xy7", "qehefpq_b_S2POV3_YTf", "DtialUGXI36apS40-0cE",
    "RDYDzeg1NxHJFf7qJMMv", "s_N169fyG8lY-sFjGGJ9", "LtOOWFo7cxi-ob7PeT8w",
    "IChVAhYnVIBcwdQr-8Me",
]


def expected_asset(project_id: str, **changes) -> dict:
    """The page's asset without its id and times (those are the server's)."""
    asset = {
        "external_id": None, "parent_id": None, "project_id": project_id,
        "owner": OWNER_EMAIL, "title": "Sample Asset",
        "description": "Sample asset from API V2", "category": "sample",
        "tags": ["sample", "test"], "ai_tags": [], "status": "open",
        "media_type": "placeholder", "original_filename": None, "drop_folder_id": None,
        "md5_sum": None, "deleted": None,
    }
    asset.update(changes)
    return asset


def check_asset(body: dict, project_id: str, **changes) -> dict:
    assert list(body) == ["asset"]
    asset = body["asset"]
    assert list(asset) == ASSET_FIELDS  # the page's fields, in the page's order
    assert re.fullmatch(ID_PATTERN, asset["id"])
    assert re.fullmatch(DATE_PATTERN, asset["created_date"])
    assert re.fullmatch(DATE_PATTERN, asset["modification_date"])
    assert asset["modification_date"] >= asset["created_date"]
    shown = {k: v for k, v in asset.items()
             if k not in ("id", "created_date", "modification_date")}
    assert shown == expected_asset(project_id, **changes)
    return asset


def test_unknown_project_is_404_project_not_found(projects):
    response = projects.post("/api/v2/projects/not-found-id/assets", {})
    assert response.status_code == 404
    assert response.get_json() == {"error": "project not found"}


def test_missing_title_is_422(projects):
    projects.create_project("M3v-xrSG70BGtqli0xy7")
    body = {k: v for k, v in SAMPLE.items() if k != "title"}
    response = projects.post("/api/v2/projects/M3v-xrSG70BGtqli0xy7/assets", body)
    assert response.status_code == 422
    assert response.get_json() == {"error": "Missing parameter title"}


def test_media_type_image_is_422_with_the_page_text(projects):
    projects.create_project("qehefpq_b_S2POV3_YTf")
    response = projects.post("/api/v2/projects/qehefpq_b_S2POV3_YTf/assets",
                             {**SAMPLE, "media_type": "image"})
    assert response.status_code == 422
    assert response.get_data(as_text=True) == (
        '{"error": "Invalid parameter \'media_type\' value \\"image\\": '
        'Must be one of: <code>article</code>."}')


def test_create_without_media_is_a_placeholder(projects):
    projects.create_project("DtialUGXI36apS40-0cE")
    response = projects.post("/api/v2/projects/DtialUGXI36apS40-0cE/assets", SAMPLE)
    assert response.status_code == 200
    check_asset(response.get_json(), "DtialUGXI36apS40-0cE")


def test_create_an_article(projects):
    projects.create_project("RDYDzeg1NxHJFf7qJMMv")
    response = projects.post("/api/v2/projects/RDYDzeg1NxHJFf7qJMMv/assets",
                             {**SAMPLE, "media_type": "article"})
    assert response.status_code == 200
    check_asset(response.get_json(), "RDYDzeg1NxHJFf7qJMMv", media_type="article")


@pytest.mark.parametrize("project_id, file_url", [
    ("s_N169fyG8lY-sFjGGJ9", "http://www.example.com/jpgfile.jpg"),
    ("LtOOWFo7cxi-ob7PeT8w", "https://www.example.com/jpgfile.jpg"),
])
def test_create_with_a_file_url_answers_processing_at_once(projects, pending_imports, project_id,
                                                           file_url):
    projects.create_project(project_id)
    response = projects.post(f"/api/v2/projects/{project_id}/assets", {
        **SAMPLE, "url": {"file_url": file_url, "filename": "jpgfile.jpg"}})
    assert response.status_code == 200
    asset = check_asset(response.get_json(), project_id, media_type="processing",
                        original_filename="jpgfile.jpg")
    # The import is a pending job in the database (no thread runs it here: never fetched).
    assert [(job.asset_id, job.source, job.location, job.filename) for job in pending_imports()] \
        == [(asset["id"], "url", file_url, "jpgfile.jpg")]


def test_a_file_url_that_is_not_http_is_400_and_the_asset_exists(projects, pending_imports):
    projects.create_project("IChVAhYnVIBcwdQr-8Me")
    response = projects.post("/api/v2/projects/IChVAhYnVIBcwdQr-8Me/assets", {
        **SAMPLE, "url": {"file_url": "/local/downloads/myfile.jpg", "filename": "jpgfile.jpg"}})
    assert response.status_code == 400
    message = response.get_json()["error"]
    match = re.fullmatch(rf"Asset ({ID_PATTERN}) created, adding media to asset failed: "
                         r"not a valid HTTP URL", message)
    assert match, message
    asset = projects.asset(match.group(1))
    assert asset["project_id"] == "IChVAhYnVIBcwdQr-8Me"
    assert asset["title"] == "Sample Asset"
    assert asset["media_type"] == "placeholder"
    assert asset["media_error"] == "not a valid HTTP URL"
    assert pending_imports() == []


@pytest.mark.parametrize("file_url", [
    "ftp://example.com/a.jpg", "file:///etc/passwd", "http:///no-host", "www.example.com/a.jpg",
    "javascript:alert(1)", "http://example.com:notaport/a.jpg", "",
])
def test_other_urls_that_are_not_http_are_400(projects, project_id, pending_imports, file_url):
    response = projects.post(f"/api/v2/projects/{project_id}/assets", {
        **SAMPLE, "url": {"file_url": file_url, "filename": "a.jpg"}})
    assert response.status_code == 400
    assert response.get_json()["error"].endswith(
        " created, adding media to asset failed: not a valid HTTP URL")
    assert pending_imports() == []
