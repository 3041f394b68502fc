"""COPY and MOVE of the AEM API also read WebDAV's standard Destination, Overwrite and Depth
headers (RFC 4918), the X- forms winning when both are sent."""
from __future__ import annotations

import pytest

from .helpers import HOST, json_url, message, url

VERBS = ["COPY", "MOVE"]


@pytest.fixture
def tree(api):
    api.make_folder("src")
    api.make_asset("src/a.png", b"a bytes", "image/png")
    api.make_folder("taken")
    api.make_asset("taken/old.png", b"old bytes", "image/png")
    return api


def exists(api, path) -> bool:
    return api.get(json_url(path)).status_code == 200


@pytest.mark.parametrize("verb", VERBS)
def test_a_standard_destination_is_used_when_no_x_destination_is_sent(tree, verb):
    response = tree.open(verb, url("src"), headers={"Destination": HOST + "/api/assets/dest"})
    assert response.status_code == 201, message(response)
    assert exists(tree, "dest/a.png")
    assert exists(tree, "src") == (verb == "COPY")


@pytest.mark.parametrize("verb", VERBS)
def test_x_destination_wins_over_destination(tree, verb):
    response = tree.open(verb, url("src"), headers={"X-Destination": "/api/assets/chosen",
                                                    "Destination": "/api/assets/ignored"})
    assert response.status_code == 201, message(response)
    assert exists(tree, "chosen/a.png")
    assert not exists(tree, "ignored")


@pytest.mark.parametrize("verb", VERBS)
def test_overwrite_f_refuses_an_existing_destination_named_by_x_destination(tree, verb):
    before = tree.snapshot()
    response = tree.open(verb, url("src"), headers={"X-Destination": "/api/assets/taken",
                                                    "Overwrite": "F"})
    assert response.status_code == 412, message(response)
    assert tree.snapshot() == before


@pytest.mark.parametrize("verb", VERBS)
def test_x_overwrite_wins_over_overwrite(tree, verb):
    response = tree.open(verb, url("src"), headers={
        "Destination": "/api/assets/taken", "X-Overwrite": "T", "Overwrite": "F"})
    assert response.status_code == 204, message(response)
    assert exists(tree, "taken/a.png") and not exists(tree, "taken/old.png")


def test_depth_0_copies_the_folder_without_its_children(tree):
    response = tree.open("COPY", url("src"), headers={"Destination": "/api/assets/shallow",
                                                      "Depth": "0"})
    assert response.status_code == 201, message(response)
    assert exists(tree, "shallow") and not exists(tree, "shallow/a.png")


def test_x_depth_wins_over_depth(tree):
    response = tree.open("COPY", url("src"), headers={
        "Destination": "/api/assets/deep", "X-Depth": "infinity", "Depth": "0"})
    assert response.status_code == 201, message(response)
    assert exists(tree, "deep/a.png")


@pytest.mark.parametrize("headers", [{"Depth": "1"}, {"Overwrite": "maybe"}])
def test_a_bad_standard_header_is_400_and_changes_nothing(tree, headers):
    before = tree.snapshot()
    response = tree.open("COPY", url("src"), headers={"Destination": "/api/assets/x", **headers})
    assert response.status_code == 400
    assert next(iter(headers)) in message(response)
    assert tree.snapshot() == before
