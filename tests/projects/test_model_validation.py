"""What the model refuses answers 400 with Rails-style messages."""
from __future__ import annotations

import pytest

from .helpers import SAMPLE


def post(projects, project_id, body):
    return projects.post(f"/api/v2/projects/{project_id}/assets", body)


@pytest.mark.parametrize("change, message", [
    ({"title": "x" * 256}, "Title is too long (maximum is 255 characters)"),
    ({"title": ""}, "Title can't be blank"),
    ({"title": "   "}, "Title can't be blank"),
    ({"category": "c" * 256}, "Category is too long (maximum is 255 characters)"),
    ({"external_id": "e" * 256}, "External id is too long (maximum is 255 characters)"),
    ({"description": "d" * 65536}, "Description is too long (maximum is 65535 characters)"),
    ({"url": {"file_url": "http://www.example.com/a.jpg", "filename": "f" * 256}},
     "Original filename is too long (maximum is 255 characters)"),
])
def test_model_errors_are_400(projects, project_id, change, message, pending_imports):
    response = post(projects, project_id, {**SAMPLE, **change})
    assert response.status_code == 400
    assert response.get_json() == {"error": message}
    assert pending_imports() == []


def test_255_characters_are_fine(projects, project_id):
    asset = projects.create_asset(project_id, {**SAMPLE, "title": "é" * 255})
    assert asset["title"] == "é" * 255


def test_several_model_errors_are_joined(projects, project_id):
    response = post(projects, project_id, {**SAMPLE, "title": "x" * 256, "category": "c" * 256})
    assert response.get_json() == {"error": "Title is too long (maximum is 255 characters), "
                                            "Category is too long (maximum is 255 characters)"}


def test_a_taken_external_id_is_400(projects, project_id):
    projects.create_asset(project_id, {**SAMPLE, "external_id": "sku-1"})
    response = post(projects, project_id, {**SAMPLE, "external_id": "sku-1"})
    assert response.status_code == 400
    assert response.get_json() == {"error": "External id has already been taken"}


def test_external_ids_are_unique_per_project(projects, project_id):
    other = projects.create_project()["id"]
    projects.create_asset(project_id, {**SAMPLE, "external_id": "sku-1"})
    asset = projects.create_asset(other, {**SAMPLE, "external_id": "sku-1"})
    assert asset["external_id"] == "sku-1"


def test_update_to_a_taken_external_id_is_400_and_to_its_own_is_fine(projects, project_id):
    first = projects.create_asset(project_id, {**SAMPLE, "external_id": "sku-1"})
    second = projects.create_asset(project_id, {**SAMPLE, "external_id": "sku-2"})
    response = projects.put(f"/api/v2/assets/{second['id']}", {"external_id": "sku-1"})
    assert response.status_code == 400
    assert response.get_json() == {"error": "External id has already been taken"}
    response = projects.put(f"/api/v2/assets/{first['id']}", {"external_id": "sku-1"})
    assert response.status_code == 200


def test_update_to_a_blank_or_long_title_is_400(projects, project_id):
    asset = projects.create_asset(project_id, SAMPLE)
    response = projects.put(f"/api/v2/assets/{asset['id']}", {"title": ""})
    assert (response.status_code, response.get_json()) == (400, {"error": "Title can't be blank"})
    response = projects.put(f"/api/v2/assets/{asset['id']}", {"title": "t" * 256})
    assert response.get_json() == {"error": "Title is too long (maximum is 255 characters)"}
    assert projects.asset(asset["id"])["title"] == "Sample Asset"
