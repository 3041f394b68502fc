"""Contract: garbage collection of blobs no node references, and of cut-off uploads."""
from __future__ import annotations

import pytest

from repository import ASSET, FOLDER, RENDITION

from .helpers import make_old


@pytest.fixture
def orphan(repo):
    """A blob that an asset referenced until it was deleted, its file made old."""
    blob = repo.blobs.put_bytes(b"orphaned bytes")
    repo.create(("gone.bin",), ASSET, blob=blob)
    repo.delete(("gone.bin",))
    make_old(repo.blobs.path_of(blob.sha256))
    return blob


def test_unreferenced_blobs_past_the_grace_period_are_removed(repo, orphan):
    assert repo.collect_garbage(grace_seconds=60) == (1, 0)
    assert not repo.blobs.exists(orphan.sha256)
    assert repo.collect_garbage(grace_seconds=60) == (0, 0)


def test_referenced_blobs_are_kept_however_old(repo, orphan):
    kept = repo.blobs.put_bytes(b"still used")
    repo.create(("f",), FOLDER)
    repo.create(("f", "a"), ASSET, blob=kept)
    rendition = repo.blobs.put_bytes(b"rendition bytes")
    repo.create(("f", "a", "r"), RENDITION, blob=rendition)
    make_old(repo.blobs.path_of(kept.sha256), 10 * 86400)
    make_old(repo.blobs.path_of(rendition.sha256), 10 * 86400)
    repo.collect_garbage(grace_seconds=60)
    assert repo.blobs.exists(kept.sha256) and repo.blobs.exists(rendition.sha256)
    with repo.blobs.open(kept.sha256) as f:
        assert f.read() == b"still used"
    assert repo.get(("f", "a")).blob == kept


def test_young_unreferenced_blobs_are_kept_until_the_grace_period_ends(repo):
    blob = repo.blobs.put_bytes(b"just uploaded")
    repo.create(("a",), ASSET, blob=blob)
    repo.delete(("a",))
    assert repo.collect_garbage(grace_seconds=3600) == (0, 0)
    assert repo.blobs.exists(blob.sha256)
    make_old(repo.blobs.path_of(blob.sha256))
    assert repo.collect_garbage(grace_seconds=3600) == (1, 0)
    assert not repo.blobs.exists(blob.sha256)


def test_a_blob_still_referenced_by_a_copy_is_kept(repo):
    blob = repo.blobs.put_bytes(b"shared by a copy")
    repo.create(("a",), ASSET, blob=blob)
    repo.copy(("a",), ("b",))
    repo.delete(("a",))
    make_old(repo.blobs.path_of(blob.sha256))
    repo.collect_garbage(grace_seconds=60)
    assert repo.blobs.exists(blob.sha256)
    assert repo.get(("b",)).blob == blob


def test_a_blob_replaced_by_an_update_becomes_garbage(repo):
    first = repo.blobs.put_bytes(b"first")
    repo.create(("a",), ASSET, blob=first)
    repo.update(("a",), blob=repo.blobs.put_bytes(b"second"))
    make_old(repo.blobs.path_of(first.sha256))
    assert repo.collect_garbage(grace_seconds=60) == (1, 0)
    assert not repo.blobs.exists(first.sha256)


def test_a_file_never_committed_to_the_database_is_removed_when_old(repo):
    # An upload that stored its bytes but whose transaction never committed (a crash).
    young = repo.blobs.put_bytes(b"in flight")
    stray = repo.blobs.put_bytes(b"crashed before commit")
    make_old(repo.blobs.path_of(stray.sha256))
    assert repo.collect_garbage(grace_seconds=60) == (1, 0)
    assert not repo.blobs.exists(stray.sha256)
    assert repo.blobs.exists(young.sha256)


def test_grace_zero_removes_every_unreferenced_blob_at_once(repo):
    blob = repo.blobs.put_bytes(b"x")
    repo.create(("a",), ASSET, blob=blob)
    repo.delete(("a",))
    repo.blobs.put_bytes(b"never referenced")
    assert repo.collect_garbage(grace_seconds=0) == (2, 0)
    assert list(repo.blobs.all_keys()) == []


def test_content_uploaded_again_after_collection_is_stored_and_usable(repo, orphan):
    repo.collect_garbage(grace_seconds=60)
    again = repo.blobs.put_bytes(b"orphaned bytes")
    assert again == orphan
    node = repo.create(("back.bin",), ASSET, blob=again)
    assert node.blob == orphan and repo.blobs.exists(orphan.sha256)
    with repo.blobs.open(orphan.sha256) as f:
        assert f.read() == b"orphaned bytes"


def test_stale_upload_temp_files_are_removed_and_fresh_ones_kept(repo):
    stale = repo.blobs.tmp_dir / "upload-stale"
    stale.write_bytes(b"cut off")
    make_old(stale)
    fresh = repo.blobs.tmp_dir / "upload-fresh"
    fresh.write_bytes(b"still streaming")
    assert repo.collect_garbage(grace_seconds=60) == (0, 1)
    assert not stale.exists() and fresh.exists()


def test_collection_leaves_the_tree_alone(repo, orphan):
    repo.create(("f",), FOLDER, properties={"x": 1})
    before = repo.list_children((), limit=None)
    repo.collect_garbage(grace_seconds=0)
    assert repo.list_children((), limit=None) == before
