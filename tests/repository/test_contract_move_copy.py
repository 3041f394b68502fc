"""Contract: MOVE and COPY — one set of rules for both verbs, differences as data.

Move changes one row whatever the size of the subtree and keeps every id; copy writes new
rows (new ids) that share the source's blobs, never bytes. Both replace (never merge) an
existing destination when overwrite is allowed, and both are atomic.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest
from sqlalchemy import insert

from repository import (
    ASSET,
    COMMENT,
    FOLDER,
    RENDITION,
    Forbidden,
    InvalidPath,
    NotFound,
    ParentMissing,
    PreconditionFailed,
)
from repository.errors import InvalidOperation
from repository.models import NodeRow

from .helpers import InjectedFault, fail_statement, files_under, shape, snapshot, statements

VERBS = ["move", "copy"]


def transfer(repo, verb, source, destination, **options):
    return getattr(repo, verb)(source, destination, **options)


@pytest.fixture
def tree(repo):
    """/src (a folder with a small subtree), /dst (an existing folder), /other."""
    repo.create(("src",), FOLDER, properties={"p": "src"})
    repo.create(("src", "sub"), FOLDER, properties={"p": "sub"})
    repo.create(("src", "sub", "deep.jpg"), ASSET, properties={"title": "Deep"},
                blob=repo.blobs.put_bytes(b"deep bytes"), mime_type="image/jpeg")
    repo.create(("src", "sub", "deep.jpg", "thumb"), RENDITION,
                blob=repo.blobs.put_bytes(b"thumb bytes"), mime_type="image/png")
    repo.create(("src", "sub", "deep.jpg", "c1"), COMMENT, properties={"text": "hi"})
    repo.create(("src", "top.png"), ASSET, blob=repo.blobs.put_bytes(b"top bytes"),
                mime_type="image/png")
    repo.create(("dst",), FOLDER, properties={"p": "dst"})
    repo.create(("dst", "old"), FOLDER)
    repo.create(("dst", "old", "older.txt"), ASSET)
    repo.create(("other",), FOLDER)
    return repo


# -- rules shared by both verbs -----------------------------------------------------------


@pytest.mark.parametrize("verb", VERBS)
def test_transfer_to_a_new_name_returns_true(tree, verb):
    expected = shape(snapshot(tree, ("src",)))
    assert transfer(tree, verb, ("src",), ("other", "new")) is True
    assert shape(snapshot(tree, ("other", "new"))) == expected
    assert tree.get(("other", "new")).properties == {"p": "src"}
    assert tree.exists(("src",)) is (verb == "copy")


@pytest.mark.parametrize("verb", VERBS)
def test_transfer_onto_an_existing_node_replaces_it_and_returns_false(tree, verb):
    replaced = tree.get(("dst",))
    replaced_child = tree.get(("dst", "old", "older.txt"))
    expected = shape(snapshot(tree, ("src",)))
    assert transfer(tree, verb, ("src",), ("dst",), overwrite=True) is False
    # Replaced, not merged: what /dst held before is gone, ids and all.
    assert shape(snapshot(tree, ("dst",))) == expected
    assert not tree.exists(("dst", "old"))
    assert tree.get(("dst",)).properties == {"p": "src"}
    for node_id in (replaced.id, replaced_child.id):
        with pytest.raises(NotFound):
            tree.get_by_id(node_id)


@pytest.mark.parametrize("verb", VERBS)
def test_overwrite_is_the_default(tree, verb):
    assert transfer(tree, verb, ("src",), ("dst",)) is False
    assert not tree.exists(("dst", "old"))


@pytest.mark.parametrize("verb", VERBS)
def test_transfer_onto_an_existing_node_without_overwrite_raises_precondition_failed(
    tree, verb
):
    before = snapshot(tree)
    with pytest.raises(PreconditionFailed):
        transfer(tree, verb, ("src",), ("dst",), overwrite=False)
    assert snapshot(tree) == before


@pytest.mark.parametrize("verb", VERBS)
def test_transfer_to_a_new_name_without_overwrite_succeeds(tree, verb):
    assert transfer(tree, verb, ("src",), ("fresh",), overwrite=False) is True
    assert tree.exists(("fresh", "sub", "deep.jpg", "thumb"))


@pytest.mark.parametrize("verb", VERBS)
def test_transfer_into_its_own_subtree_is_forbidden(tree, verb):
    before = snapshot(tree)
    for destination in [("src", "inside"), ("src", "sub", "inside"), ("src", "sub", "deep.jpg")]:
        with pytest.raises(Forbidden):
            transfer(tree, verb, ("src",), destination)
        with pytest.raises(Forbidden):
            transfer(tree, verb, ("src",), destination, overwrite=False)
    assert snapshot(tree) == before


@pytest.mark.parametrize("verb", VERBS)
def test_transfer_onto_itself_is_forbidden(tree, verb):
    before = snapshot(tree)
    for overwrite in (True, False):
        with pytest.raises(Forbidden):
            transfer(tree, verb, ("src", "sub"), ("src", "sub"), overwrite=overwrite)
    assert snapshot(tree) == before


@pytest.mark.parametrize("verb", VERBS)
def test_transfer_onto_an_ancestor_of_the_source_is_forbidden(tree, verb):
    before = snapshot(tree)
    with pytest.raises(Forbidden):
        transfer(tree, verb, ("src", "sub"), ("src",))
    assert snapshot(tree) == before


@pytest.mark.parametrize("verb", VERBS)
def test_a_name_that_merely_starts_with_the_source_name_is_not_inside_it(repo, verb):
    # Subtrees are compared segment by segment, not as string prefixes.
    repo.create(("a",), FOLDER)
    repo.create(("a", "child"), FOLDER)
    repo.create(("abc",), FOLDER)
    assert transfer(repo, verb, ("a",), ("ab",)) is True  # '/a' -> '/ab'
    assert repo.exists(("ab", "child"))
    assert transfer(repo, verb, ("abc",), ("ab", "abc")) is True  # '/abc' -> '/ab/abc'
    assert repo.exists(("ab", "abc"))


@pytest.mark.parametrize("verb", VERBS)
def test_a_missing_destination_parent_raises_parent_missing(tree, verb):
    before = snapshot(tree)
    with pytest.raises(ParentMissing):
        transfer(tree, verb, ("src",), ("nowhere", "x"))
    assert snapshot(tree) == before


@pytest.mark.parametrize("verb", VERBS)
def test_a_missing_source_raises_not_found(tree, verb):
    before = snapshot(tree)
    with pytest.raises(NotFound):
        transfer(tree, verb, ("nope",), ("other", "x"))
    with pytest.raises(NotFound):
        transfer(tree, verb, ("src", "nope"), ("other", "x"))
    assert snapshot(tree) == before


@pytest.mark.parametrize("verb", VERBS)
def test_the_root_can_be_neither_source_nor_destination(tree, verb):
    before = snapshot(tree)
    with pytest.raises(Forbidden):
        transfer(tree, verb, (), ("other", "root"))
    with pytest.raises(Forbidden):
        transfer(tree, verb, ("src",), ())
    assert snapshot(tree) == before


@pytest.mark.parametrize("verb", VERBS)
def test_transfer_follows_the_kind_rules(tree, verb):
    before = snapshot(tree)
    with pytest.raises(InvalidOperation):  # an asset inside an asset
        transfer(tree, verb, ("src", "top.png"), ("src", "sub", "deep.jpg", "x"))
    with pytest.raises(InvalidOperation):  # a rendition inside a folder
        transfer(tree, verb, ("src", "sub", "deep.jpg", "thumb"), ("other", "thumb"))
    with pytest.raises(InvalidOperation):  # a folder inside an asset
        transfer(tree, verb, ("other",), ("src", "top.png", "other"))
    assert snapshot(tree) == before


@pytest.mark.parametrize("verb", VERBS)
def test_a_rendition_may_go_to_another_asset(tree, verb):
    transfer(tree, verb, ("src", "sub", "deep.jpg", "thumb"), ("src", "top.png", "thumb"))
    assert tree.get(("src", "top.png", "thumb")).kind == RENDITION


@pytest.mark.parametrize("verb", VERBS)
def test_an_invalid_destination_name_raises_invalid_path(tree, verb):
    for name in ["*", "..", ".", "", "a/b", "a\x00", "x" * 256]:
        with pytest.raises(InvalidPath):
            transfer(tree, verb, ("src",), ("other", name))
    assert tree.list_children(("other",)).total == 0
    assert tree.exists(("src",))


# -- atomicity ------------------------------------------------------------------------------


def test_a_move_that_fails_midway_changes_nothing(tree):
    before = snapshot(tree)
    # Fail the UPDATE that re-parents the source, after /dst was already deleted.
    with fail_statement(tree.engine, "UPDATE nodes") as ran:
        with pytest.raises(InjectedFault):
            tree.move(("src",), ("dst",), overwrite=True)
    assert any(s.lstrip().upper().startswith("DELETE FROM NODES") for s in ran)
    assert snapshot(tree) == before


def test_a_copy_that_fails_midway_changes_nothing(tree):
    before = snapshot(tree)
    with fail_statement(tree.engine, "INSERT INTO nodes") as ran:
        with pytest.raises(InjectedFault):
            tree.copy(("src",), ("dst",), overwrite=True)
    assert any(s.lstrip().upper().startswith("DELETE FROM NODES") for s in ran)
    assert snapshot(tree) == before


# -- move -----------------------------------------------------------------------------------


def test_move_keeps_the_ids_of_the_whole_subtree(tree):
    before = snapshot(tree, ("src",))
    tree.move(("src",), ("other", "moved"))
    after = snapshot(tree, ("other", "moved"))
    assert {p: i["id"] for p, i in after.items()} == {p: i["id"] for p, i in before.items()}
    assert not tree.exists(("src",))


def test_move_changes_the_paths_found_by_id(tree):
    deep = tree.get(("src", "sub", "deep.jpg"))
    moved = tree.get(("src",))
    tree.move(("src",), ("other", "moved"))
    assert tree.get_by_id(deep.id).path == ("other", "moved", "sub", "deep.jpg")
    got = tree.get_by_id(moved.id)
    assert got.path == ("other", "moved") and got.name == "moved"
    assert got.parent_id == tree.get(("other",)).id


def test_move_is_also_a_rename(tree):
    node = tree.get(("src", "top.png"))
    tree.move(("src", "top.png"), ("src", "renamed.png"))
    renamed = tree.get(("src", "renamed.png"))
    assert renamed.id == node.id and renamed.blob == node.blob
    assert renamed.properties == node.properties and renamed.mime_type == node.mime_type


def test_move_grows_the_version_of_the_moved_node_only(tree):
    src = tree.get(("src",))
    sub = tree.get(("src", "sub"))
    tree.move(("src",), ("moved",))
    assert tree.get(("moved",)).version == src.version + 1
    assert tree.get(("moved", "sub")).version == sub.version


def test_move_changes_one_row_whatever_the_size_of_the_subtree(tree):
    with statements(tree.engine) as ran:
        tree.move(("src",), ("other", "moved"))
    writes = [(s, n) for s, n in ran if s.split()[0].upper() in ("INSERT", "UPDATE", "DELETE")]
    assert len(writes) == 1, writes
    statement, rowcount = writes[0]
    assert statement.upper().startswith("UPDATE NODES") and rowcount == 1


def test_move_writes_no_blob_files(tree, blob_root):
    files = files_under(blob_root)
    tree.move(("src",), ("other", "moved"))
    assert files_under(blob_root) == files


# -- copy -----------------------------------------------------------------------------------


def test_copy_reproduces_the_subtree_with_new_ids(tree):
    source = snapshot(tree, ("src",))
    tree.copy(("src",), ("other", "copy"))
    copy = snapshot(tree, ("other", "copy"))
    assert shape(copy) == shape(source)
    assert not {i["id"] for i in copy.values()} & {i["id"] for i in source.values()}
    assert tree.get(("other", "copy")).id != tree.get(("src",)).id
    assert snapshot(tree, ("src",)) == source  # the source is untouched


def test_copied_nodes_are_new_nodes(tree):
    tree.update(("src",), properties={"bump": 1})
    tree.copy(("src",), ("copy",))
    top = tree.get(("copy",))
    assert top.version == 1
    assert top.created.astimezone(timezone.utc) >= tree.get(("src",)).created
    assert top.parent_id == tree.get(()).id


def test_copy_shares_blobs_and_writes_no_bytes(tree, blob_root):
    files = files_under(blob_root)
    tree.copy(("src",), ("other", "copy"))
    assert files_under(blob_root) == files
    original = tree.get(("src", "sub", "deep.jpg"))
    copied = tree.get(("other", "copy", "sub", "deep.jpg"))
    assert copied.blob == original.blob
    assert copied.blob.sha256 == original.blob.sha256 and copied.mime_type == "image/jpeg"
    thumb = tree.get(("other", "copy", "sub", "deep.jpg", "thumb"))
    assert thumb.blob == tree.get(("src", "sub", "deep.jpg", "thumb")).blob


def test_copy_with_depth_zero_copies_only_the_node(tree):
    assert tree.copy(("src",), ("shallow",), recursive=False) is True
    shallow = tree.get(("shallow",))
    assert shallow.kind == FOLDER and shallow.properties == {"p": "src"}
    assert tree.list_children(("shallow",)).total == 0


def test_copy_with_depth_zero_of_an_asset_keeps_its_binary_but_not_its_renditions(tree):
    tree.copy(("src", "sub", "deep.jpg"), ("other", "deep.jpg"), recursive=False)
    copied = tree.get(("other", "deep.jpg"))
    assert copied.blob == tree.get(("src", "sub", "deep.jpg")).blob
    assert copied.properties == {"title": "Deep"}
    assert tree.list_children(("other", "deep.jpg")).total == 0


def test_a_copy_is_independent_of_its_source(tree):
    tree.copy(("src",), ("copy",))
    tree.update(("copy", "sub", "deep.jpg"), properties={"title": "Changed"})
    tree.delete(("copy", "top.png"))
    assert tree.get(("src", "sub", "deep.jpg")).properties == {"title": "Deep"}
    assert tree.exists(("src", "top.png"))
    tree.delete(("src",))
    copied = tree.get(("copy", "sub", "deep.jpg"))
    assert tree.blobs.exists(copied.blob.sha256)
    with tree.blobs.open(copied.blob.sha256) as f:
        assert f.read() == b"deep bytes"


def test_copy_of_a_single_asset_to_another_folder(tree):
    assert tree.copy(("src", "top.png"), ("other", "top.png")) is True
    assert tree.get(("other", "top.png")).blob == tree.get(("src", "top.png")).blob


def _bulk_subtree(repo, top: str, folders: int, per_folder: int) -> int:
    """Insert /top with ``folders`` folders of ``per_folder`` assets, fast; returns count."""
    now = datetime.now(timezone.utc)
    blob = repo.blobs.put_bytes(b"shared")
    top_node = repo.create((top,), FOLDER)
    repo.create((top, "seed.bin"), ASSET, blob=blob)  # registers the blob row
    rows = []
    for f in range(folders):
        folder_id = str(uuid.uuid4())
        rows.append(dict(id=folder_id, parent_id=top_node.id, name=f"f{f}", kind=FOLDER,
                         properties={"f": f}, created=now, modified=now, version=1))
        for a in range(per_folder):
            rows.append(dict(id=str(uuid.uuid4()), parent_id=folder_id, name=f"a{a:04}",
                             kind=ASSET, properties={"a": a}, blob_sha256=blob.sha256,
                             mime_type="application/octet-stream", created=now,
                             modified=now, version=1))
    with repo.engine.begin() as conn:
        conn.execute(insert(NodeRow), [
            {"blob_sha256": None, "mime_type": None, **row} for row in rows
        ])
    return len(rows) + 2


def _level(repo, path):
    return [(n.name, n.kind, n.properties, n.blob, n.mime_type)
            for n in repo.list_children(path, limit=None).nodes]


def test_copy_of_a_subtree_larger_than_one_insert_batch(repo):
    count = _bulk_subtree(repo, "big", folders=3, per_folder=400)
    assert count > 1000
    assert repo.copy(("big",), ("big2",)) is True
    assert _level(repo, ("big2",)) == _level(repo, ("big",))
    for folder in ("f0", "f1", "f2"):
        copied = _level(repo, ("big2", folder))
        assert len(copied) == 400
        assert copied == _level(repo, ("big", folder))
    originals = {n.id for n in repo.list_children(("big", "f2"), limit=None).nodes}
    copies = {n.id for n in repo.list_children(("big2", "f2"), limit=None).nodes}
    assert not originals & copies


def test_a_copy_that_fails_after_its_first_batch_leaves_nothing_behind(repo):
    _bulk_subtree(repo, "big", folders=3, per_folder=400)
    repo.create(("big2",), FOLDER, properties={"keep": True})
    with fail_statement(repo.engine, "INSERT INTO nodes", skip=1):
        with pytest.raises(InjectedFault):
            repo.copy(("big",), ("big2",))
    assert repo.get(("big2",)).properties == {"keep": True}
    assert repo.list_children(("big2",)).total == 0
