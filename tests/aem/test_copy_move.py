"""COPY and MOVE, one test per rule of NOTES.md (X-Destination, X-Overwrite, X-Depth, the
404/403/412 cases, no bytes copied, atomic)."""
from __future__ import annotations

import pytest

from .helpers import HOST, blob_files, children, json_url, message, url

VERBS = ["COPY", "MOVE"]


@pytest.fixture
def tree(api):
    """/src (titled) with sub/deep.png (+ a rendition and a comment), top.png; /other."""
    api.make_folder("src", title="Source")
    api.make_folder("src/sub")
    api.make_asset("src/sub/deep.png", b"deep bytes", "image/png")
    api.make_rendition("src/sub/deep.png", "web.png", b"deep web", "image/png")
    assert api.post(url("src/sub/deep.png") + "/comments/*",
                    data={"message": "keep me"}).status_code == 201
    api.make_asset("src/top.png", b"top bytes", "image/png")
    api.make_folder("other")
    return api


def transfer(api, verb, source, destination=None, **headers):
    if destination is not None:
        headers["X-Destination"] = destination
    return api.open(verb, url(source), headers=headers)


def exists(api, path) -> bool:
    status = api.get(json_url(path)).status_code
    assert status in (200, 404), status
    return status == 200


# -- X-Destination ----------------------------------------------------------------------------

def test_missing_x_destination_is_412(tree):
    before = tree.snapshot()
    for verb in VERBS:
        for headers in [{}, {"X-Destination": ""}, {"X-Destination": "   "}]:
            response = tree.open(verb, url("src"), headers=headers)
            assert response.status_code == 412, (verb, headers)
            assert "X-Destination" in message(response)
    assert tree.snapshot() == before


@pytest.mark.parametrize("verb", VERBS)
def test_absolute_url_on_this_host_is_accepted(tree, verb):
    response = transfer(tree, verb, "src", HOST + "/api/assets/other/dest")
    assert response.status_code == 201
    assert exists(tree, "other/dest/sub")
    assert exists(tree, "src") == (verb == "COPY")


OTHER_HOSTS = [
    "http://evil.example/api/assets/dest", "https://localhost.evil.example/api/assets/dest",
    "//evil.example/api/assets/dest", "http://localhost:8080/api/assets/dest",
    "ftp://localhost/api/assets/dest", "http://user@evil.example/api/assets/dest",
]
OUTSIDE = ["/content/dam/x", "/api/assetsx", "/api/x", "/api.json", "/dest",
           HOST + "/content/dam/x", "api/assets/dest", "/API/ASSETS/dest"]


def refused_for_both_verbs(tree, source, destinations, status, **headers):
    """Each verb to each destination is refused with ``status`` and a message; the tree
    is left exactly as it was."""
    before = tree.snapshot()
    for verb in VERBS:
        for destination in destinations:
            response = transfer(tree, verb, source, destination, **headers)
            assert response.status_code == status, (verb, destination, response.status_code)
            assert message(response)
    assert tree.snapshot() == before


def test_destination_on_another_host_is_403(tree):
    refused_for_both_verbs(tree, "src", OTHER_HOSTS, 403)


def test_destination_outside_api_assets_is_403(tree):
    refused_for_both_verbs(tree, "src", OUTSIDE, 403)


@pytest.mark.parametrize("verb", VERBS)
def test_percent_encoded_destination_is_decoded_once(tree, verb):
    cases = [("My%20Copy", "My Copy"), ("%C3%A9t%C3%A9", "été"), ("100%25", "100%"),
             ("a%2525b", "a%25b"), ("%E6%97%A5", "日")]
    for index, (encoded, name) in enumerate(cases):
        source = f"src/m{index}.png"
        tree.make_asset(source, name.encode())
        response = transfer(tree, verb, source, "/api/assets/other/" + encoded)
        assert response.status_code == 201, encoded
        assert tree.bytes_of(f"other/{name}") == name.encode()
        assert exists(tree, source) == (verb == "COPY")
    assert sorted(tree.child_names("other")) == sorted(name for _, name in cases)


# -- X-Overwrite ------------------------------------------------------------------------------

@pytest.mark.parametrize("verb", VERBS)
@pytest.mark.parametrize("overwrite", [None, "T"])
def test_overwrite_t_replaces_the_destination_and_answers_204(tree, verb, overwrite):
    tree.make_folder("other/dest")
    tree.make_asset("other/dest/only-in-old.png", b"old")
    tree.make_asset("other/dest/top.png", b"old top")
    headers = {} if overwrite is None else {"X-Overwrite": overwrite}
    response = transfer(tree, verb, "src", "/api/assets/other/dest", **headers)
    assert response.status_code == 204
    assert response.data == b""
    assert sorted(tree.child_names("other/dest")) == ["sub", "top.png"]  # replaced, not merged
    assert tree.bytes_of("other/dest/top.png") == b"top bytes"
    assert tree.entity("other/dest")["properties"]["dc:title"] == "Source"
    assert exists(tree, "src") == (verb == "COPY")


@pytest.mark.parametrize("verb", VERBS)
def test_overwrite_t_replaces_a_folder_with_an_asset(tree, verb):
    tree.make_folder("other/dest")
    tree.make_folder("other/dest/child")
    response = transfer(tree, verb, "src/top.png", "/api/assets/other/dest")
    assert response.status_code == 204
    assert tree.entity("other/dest")["class"] == ["assets/asset"]
    assert tree.bytes_of("other/dest") == b"top bytes"


def test_overwrite_f_with_an_existing_destination_is_412(tree):
    tree.make_folder("other/dest")
    tree.make_asset("other/dest/only-in-old.png", b"old")
    refused_for_both_verbs(tree, "src", ["/api/assets/other/dest", "/api/assets/other"], 412,
                           **{"X-Overwrite": "F"})


@pytest.mark.parametrize("verb", VERBS)
def test_overwrite_f_with_a_new_destination_is_201(tree, verb):
    response = transfer(tree, verb, "src", "/api/assets/other/dest", **{"X-Overwrite": "F"})
    assert response.status_code == 201


@pytest.mark.parametrize("verb", VERBS)
def test_new_destination_is_201_with_location_and_a_core_response(tree, verb):
    response = transfer(tree, verb, "src", "/api/assets/other/dest")
    assert response.status_code == 201
    assert response.headers["Location"] == HOST + "/api/assets/other/dest.json"
    body = response.get_json()
    assert body["class"] == ["core/response"]
    assert body["properties"]["path"] == "/other/dest"


# -- X-Depth ----------------------------------------------------------------------------------

@pytest.mark.parametrize("depth", [None, "infinity"])
def test_copy_with_depth_infinity_copies_the_whole_subtree(tree, depth):
    headers = {} if depth is None else {"X-Depth": depth}
    response = transfer(tree, "COPY", "src", "/api/assets/copy", **headers)
    assert response.status_code == 201
    assert sorted(tree.child_names("copy")) == ["sub", "top.png"]
    assert tree.entity("copy")["properties"]["dc:title"] == "Source"
    assert tree.bytes_of("copy/sub/deep.png") == b"deep bytes"
    assert tree.bytes_of("copy/sub/deep.png", "web.png") == b"deep web"
    comments = children(tree.entity("copy/sub/deep.png"), "assets/comment")
    assert [c["properties"]["message"] for c in comments] == ["keep me"]
    assert sorted(tree.child_names("src")) == ["sub", "top.png"]


def test_copy_with_depth_0_copies_the_node_and_its_properties_without_children(tree):
    response = transfer(tree, "COPY", "src", "/api/assets/shallow", **{"X-Depth": "0"})
    assert response.status_code == 201
    body = tree.entity("shallow")
    assert body["class"] == ["assets/folder"]
    assert body["properties"]["dc:title"] == "Source"
    assert tree.child_names("shallow") == []
    assert sorted(tree.child_names("src")) == ["sub", "top.png"]


def test_copy_with_depth_0_of_an_asset_keeps_its_binary(tree):
    response = transfer(tree, "COPY", "src/top.png", "/api/assets/other/t.png", **{"X-Depth": "0"})
    assert response.status_code == 201
    assert tree.bytes_of("other/t.png") == b"top bytes"


def test_other_x_depth_values_are_400(tree):
    before = tree.snapshot()
    for verb in VERBS:
        for depth in ["1", "2", "-1", "infinite", "", "0,infinity"]:
            response = transfer(tree, verb, "src", "/api/assets/dest", **{"X-Depth": depth})
            assert response.status_code == 400, (verb, depth)
            assert "X-Depth" in message(response)
    assert tree.snapshot() == before


def test_move_with_depth_0_still_moves_the_children(tree):
    response = transfer(tree, "MOVE", "src", "/api/assets/moved", **{"X-Depth": "0"})
    assert response.status_code == 201
    assert sorted(tree.child_names("moved")) == ["sub", "top.png"]
    assert tree.bytes_of("moved/sub/deep.png") == b"deep bytes"
    assert not exists(tree, "src")


# -- what MOVE and COPY do --------------------------------------------------------------------

def test_move_takes_everything_along_and_frees_the_source(tree):
    before = tree.snapshot("src")
    assert transfer(tree, "MOVE", "src", "/api/assets/other/moved").status_code == 201
    assert not exists(tree, "src")
    after = tree.snapshot("other/moved")
    assert len(after) == len(before)
    assert tree.bytes_of("other/moved/sub/deep.png", "web.png") == b"deep web"
    assert tree.child_names("") == ["other"]


def test_move_renames_in_place(tree):
    assert transfer(tree, "MOVE", "src/top.png", "/api/assets/src/renamed.png").status_code == 201
    assert sorted(tree.child_names("src")) == ["renamed.png", "sub"]


def test_a_copy_is_independent_of_its_source(tree):
    transfer(tree, "COPY", "src", "/api/assets/copy")
    tree.put(url("copy/top.png"), data=b"changed in copy", content_type="image/png")
    tree.put(url("copy"), json={"class": "assetFolder", "properties": {"title": "Copy"}})
    tree.delete(url("copy/sub"))
    assert tree.bytes_of("src/top.png") == b"top bytes"
    assert tree.entity("src")["properties"]["dc:title"] == "Source"
    assert sorted(tree.child_names("src")) == ["sub", "top.png"]


# -- refused operations -----------------------------------------------------------------------

def test_missing_destination_parent_is_412(tree):
    refused_for_both_verbs(tree, "src", ["/api/assets/nowhere/dest",
                                         "/api/assets/other/nowhere/dest"], 412)


def test_missing_source_is_404(tree):
    refused_for_both_verbs(tree, "ghost", ["/api/assets/dest"], 404)
    refused_for_both_verbs(tree, "src/ghost.png", ["/api/assets/other/dest.png"], 404)


def test_source_equal_to_destination_is_403(tree):
    for overwrite in ["T", "F"]:
        refused_for_both_verbs(tree, "src", ["/api/assets/src", HOST + "/api/assets/src"], 403,
                               **{"X-Overwrite": overwrite})
    refused_for_both_verbs(tree, "src/top.png", ["/api/assets/src/top.png"], 403)


def test_destination_inside_the_source_is_403(tree):
    refused_for_both_verbs(tree, "src", ["/api/assets/src/inside", "/api/assets/src/sub/deeper",
                                         HOST + "/api/assets/src/sub/x"], 403)


@pytest.mark.parametrize("verb", VERBS)
def test_a_name_that_merely_starts_with_the_source_is_allowed(tree, verb):
    tree.make_folder("a")
    tree.make_asset("a/x.png", b"x")
    response = transfer(tree, verb, "a", "/api/assets/ab")
    assert response.status_code == 201
    assert tree.bytes_of("ab/x.png") == b"x"
    assert exists(tree, "a") == (verb == "COPY")


def test_overwriting_an_ancestor_of_the_source_is_refused(tree):
    before = tree.snapshot()
    for verb in VERBS:
        response = transfer(tree, verb, "src/sub", "/api/assets/src")
        assert 400 <= response.status_code < 500, verb
        assert message(response)
    assert tree.snapshot() == before


# -- no bytes copied, atomic --------------------------------------------------------------------

def test_copy_writes_no_new_blob_files(tree, blob_root):
    before = blob_files(blob_root)
    assert before  # the fixture stored some
    assert transfer(tree, "COPY", "src", "/api/assets/copy1").status_code == 201
    assert transfer(tree, "COPY", "src", "/api/assets/copy1").status_code == 204
    assert transfer(tree, "COPY", "src/top.png", "/api/assets/other/t.png",
                    **{"X-Depth": "0"}).status_code == 201
    assert blob_files(blob_root) == before
    assert tree.bytes_of("copy1/sub/deep.png", "web.png") == b"deep web"


def test_move_writes_no_new_blob_files(tree, blob_root):
    before = blob_files(blob_root)
    assert transfer(tree, "MOVE", "src", "/api/assets/moved").status_code == 201
    assert blob_files(blob_root) == before


REFUSED = {
    "no destination": ("src", None, {}),
    "other host": ("src", "http://evil.example/api/assets/x", {}),
    "outside api": ("src", "/content/dam/x", {}),
    "overwrite F": ("src", "/api/assets/other", {"X-Overwrite": "F"}),
    "bad depth": ("src", "/api/assets/x", {"X-Depth": "7"}),
    "bad overwrite": ("src", "/api/assets/other", {"X-Overwrite": "maybe"}),
    "parent missing": ("src", "/api/assets/none/x", {}),
    "source missing": ("none", "/api/assets/x", {}),
    "onto itself": ("src", "/api/assets/src", {}),
    "into itself": ("src", "/api/assets/src/sub/x", {}),
    "onto its ancestor": ("src/sub", "/api/assets/src", {}),
    "root source": ("", "/api/assets/x", {}),
    "root destination": ("other", "/api/assets", {}),
    "folder into an asset": ("other", "/api/assets/src/top.png/x", {}),
    "bad name": ("src", "/api/assets/other/..", {}),
    "query in destination": ("src", "/api/assets/x?y=1", {}),
}


@pytest.mark.parametrize("verb", VERBS)
def test_a_refused_copy_or_move_changes_nothing(tree, blob_root, verb):
    before, blobs = tree.snapshot(), blob_files(blob_root)
    failures = []
    for case, (source, destination, headers) in REFUSED.items():
        response = transfer(tree, verb, source, destination, **headers)
        if not 400 <= response.status_code < 500:
            failures.append(f"{case}: answered {response.status_code}")
        elif not (response.get_json() or {}).get("properties", {}).get("status.message"):
            failures.append(f"{case}: no message")
    assert failures == []
    assert tree.snapshot() == before
    assert blob_files(blob_root) == blobs


def test_copy_and_move_of_a_rendition_are_refused(tree):
    before = tree.snapshot()
    for verb in VERBS:
        response = tree.open(verb, url("src/top.png") + "/renditions/original",
                             headers={"X-Destination": "/api/assets/other/r"})
        assert 400 <= response.status_code < 500
    assert tree.snapshot() == before
