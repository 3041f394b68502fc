"""The content-addressed blob store on its own (no database, so one run, not one per backend)."""
from __future__ import annotations

import hashlib
import io
import os
import time

import pytest

from repository.blobs import CHUNK_SIZE, BlobStore, BlobTooLarge, StoredBlob

from .helpers import files_under, make_old


@pytest.fixture
def store(tmp_path) -> BlobStore:
    return BlobStore(tmp_path / "blobs")


class RecordingStream(io.RawIOBase):
    """A stream that hands out at most ``read(n)`` bytes and records every request."""

    def __init__(self, data: bytes, fail_after: int | None = None) -> None:
        self._data = io.BytesIO(data)
        self.requests: list[int] = []
        self.fail_after = fail_after

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        self.requests.append(size)
        if self.fail_after is not None and self._data.tell() >= self.fail_after:
            raise ConnectionResetError("client went away")
        return self._data.read(size)


def test_put_returns_sha256_md5_and_size(store):
    data = b"hello, blob store\n" * 1000
    stored = store.put(io.BytesIO(data))
    assert stored == StoredBlob(
        sha256=hashlib.sha256(data).hexdigest(), md5=hashlib.md5(data).hexdigest(),
        size=len(data),
    )


def test_put_stores_the_bytes_at_their_content_address(store):
    stored = store.put_bytes(b"addressed")
    path = store.path_of(stored.sha256)
    assert path == store.root / stored.sha256[:2] / stored.sha256[2:4] / stored.sha256
    assert path.read_bytes() == b"addressed"
    assert store.exists(stored.sha256)
    with store.open(stored.sha256) as f:
        assert f.read() == b"addressed"


def test_put_streams_in_chunks_rather_than_reading_everything(store):
    data = os.urandom(2 * CHUNK_SIZE + 12345)
    stream = RecordingStream(data)
    stored = store.put(stream)
    assert stored.size == len(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.md5 == hashlib.md5(data).hexdigest()
    assert all(0 < n <= CHUNK_SIZE for n in stream.requests), stream.requests
    assert len(stream.requests) >= 3
    assert store.path_of(stored.sha256).read_bytes() == data


def test_an_empty_upload_is_a_blob_too(store):
    stored = store.put_bytes(b"")
    assert stored.size == 0
    assert stored.sha256 == hashlib.sha256(b"").hexdigest()
    assert store.exists(stored.sha256)


def test_the_same_content_is_stored_once(store):
    first = store.put_bytes(b"same bytes")
    second = store.put(io.BytesIO(b"same bytes"))
    assert first == second
    assert list(store.all_keys()) == [first.sha256]
    assert files_under(store.root) == {store.path_of(first.sha256)}


def test_storing_existing_content_again_refreshes_its_time(store):
    # So garbage collection's grace period protects it until the new row commits.
    stored = store.put_bytes(b"refreshed")
    path = store.path_of(stored.sha256)
    make_old(path, 86400)
    store.put_bytes(b"refreshed")
    assert time.time() - path.stat().st_mtime < 60


def test_more_than_max_size_raises_blob_too_large_and_keeps_nothing(store):
    with pytest.raises(BlobTooLarge):
        store.put(io.BytesIO(b"x" * 101), max_size=100)
    assert files_under(store.root) == set()
    assert list(store.tmp_dir.iterdir()) == []


def test_max_size_is_checked_while_streaming(store):
    data = os.urandom(3 * CHUNK_SIZE)
    stream = RecordingStream(data)
    with pytest.raises(BlobTooLarge):
        store.put(stream, max_size=CHUNK_SIZE + 1)
    assert len(stream.requests) <= 2  # stopped reading as soon as the limit was passed
    assert files_under(store.root) == set()


def test_exactly_max_size_is_accepted(store):
    stored = store.put(io.BytesIO(b"x" * 100), max_size=100)
    assert stored.size == 100 and store.exists(stored.sha256)


def test_a_stream_that_fails_midway_leaves_no_file(store):
    stream = RecordingStream(os.urandom(2 * CHUNK_SIZE), fail_after=CHUNK_SIZE)
    with pytest.raises(ConnectionResetError):
        store.put(stream)
    assert files_under(store.root) == set()


def test_all_keys_lists_stored_blobs_but_not_temporary_uploads(store):
    a = store.put_bytes(b"a")
    b = store.put_bytes(b"b")
    (store.tmp_dir / "upload-partial").write_bytes(b"partial")
    assert sorted(store.all_keys()) == sorted([a.sha256, b.sha256])


def test_remove_respects_older_than(store):
    stored = store.put_bytes(b"to remove")
    assert store.remove(stored.sha256, older_than=60) is False
    assert store.exists(stored.sha256)
    make_old(store.path_of(stored.sha256))
    assert store.remove(stored.sha256, older_than=60) is True
    assert not store.exists(stored.sha256)
    assert store.remove(stored.sha256) is False  # already gone


def test_remove_stale_uploads_only_removes_old_temporary_files(store):
    old = store.tmp_dir / "upload-old"
    old.write_bytes(b"old")
    make_old(old)
    new = store.tmp_dir / "upload-new"
    new.write_bytes(b"new")
    kept = store.put_bytes(b"a real blob")
    make_old(store.path_of(kept.sha256))
    assert store.remove_stale_uploads(older_than=60) == 1
    assert not old.exists() and new.exists() and store.exists(kept.sha256)


def test_the_store_creates_its_folders(tmp_path):
    store = BlobStore(tmp_path / "deep" / "blobs")
    assert store.tmp_dir.is_dir()
    assert list(store.all_keys()) == []


def test_put_without_md5_skips_it_and_keeps_the_sha256(store):
    data = os.urandom(3 * CHUNK_SIZE + 5)
    stored = store.put(io.BytesIO(data), md5=False)
    assert stored == StoredBlob(sha256=hashlib.sha256(data).hexdigest(), md5=None, size=len(data))
    assert store.md5_of(stored.sha256) == hashlib.md5(data).hexdigest()


@pytest.mark.parametrize("size", [0, 1, CHUNK_SIZE, CHUNK_SIZE + 1, 20 * CHUNK_SIZE + 7])
def test_put_hashes_and_stores_every_size_exactly(store, size):
    """Bodies of one chunk are handled inline, larger ones by the hashing threads."""
    data = os.urandom(size)
    stored = store.put(RecordingStream(data))
    assert stored == StoredBlob(sha256=hashlib.sha256(data).hexdigest(),
                                md5=hashlib.md5(data).hexdigest(), size=size)
    assert store.path_of(stored.sha256).read_bytes() == data


@pytest.mark.parametrize("fail_after", [0, CHUNK_SIZE // 2, 10 * CHUNK_SIZE])
def test_a_stream_that_breaks_mid_upload_leaves_nothing_and_no_thread(store, fail_after):
    import threading

    before = {t for t in threading.enumerate() if t.name.startswith("blob-")}
    with pytest.raises(ConnectionResetError):
        store.put(RecordingStream(os.urandom(12 * CHUNK_SIZE), fail_after=fail_after))
    assert files_under(store.root) == set()
    assert {t for t in threading.enumerate() if t.name.startswith("blob-")} == before
