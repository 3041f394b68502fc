"""The OpenAPI document at /api/v2/openapi.json, and errors in the API's own shape."""
from __future__ import annotations

import pytest


def test_the_openapi_document_lists_the_endpoints(client):
    response = client.get("/api/v2/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["info"]["title"] == "Projects API v2"
    assert set(spec["paths"]) == {
        "/api/v2/projects", "/api/v2/projects/{project_id}",
        "/api/v2/projects/{project_id}/assets", "/api/v2/assets/{asset_id}",
    }
    create = spec["paths"]["/api/v2/projects/{project_id}/assets"]["post"]
    assert set(create["responses"]) >= {"200", "400", "401", "404", "422"}
    assert create["security"] == [{"apiKey": []}]
    assert spec["components"]["securitySchemes"]["apiKey"] == {
        "type": "apiKey", "in": "header", "name": "X-API-KEY",
        "description": "A token minted by `flask --app app tokens create --user NAME`"}
    assert set(spec["paths"]["/api/v2/assets/{asset_id}"]) == {"get", "put", "parameters"}
    asset = spec["components"]["schemas"]["Asset"]["properties"]
    assert {"id", "md5_sum", "media_type", "media_error"} <= set(asset)


def test_the_openapi_document_is_valid_openapi(client):
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(client.get("/api/v2/openapi.json").get_json())


def test_unknown_paths_and_methods_answer_in_the_api_shape(projects, project_id):
    response = projects.get("/api/v2/nothing/here")
    assert (response.status_code, response.get_json()) == (404, {"error": "Not Found"})
    response = projects.post("/api/v2/projects/a/b/assets", {"title": "t"})
    assert (response.status_code, response.get_json()) == (404, {"error": "Not Found"})
    response = projects.client.delete(f"/api/v2/projects/{project_id}",
                                      headers=projects.headers())
    assert (response.status_code, response.get_json()) == (405, {"error": "Method Not Allowed"})
    assert "GET" in response.headers["Allow"]


def test_an_unexpected_failure_is_500_in_the_api_shape(app, projects, project_id, monkeypatch):
    from app.projects import views

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views, "asset_fields", broken)
    response = projects.post(f"/api/v2/projects/{project_id}/assets", {"title": "t"})
    assert (response.status_code, response.get_json()) == \
        (500, {"error": "Internal Server Error"})


def test_a_body_over_the_size_limit_is_413(projects, project_id):
    response = projects.client.post(f"/api/v2/projects/{project_id}/assets",
                                    data=b'{"title": "' + b"x" * (1024 * 1024 + 10) + b'"}',
                                    content_type="application/json", headers=projects.headers())
    assert response.status_code == 413
    assert "error" in response.get_json()


def test_a_body_shorter_than_its_content_length_is_400_saying_so(projects, project_id):
    document = b'{"title": "cut"}'
    response = projects.client.post(
        f"/api/v2/projects/{project_id}/assets", data=document,
        headers={**projects.headers(), "Content-Type": "application/json"},
        environ_overrides={"CONTENT_LENGTH": str(len(document) + 10)})
    assert response.status_code == 400
    assert response.get_json() == {"error": (
        f"the request body ended after {len(document)} of the {len(document) + 10} bytes its "
        "Content-Length announced; nothing was stored: send the whole body")}
