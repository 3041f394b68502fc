"""POST /api/v2/projects and GET /api/v2/projects/{id}: folders /projects/{id}."""
from __future__ import annotations

import re
import threading

import pytest

from app.projects import views
from repository import FOLDER, AlreadyExists

from tests.conftest import grant

from .helpers import DATE_PATTERN, ID_PATTERN, OWNER_EMAIL


def test_create_a_project_with_its_own_id(projects, repository):
    response = projects.post("/api/v2/projects", {"id": "DtialUGXI36apS40-0cE",
                                                  "title": "Launch", "description": "Q1"})
    assert response.status_code == 200
    project = response.get_json()["project"]
    assert list(project) == ["id", "title", "description", "owner", "created_date",
                             "modification_date"]
    assert project["id"] == "DtialUGXI36apS40-0cE"
    assert (project["title"], project["description"], project["owner"]) == \
        ("Launch", "Q1", OWNER_EMAIL)
    assert re.fullmatch(DATE_PATTERN, project["created_date"])
    node = repository.get(("projects", "DtialUGXI36apS40-0cE"))
    assert node.kind == FOLDER
    assert node.properties["jcr:title"] == "Launch"


def test_create_a_project_without_id_gets_one(projects):
    project = projects.create_project(title="No id")
    assert re.fullmatch(ID_PATTERN, project["id"])


def test_get_a_project(projects):
    created = projects.create_project("abc_DEF-123")
    response = projects.get("/api/v2/projects/abc_DEF-123")
    assert response.status_code == 200
    assert response.get_json() == {"project": created}


def test_unknown_project_is_404(projects):
    response = projects.get("/api/v2/projects/not-found-id")
    assert (response.status_code, response.get_json()) == (404, {"error": "project not found"})


def test_a_taken_project_id_is_400(projects):
    projects.create_project("taken")
    response = projects.post("/api/v2/projects", {"id": "taken", "title": "again"})
    assert (response.status_code, response.get_json()) == \
        (400, {"error": "Id has already been taken"})


@pytest.mark.parametrize("body, status, message", [
    ({}, 422, "Missing parameter title"),
    ({"title": 1}, 422, "Invalid parameter 'title' value 1: Must be a String"),
    ({"title": "t", "id": "has space"}, 422, "Invalid parameter 'id' value \"has space\": Must "
     "match regular expression <code>/\\A[A-Za-z0-9_-]{1,64}\\z/</code>."),
    ({"title": "t", "id": 5}, 422, "Invalid parameter 'id' value 5: Must match regular "
     "expression <code>/\\A[A-Za-z0-9_-]{1,64}\\z/</code>."),
    ({"title": "t", "id": "../etc"}, 422, "Invalid parameter 'id' value \"../etc\": Must match "
     "regular expression <code>/\\A[A-Za-z0-9_-]{1,64}\\z/</code>."),
    ({"title": ""}, 400, "Title can't be blank"),
    ({"title": "x" * 256}, 400, "Title is too long (maximum is 255 characters)"),
])
def test_project_parameters_are_checked(projects, body, status, message):
    response = projects.post("/api/v2/projects", body)
    assert (response.status_code, response.get_json()) == (status, {"error": message})


def test_a_folder_made_through_aem_is_a_project(app, client, admin_auth, projects):
    client.post("/api/assets/projects", json={"class": "assetFolder"}, headers=admin_auth)
    response = client.post("/api/assets/projects/from-aem",
                           json={"class": "assetFolder", "properties": {"title": "AEM made"}},
                           headers=admin_auth)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert projects.get("/api/v2/projects/from-aem").status_code == 404  # not the key's
    grant(app, "/projects/from-aem", "admin-user", "jcr:read")
    project = projects.get("/api/v2/projects/from-aem").get_json()["project"]
    assert (project["id"], project["title"]) == ("from-aem", "AEM made")


def test_an_asset_at_a_project_path_is_no_project(projects, project_id):
    asset = projects.create_asset(project_id, {"title": "a"})
    response = projects.get(f"/api/v2/projects/{project_id}/{asset['id']}")
    assert response.status_code == 404


def test_the_projects_folder_is_created_once_under_concurrency(app, api_key):
    """Concurrent first project creations all succeed: /projects is made on demand and
    losing the race to create it is fine."""
    results: list[int] = []
    barrier = threading.Barrier(6)

    def create(n: int) -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post("/api/v2/projects", json={"title": f"p{n}", "id": f"p{n}"},
                               headers={"X-API-KEY": api_key})
        results.append(response.status_code)

    threads = [threading.Thread(target=create, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [200] * 6


def test_losing_the_race_to_create_the_projects_folder_is_fine(projects, repository,
                                                             monkeypatch):
    real_create = repository.create

    def create(path, kind, **kwargs):
        if path == ("projects",):
            real_create(path, kind, **kwargs)  # "another request" wins ...
            raise AlreadyExists("/projects already exists")  # ... and we lose
        return real_create(path, kind, **kwargs)

    monkeypatch.setattr(repository, "create", create)
    assert projects.create_project("after-race")["id"] == "after-race"


def test_projects_folder_that_is_not_a_folder_is_a_clear_error(projects, repository):
    repository.delete(("projects",))
    repository.create(("projects",), "asset")
    response = projects.post("/api/v2/projects", {"title": "t"})
    assert response.status_code == 409
    assert "not a folder" in response.get_json()["error"]


def test_ensure_projects_folder_keeps_an_existing_one(repository):
    repository.update(("projects",), properties={"jcr:title": "Mine"})
    views.ensure_projects_folder(repository)
    assert repository.get(("projects",)).properties["jcr:title"] == "Mine"
