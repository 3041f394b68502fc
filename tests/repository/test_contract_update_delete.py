"""Contract: updating properties and binaries (with optimistic locking), and deleting."""
from __future__ import annotations

import pytest

from repository import (
    ASSET,
    COMMENT,
    FOLDER,
    RENDITION,
    Forbidden,
    NotFound,
    PreconditionFailed,
)
from repository.errors import InvalidOperation

from .helpers import files_under, snapshot


@pytest.fixture
def asset(repo):
    repo.create(("f",), FOLDER)
    return repo.create(
        ("f", "a.jpg"), ASSET, properties={"title": "A", "keep": 1, "drop": "x"},
        blob=repo.blobs.put_bytes(b"first"), mime_type="image/jpeg",
    )


# -- update: properties -------------------------------------------------------------------


def test_update_merges_properties(repo, asset):
    node = repo.update(asset.path, properties={"title": "B", "new": [1, 2]})
    assert node.properties == {"title": "B", "keep": 1, "drop": "x", "new": [1, 2]}
    assert repo.get(asset.path).properties == node.properties


def test_update_with_none_removes_a_key(repo, asset):
    node = repo.update(asset.path, properties={"drop": None, "absent": None})
    assert node.properties == {"title": "A", "keep": 1}
    assert repo.get(asset.path).properties == {"title": "A", "keep": 1}


def test_update_with_replace_properties_replaces_them_all(repo, asset):
    node = repo.update(asset.path, properties={"only": True, "gone": None},
                       replace_properties=True)
    assert node.properties == {"only": True}
    assert repo.get(asset.path).properties == {"only": True}


def test_replace_with_empty_properties_clears_them(repo, asset):
    assert repo.update(asset.path, properties={}, replace_properties=True).properties == {}


def test_update_of_properties_keeps_the_binary(repo, asset):
    node = repo.update(asset.path, properties={"x": 1})
    assert node.blob == asset.blob and node.mime_type == "image/jpeg"


def test_update_returns_what_get_returns(repo, asset):
    node = repo.update(asset.path, properties={"x": 1})
    assert node == repo.get(asset.path)


# -- update: version and times ------------------------------------------------------------


def test_every_update_grows_the_version_by_one(repo, asset):
    assert asset.version == 1
    for expected in (2, 3, 4):
        assert repo.update(asset.path, properties={"n": expected}).version == expected
    assert repo.get(asset.path).version == 4


def test_update_moves_modified_forward_and_keeps_created(repo, asset):
    node = repo.update(asset.path, properties={"n": 1})
    assert node.created == asset.created
    assert node.modified >= asset.modified
    assert repo.get(asset.path).created == asset.created


def test_update_with_the_current_version_succeeds(repo, asset):
    node = repo.update(asset.path, properties={"n": 1}, expected_version=1)
    node = repo.update(asset.path, properties={"n": 2}, expected_version=node.version)
    assert node.version == 3 and node.properties["n"] == 2


def test_update_with_a_stale_version_raises_precondition_failed_and_changes_nothing(
    repo, asset
):
    repo.update(asset.path, properties={"n": 1})
    before = repo.get(asset.path)
    with pytest.raises(PreconditionFailed):
        repo.update(asset.path, properties={"n": 2}, expected_version=1,
                    blob=repo.blobs.put_bytes(b"other"))
    assert repo.get(asset.path) == before


def test_update_of_a_missing_node_raises_not_found(repo):
    with pytest.raises(NotFound):
        repo.update(("nope",), properties={"x": 1})


# -- update: binaries ---------------------------------------------------------------------


def test_update_replaces_the_binary_and_mime_type(repo, asset):
    new = repo.blobs.put_bytes(b"second version")
    node = repo.update(asset.path, blob=new, mime_type="image/png")
    assert node.blob == new and node.mime_type == "image/png"
    got = repo.get(asset.path)
    assert got.blob == new and got.blob.size == len(b"second version")
    assert got.properties == asset.properties


def test_update_of_the_binary_without_a_mime_type_keeps_the_old_one(repo, asset):
    node = repo.update(asset.path, blob=repo.blobs.put_bytes(b"second"))
    assert node.mime_type == "image/jpeg"


def test_update_of_the_mime_type_alone(repo, asset):
    node = repo.update(asset.path, mime_type="image/webp")
    assert node.mime_type == "image/webp" and node.blob == asset.blob


def test_clear_blob_removes_the_binary_and_its_mime_type(repo, asset):
    node = repo.update(asset.path, clear_blob=True)
    assert node.blob is None and node.mime_type is None
    got = repo.get(asset.path)
    assert got.blob is None and got.mime_type is None
    assert got.version == 2


def test_a_binary_can_be_added_to_an_asset_created_without_one(repo):
    repo.create(("a",), ASSET)
    blob = repo.blobs.put_bytes(b"late")
    assert repo.update(("a",), blob=blob, mime_type="text/plain").blob == blob


def test_a_rendition_binary_can_be_replaced(repo, asset):
    repo.create(asset.path + ("thumb",), RENDITION, blob=repo.blobs.put_bytes(b"t1"))
    new = repo.blobs.put_bytes(b"t2")
    assert repo.update(asset.path + ("thumb",), blob=new).blob == new


@pytest.mark.parametrize("kind", [FOLDER, COMMENT])
@pytest.mark.parametrize("change", ["blob", "clear_blob"])
def test_a_binary_on_a_folder_or_comment_raises_invalid_operation(repo, kind, change):
    repo.create(("a",), ASSET)
    path = ("f",) if kind == FOLDER else ("a", "c")
    repo.create(path, kind, properties={"p": 1})
    before = repo.get(path)
    args = {"blob": repo.blobs.put_bytes(b"x")} if change == "blob" else {"clear_blob": True}
    with pytest.raises(InvalidOperation):
        repo.update(path, properties={"p": 2}, **args)
    assert repo.get(path) == before


def test_a_binary_on_the_root_raises_invalid_operation(repo):
    with pytest.raises(InvalidOperation):
        repo.update((), blob=repo.blobs.put_bytes(b"x"))


# -- delete -------------------------------------------------------------------------------


def test_delete_removes_a_leaf(repo, asset):
    repo.delete(asset.path)
    assert not repo.exists(asset.path)
    with pytest.raises(NotFound):
        repo.get_by_id(asset.id)
    assert repo.list_children(("f",)).total == 0


def test_delete_removes_the_whole_subtree(repo):
    repo.create(("f",), FOLDER)
    repo.create(("f", "g"), FOLDER)
    repo.create(("f", "g", "h"), FOLDER)
    repo.create(("f", "g", "h", "a"), ASSET)
    repo.create(("f", "g", "h", "a", "r"), RENDITION)
    repo.create(("f", "g", "h", "a", "c"), COMMENT)
    repo.create(("sibling",), FOLDER)
    ids = [info["id"] for info in snapshot(repo, ("f",)).values()]
    assert len(ids) == 5
    repo.delete(("f",))
    assert not repo.exists(("f",))
    for node_id in ids:
        with pytest.raises(NotFound):
            repo.get_by_id(node_id)
    assert [n.name for n in repo.list_children(()).nodes] == ["sibling"]


def test_a_deleted_name_can_be_created_again_with_a_new_id(repo, asset):
    repo.delete(asset.path)
    again = repo.create(asset.path, ASSET)
    assert again.id != asset.id and again.version == 1 and again.properties == {}


def test_delete_of_a_missing_node_raises_not_found(repo):
    with pytest.raises(NotFound):
        repo.delete(("nope",))
    with pytest.raises(NotFound):
        repo.delete(("nope", "deeper"))


def test_the_root_cannot_be_deleted(repo, asset):
    with pytest.raises(Forbidden):
        repo.delete(())
    assert repo.exists(asset.path)


def test_delete_leaves_the_bytes_to_garbage_collection(repo, asset, blob_root):
    files = files_under(blob_root)
    repo.delete(asset.path)
    assert files_under(blob_root) == files
    assert repo.blobs.exists(asset.blob.sha256)


def test_a_derived_update_keeps_the_version_and_modified_time(repo):
    asset = repo.create(("img.png",), ASSET, blob=repo.blobs.put_bytes(b"png"),
                        mime_type="image/png")
    node = repo.update(asset.path, properties={"tiff:ImageWidth": 64}, derived=True,
                       expected_version=asset.version)
    assert node.properties["tiff:ImageWidth"] == 64
    assert (node.version, node.modified) == (asset.version, asset.modified)
    with pytest.raises(PreconditionFailed):  # it still honours expected_version
        repo.update(asset.path, properties={"x": 1}, derived=True,
                    expected_version=asset.version + 1)
