"""DELETE a folder (with its whole subtree), an asset, a rendition; never the root."""
from __future__ import annotations

from .helpers import children, json_url, message, url


def test_delete_folder_removes_the_whole_subtree(api):
    api.make_folder("myFolder")
    api.make_folder("myFolder/sub")
    api.make_folder("myFolder/sub/deeper")
    api.make_asset("myFolder/sub/deeper/a.png")
    api.make_rendition("myFolder/sub/deeper/a.png", "web")
    api.make_folder("keep")
    response = api.delete("/api/assets/myFolder")
    assert response.status_code == 200
    assert response.get_json()["properties"]["changes"] == [
        {"type": "deleted", "argument": "/myFolder"}]
    for gone in ["myFolder", "myFolder/sub", "myFolder/sub/deeper", "myFolder/sub/deeper/a.png"]:
        assert api.get(json_url(gone)).status_code == 404, gone
    assert api.get(url("myFolder/sub/deeper/a.png") + "/renditions/web").status_code == 404
    assert api.child_names("") == ["keep"]


def test_a_deleted_folder_can_be_created_again_empty(api):
    api.make_folder("f")
    api.make_folder("f/old")
    api.delete(url("f"))
    api.make_folder("f")
    assert api.child_names("f") == []


def test_delete_asset_answers_200_and_removes_it_and_its_renditions(api):
    api.make_folder("myFolder")
    api.make_asset("myFolder/myAsset.png")
    api.make_rendition("myFolder/myAsset.png", "web")
    response = api.delete("/api/assets/myFolder/myAsset.png")
    assert response.status_code == 200
    assert api.get(json_url("myFolder/myAsset.png")).status_code == 404
    assert api.get(url("myFolder/myAsset.png") + "/renditions/original").status_code == 404
    assert api.get(url("myFolder/myAsset.png") + "/renditions/web").status_code == 404
    assert api.child_names("myFolder") == []


def test_delete_rendition_leaves_the_asset(api):
    api.make_folder("myFolder")
    api.make_asset("myFolder/myAsset.png", b"orig")
    api.make_rendition("myFolder/myAsset.png", "web")
    response = api.delete("/api/assets/myFolder/myAsset.png/renditions/web")
    assert response.status_code == 200
    assert api.get(url("myFolder/myAsset.png") + "/renditions/web").status_code == 404
    assert api.bytes_of("myFolder/myAsset.png") == b"orig"


def test_delete_a_missing_node_is_404(api):
    api.make_folder("f")
    response = api.delete(url("f/missing"))
    assert response.status_code == 404
    assert message(response)
    assert api.child_names("") == ["f"]


def test_delete_of_the_root_is_refused_and_changes_nothing(api):
    api.make_folder("f")
    api.make_asset("f/a.png")
    before = api.snapshot()
    for path in ["/api/assets", "/api/assets/"]:
        response = api.delete(path)
        assert 400 <= response.status_code < 500, path
        assert message(response)
    assert api.snapshot() == before


def test_delete_of_the_root_json_is_refused(api):
    api.make_folder("f")
    response = api.delete("/api/assets.json")
    assert 400 <= response.status_code < 500
    assert [e["properties"]["name"] for e in children(api.entity(""))] == ["f"]
