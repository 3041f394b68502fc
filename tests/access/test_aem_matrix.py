"""The permission matrix of the AEM Assets API: every kind of caller × read, list, create,
update, delete, COPY and MOVE, over HTTP, on SQLite and PostgreSQL. A refusal changes
nothing; an unreadable node answers 404 like a missing one."""
from __future__ import annotations

import pytest

from .conftest import CALLERS

A = "/api/assets"


def read(client, headers):
    return client.get(f"{A}/m/a.txt.json", headers=headers)


def listing(client, headers):
    return client.get(f"{A}/m.json", headers=headers)


def create(client, headers):
    return client.post(f"{A}/m/new", json={"class": "assetFolder"}, headers=headers)


def update(client, headers):
    return client.put(f"{A}/m/a.txt", json={"class": "asset", "properties": {"dc:title": "x"}},
                      headers=headers)


def delete(client, headers):
    return client.delete(f"{A}/m/a.txt", headers=headers)


def copy(client, headers):
    return client.open(f"{A}/m/a.txt", method="COPY",
                       headers={**headers, "X-Destination": f"{A}/dest/copy.txt"})


def move(client, headers):
    return client.open(f"{A}/m/a.txt", method="MOVE",
                       headers={**headers, "X-Destination": f"{A}/dest/moved.txt"})


OPERATIONS = {"read": read, "list": listing, "create": create, "update": update,
              "delete": delete, "copy": copy, "move": move}
WRITES = {"create", "update", "delete", "copy", "move"}
ALLOWED = {"read": 200, "list": 200, "create": 201, "update": 200, "delete": 200, "copy": 201,
           "move": 201}
READ_ONLY = {"read": 200, "list": 200, **{op: 403 for op in WRITES}}
EXPECTED = {
    "admin": ALLOWED,
    # Nothing exists for it: the create's parent is missing (412), the rest 404.
    "norights": {**{op: 404 for op in OPERATIONS}, "create": 412},
    "reader": READ_ONLY,
    "writer": ALLOWED,
    "denied": ALLOWED,  # its deny is on /m/locked, which these requests do not touch
    "member": ALLOWED,
    "scoped": READ_ONLY,
    "tenant": {op: 403 for op in OPERATIONS},
    "revoked": {op: 401 for op in OPERATIONS},
    "expired": {op: 401 for op in OPERATIONS},
}


@pytest.mark.parametrize("operation", list(OPERATIONS))
@pytest.mark.parametrize("caller", CALLERS)
def test_aem_matrix(world, client, caller, operation):
    before = world.snapshot()
    response = OPERATIONS[operation](client, world.headers[caller])
    expected = EXPECTED[caller][operation]
    assert response.status_code == expected, response.get_data(as_text=True)
    if expected >= 400 or operation not in WRITES:
        assert world.snapshot() == before
    else:
        assert world.snapshot() != before


def test_a_listing_leaves_out_what_the_caller_cannot_read_and_counts_the_rest(world, client):
    body = client.get(f"{A}/m.json", headers=world.headers["denied"]).get_json()
    assert [e["properties"]["name"] for e in body["entities"]] == ["a.txt", "sub"]
    assert body["properties"]["srn:paging"]["total"] == 2
    writer = client.get(f"{A}/m.json", headers=world.headers["writer"]).get_json()
    assert writer["properties"]["srn:paging"]["total"] == 3


def test_a_node_hidden_below_a_grant_answers_404(world, client):
    for url in [f"{A}/m/locked.json", f"{A}/m/locked/c.txt.json",
                f"{A}/m/locked/c.txt/renditions/original"]:
        assert client.get(url, headers=world.headers["denied"]).status_code == 404
        assert client.get(url, headers=world.headers["writer"]).status_code == 200


@pytest.mark.parametrize("request_for", [
    lambda client, h: client.delete(f"{A}/m", headers=h),
    lambda client, h: client.open(f"{A}/m", method="MOVE",
                                  headers={**h, "X-Destination": f"{A}/dest/m"}),
], ids=["delete", "move"])
def test_a_deny_below_refuses_the_whole_delete_or_move(world, client, request_for):
    before = world.snapshot()
    response = request_for(client, world.headers["denied"])
    assert response.status_code == 403, response.get_data(as_text=True)
    assert world.snapshot() == before
    assert request_for(client, world.headers["writer"]).status_code in (200, 201)


def test_a_copy_leaves_out_what_the_caller_cannot_read(world, client, repository):
    response = client.open(f"{A}/m", method="COPY",
                           headers={**world.headers["denied"], "X-Destination": f"{A}/dest/m"})
    assert response.status_code == 201, response.get_data(as_text=True)
    assert [n.name for n in repository.list_children(("dest", "m")).nodes] == ["a.txt", "sub"]


def test_a_copy_gets_its_new_places_rights_and_a_move_keeps_its_own(world, client, repository):
    admin = world.headers["admin"]
    for verb, target in [("COPY", "copied"), ("MOVE", "moved")]:
        response = client.open(f"{A}/m/locked", method=verb,
                               headers={**admin, "X-Destination": f"{A}/dest/{target}"})
        assert response.status_code == 201, response.get_data(as_text=True)
    denied = world.headers["denied"]
    assert client.get(f"{A}/dest/copied/c.txt.json", headers=denied).status_code == 200
    assert client.get(f"{A}/dest/moved/c.txt.json", headers=denied).status_code == 404


def test_only_administrators_move_or_delete_the_flat_apis_folders(world, client):
    world.repository.access.modify((), "writer", granted=0x7F)  # jcr:all on the root
    writer = world.headers["writer"]
    before = world.snapshot()
    for response in [
        client.delete(f"{A}/emporix", headers=writer),
        client.delete(f"{A}/projects", headers=writer),
        client.open(f"{A}/ams", method="MOVE", headers={**writer, "X-Destination": f"{A}/x"}),
        client.open(f"{A}/m", method="MOVE", headers={**writer, "X-Destination": f"{A}/ams"}),
    ]:
        assert response.status_code == 403, response.get_data(as_text=True)
        assert "only administrators" in response.get_json()["properties"]["status.message"]
    assert world.snapshot() == before
    admin = world.headers["admin"]
    assert client.open(f"{A}/ams", method="MOVE",
                       headers={**admin, "X-Destination": f"{A}/ams-moved"}).status_code == 201


def test_a_new_user_with_no_entries_sees_nothing_at_all(world, client):
    headers = world.headers["norights"]
    assert client.get(f"{A}.json", headers=headers).status_code == 404
    assert client.get(f"{A}/m.json", headers=headers).status_code == 404
