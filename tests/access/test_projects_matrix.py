"""The permission matrix of the Projects API v2: a project belongs to its creator (jcr:all),
creating one needs jcr:addChildNodes on /projects, other users see nothing of it (404)
unless granted."""
from __future__ import annotations

import pytest

from repository.access import ADD_CHILD_NODES

SAMPLE = {"title": "Sample Asset", "category": "sample"}


@pytest.fixture
def studio(world, client):
    """Everyone may create projects (jcr:addChildNodes on /projects itself, not below it);
    writer made the project ``p`` with one asset. Every caller sends its key as X-API-KEY."""
    repo = world.repository
    repo.access.modify(("projects",), "everyone", granted=ADD_CHILD_NODES, node_only=True)
    keys = {name: world.bearer_for(name)["Authorization"].split(" ", 1)[1]
            for name in ["admin", "norights", "reader", "writer", "denied", "member"]}
    keys["scoped"] = world.bearer_for("writer", scopes=["projects.read"])["Authorization"][7:]
    keys["tenant"] = world.headers["tenant"]["Authorization"][7:]
    keys["revoked"] = world.headers["revoked"]["Authorization"][7:]
    keys["expired"] = world.headers["expired"]["Authorization"][7:]
    writer = {"X-API-KEY": keys["writer"]}
    response = client.post("/api/v2/projects", json={"id": "p", "title": "P"}, headers=writer)
    assert response.status_code == 200, response.get_data(as_text=True)
    asset = client.post("/api/v2/projects/p/assets", json=SAMPLE, headers=writer).get_json()
    return keys, asset["asset"]["id"]


OPERATIONS = {
    "create project": lambda c, h, a: c.post("/api/v2/projects", json={"title": "mine"}, headers=h),
    "read project": lambda c, h, a: c.get("/api/v2/projects/p", headers=h),
    "create asset": lambda c, h, a: c.post("/api/v2/projects/p/assets", json=SAMPLE, headers=h),
    "read asset": lambda c, h, a: c.get(f"/api/v2/assets/{a}", headers=h),
    "update asset": lambda c, h, a: c.put(f"/api/v2/assets/{a}", json={"title": "new"}, headers=h),
}
OWNER = {op: 200 for op in OPERATIONS}
OUTSIDER = {"create project": 200, "read project": 404, "create asset": 404, "read asset": 404,
            "update asset": 404}
READER = {"create project": 200, "read project": 200, "create asset": 403, "read asset": 200,
          "update asset": 403}
EXPECTED = {
    "admin": OWNER,
    "writer": OWNER,                      # the creator
    "norights": OUTSIDER,                 # may create its own projects, sees none of others'
    "reader": READER,                     # jcr:read on / reaches every project
    "denied": READER,
    "member": READER,
    "scoped": {**READER, "create project": 403},  # projects.read: reading only
    "tenant": {op: 403 for op in OPERATIONS},      # a tenant-bound token is Emporix's only
    "revoked": {op: 401 for op in OPERATIONS},
    "expired": {op: 401 for op in OPERATIONS},
}


@pytest.mark.parametrize("operation", list(OPERATIONS))
@pytest.mark.parametrize("caller", list(EXPECTED))
def test_projects_matrix(world, client, studio, caller, operation):
    keys, asset_id = studio
    before = world.snapshot()
    response = OPERATIONS[operation](client, {"X-API-KEY": keys[caller]}, asset_id)
    expected = EXPECTED[caller][operation]
    assert response.status_code == expected, response.get_data(as_text=True)
    if expected >= 400 or operation.startswith("read"):
        assert world.snapshot() == before


def test_creating_a_project_needs_the_right_to_add_to_projects(world, client, studio):
    world.repository.access.remove(("projects",), "everyone")
    keys, _ = studio
    response = client.post("/api/v2/projects", json={"title": "t"},
                           headers={"X-API-KEY": keys["norights"]})
    assert response.status_code == 403
    assert "jcr:addChildNodes" in response.get_json()["error"]


def test_a_granted_user_works_in_anothers_project(world, client, studio):
    keys, asset_id = studio
    world.repository.access.modify(("projects", "p"), "norights", granted=0x7F)
    headers = {"X-API-KEY": keys["norights"]}
    assert client.put(f"/api/v2/assets/{asset_id}", json={"title": "t"},
                      headers=headers).status_code == 200
