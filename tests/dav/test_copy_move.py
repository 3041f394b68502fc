"""COPY and MOVE through the repository's atomic operations, with RFC 4918's headers and
answers."""
from __future__ import annotations

import pytest

from ..aem.helpers import blob_files


def test_copy_to_a_new_destination_is_201_and_onto_an_existing_one_204(dav):
    dav.make("a.txt", "b.txt")
    assert dav.request("COPY", "/dav/a.txt", headers={"Destination": "/dav/c.txt"}).status_code == 201
    assert dav.request("COPY", "/dav/a.txt", headers={"Destination": "/dav/b.txt"}).status_code == 204


@pytest.mark.parametrize("verb", ["COPY", "MOVE"])
def test_overwrite_f_onto_an_existing_destination_is_412_and_changes_nothing(dav, verb):
    dav.make("a.txt", "b.txt")
    before = dav.repository.get(("b.txt",))
    response = dav.request(verb, "/dav/a.txt", headers={"Destination": "/dav/b.txt", "Overwrite": "F"})
    assert response.status_code == 412
    assert dav.repository.get(("b.txt",)) == before and dav.repository.exists(("a.txt",))


def test_a_destination_given_as_a_full_url_is_accepted(dav):
    dav.make("a.txt")
    response = dav.request("MOVE", "/dav/a.txt", headers={"Destination": "http://localhost/dav/b.txt"})
    assert response.status_code == 201
    assert dav.repository.exists(("b.txt",))


def test_a_destination_outside_dav_is_refused(dav):
    dav.make("a.txt")
    response = dav.request("COPY", "/dav/a.txt", headers={"Destination": "/api/assets/b.txt"})
    assert response.status_code == 502
    assert not dav.repository.exists(("b.txt",))


def test_a_move_changes_one_row_the_node_and_its_subtree_keep_their_ids(dav):
    dav.make("f/", "f/sub/", "f/sub/a.txt")
    ids = [dav.repository.get(p).id for p in [("f",), ("f", "sub", "a.txt")]]
    assert dav.request("MOVE", "/dav/f/", headers={"Destination": "/dav/g/"}).status_code == 201
    assert [dav.repository.get(p).id for p in [("g",), ("g", "sub", "a.txt")]] == ids
    assert not dav.repository.exists(("f",))


def test_a_copy_writes_no_blob_bytes(dav, app):
    dav.request("PUT", "/dav/a.bin", data=b"x" * 10_000)
    before = blob_files(app.config["BLOB_ROOT"])
    assert dav.request("COPY", "/dav/a.bin", headers={"Destination": "/dav/b.bin"}).status_code == 201
    assert blob_files(app.config["BLOB_ROOT"]) == before
    assert dav.repository.get(("b.bin",)).blob == dav.repository.get(("a.bin",)).blob


def test_copy_depth_0_copies_a_folder_without_its_members(dav):
    dav.make("f/", "f/a.txt")
    response = dav.request("COPY", "/dav/f/", headers={"Destination": "/dav/g/", "Depth": "0"})
    assert response.status_code == 201
    assert dav.repository.exists(("g",)) and not dav.repository.exists(("g", "a.txt"))


def test_move_with_depth_0_on_a_folder_is_400(dav):
    dav.make("f/")
    response = dav.request("MOVE", "/dav/f/", headers={"Destination": "/dav/g/", "Depth": "0"})
    assert response.status_code == 400


def test_a_missing_destination_folder_is_409(dav):
    dav.make("a.txt")
    response = dav.request("COPY", "/dav/a.txt", headers={"Destination": "/dav/missing/a.txt"})
    assert response.status_code == 409


def test_a_folder_cannot_go_into_itself(dav):
    dav.make("f/")
    response = dav.request("MOVE", "/dav/f/", headers={"Destination": "/dav/f/inside/"})
    assert response.status_code == 403
    assert dav.repository.exists(("f",))


def test_a_missing_destination_header_is_400(dav):
    dav.make("a.txt")
    assert dav.request("COPY", "/dav/a.txt").status_code == 400


def test_a_copy_is_visible_through_the_aem_api(dav):
    dav.make("f/", "f/a.txt")
    dav.request("COPY", "/dav/f/", headers={"Destination": "/dav/g/"})
    assert dav.client.get("/api/assets/g/a.txt.json", headers=dav.headers).status_code == 200
