"""``external_id`` is unique within a project whoever writes it: concurrent requests in
several server processes (each app here is one, on a shared database), and the AEM API
writing the same property."""
from __future__ import annotations

import threading

import pytest

from tests.conftest import grant

from .helpers import OWNER_EMAIL, SAMPLE, Projects

TAKEN = {"error": "External id has already been taken"}


def test_concurrent_creates_in_two_server_processes_store_one_asset_per_external_id(
        start_server):
    servers = [start_server(PROJECTS_IMPORT_WORKERS=0) for _ in range(2)]
    accounts = servers[0].extensions["accounts"]
    accounts.create_user("owner", None, email=OWNER_EMAIL)
    grant(servers[0], "/projects", "owner", "jcr:addChildNodes")
    key = accounts.create_token("owner")
    project_id = Projects(servers[0].test_client(), key).create_project()["id"]
    barrier = threading.Barrier(8)
    answers: list = [None] * 8

    def create(i: int) -> None:
        projects = Projects(servers[i % 2].test_client(), key)
        barrier.wait(10)
        response = projects.post(f"/api/v2/projects/{project_id}/assets",
                                 {**SAMPLE, "external_id": "contested"})
        answers[i] = (response.status_code, response.get_json())

    threads = [threading.Thread(target=create, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(status for status, _ in answers) == [200] + [400] * 7, answers
    assert all(body == TAKEN for status, body in answers if status == 400), answers
    stored = servers[1].extensions["repository"].list_children(("projects", project_id))
    assert [n.properties.get("projects:external_id") for n in stored.nodes] == ["contested"]


def test_the_aem_api_cannot_change_an_external_id_at_all(
        projects, project_id, client, admin_auth):
    """projects:* belong to the Projects API: read-only through the AEM API, even for admin."""
    projects.create_asset(project_id, {**SAMPLE, "external_id": "sku-1"})
    second = projects.create_asset(project_id, {**SAMPLE, "external_id": "sku-2"})
    response = client.put(f"/api/assets/projects/{project_id}/{second['id']}",
                          json={"class": "asset",
                                "properties": {"projects:external_id": "sku-1"}},
                          headers=admin_auth)
    assert response.status_code == 403
    assert "projects:external_id" in response.get_json()["properties"]["status.message"]
    assert projects.asset(second["id"])["external_id"] == "sku-2"


def test_the_repository_refuses_a_second_holder_of_a_taken_external_id(
        projects, project_id, repository):
    from repository import PropertyTaken

    projects.create_asset(project_id, {**SAMPLE, "external_id": "sku-1"})
    second = projects.create_asset(project_id, {**SAMPLE, "external_id": "sku-2"})
    with pytest.raises(PropertyTaken, match="sku-1"):
        repository.update(("projects", project_id, second["id"]),
                          properties={"projects:external_id": "sku-1"})
    assert projects.asset(second["id"])["external_id"] == "sku-2"


def test_an_aem_copy_of_an_asset_beside_itself_is_refused(projects, project_id, client,
                                                          admin_auth):
    asset = projects.create_asset(project_id, {**SAMPLE, "external_id": "sku-1"})
    response = client.open(f"/api/assets/projects/{project_id}/{asset['id']}", method="COPY",
                           headers={**admin_auth,
                                    "X-Destination": f"/api/assets/projects/{project_id}/copy"})
    assert response.status_code == 409
    listed = client.get(f"/api/assets/projects/{project_id}.json", headers=admin_auth)
    assert listed.get_json()["properties"]["srn:paging"]["total"] == 1
