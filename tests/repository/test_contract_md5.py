"""md5 is kept for the APIs that show it, even when an upload skipped computing it."""
from __future__ import annotations

import hashlib
import io

from repository import ASSET


def test_md5_of_computes_a_skipped_md5_once_and_keeps_it(repo):
    data = b"uploaded through an API that shows no md5" * 100
    blob = repo.blobs.put(io.BytesIO(data), md5=False)
    node = repo.create(("a.bin",), ASSET, blob=blob, mime_type="application/octet-stream")
    assert node.blob.md5 is None

    assert repo.md5_of(node.blob) == hashlib.md5(data).hexdigest()
    repo.blobs.path_of(blob.sha256).unlink()  # a second call must not read the bytes again
    assert repo.md5_of(repo.get(("a.bin",)).blob) == hashlib.md5(data).hexdigest()
    assert repo.get(("a.bin",)).blob.md5 == hashlib.md5(data).hexdigest()


def test_storing_known_bytes_again_with_their_md5_fills_it_in(repo):
    data = b"same bytes, twice"
    repo.create(("first",), ASSET, blob=repo.blobs.put(io.BytesIO(data), md5=False))
    repo.create(("second",), ASSET, blob=repo.blobs.put(io.BytesIO(data)))
    assert repo.get(("first",)).blob.md5 == hashlib.md5(data).hexdigest()


def test_storing_known_bytes_again_without_md5_keeps_the_known_one(repo):
    data = b"known md5"
    repo.create(("first",), ASSET, blob=repo.blobs.put(io.BytesIO(data)))
    repo.create(("second",), ASSET, blob=repo.blobs.put(io.BytesIO(data), md5=False))
    assert repo.get(("second",)).blob.md5 == hashlib.md5(data).hexdigest()
