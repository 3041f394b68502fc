"""Content-addressed binary store on the filesystem.

Files live at ``<root>/<sha[:2]>/<sha[2:4]>/<sha>``. An upload streams into a temporary
file under ``<root>/tmp`` while md5 and sha256 are computed in one pass; the file is
fsync'ed and renamed into place before the caller commits the database row that refers
to it, so a crash leaves at most an unreferenced file, never a row without bytes.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterator

CHUNK_SIZE = 1024 * 1024


class BlobTooLarge(Exception):
    """The stream delivered more bytes than the caller allowed."""


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    md5: str
    size: int


class BlobStore:
    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root)
        self.tmp_dir = self.root / "tmp"
        self.tmp_dir.mkdir(parents=True, exist_ok=True)

    def path_of(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path_of(sha256).is_file()

    def put(self, stream: BinaryIO, max_size: int | None = None) -> StoredBlob:
        """Stream ``stream`` into the store and return what was stored.

        Memory use is one chunk, whatever the size. Raises :class:`BlobTooLarge` (and
        keeps nothing) when more than ``max_size`` bytes arrive.
        """
        md5, sha = hashlib.md5(usedforsecurity=False), hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(dir=self.tmp_dir, prefix="upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK_SIZE):
                    size += len(chunk)
                    if max_size is not None and size > max_size:
                        raise BlobTooLarge(f"the upload is larger than {max_size} bytes")
                    md5.update(chunk)
                    sha.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            digest = sha.hexdigest()
            final = self.path_of(digest)
            if final.exists():
                # Same bytes already stored: refresh the time so gc's grace period
                # protects it until the caller's transaction commits.
                os.utime(final)
            else:
                final.parent.mkdir(parents=True, exist_ok=True)
                os.replace(tmp_name, final)
                _fsync_dir(final.parent)
            return StoredBlob(sha256=digest, md5=md5.hexdigest(), size=size)
        finally:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)

    def put_bytes(self, data: bytes) -> StoredBlob:
        import io

        return self.put(io.BytesIO(data))

    def open(self, sha256: str) -> BinaryIO:
        return open(self.path_of(sha256), "rb")

    def all_keys(self) -> Iterator[str]:
        for first in self.root.iterdir():
            if first.name == "tmp" or not first.is_dir():
                continue
            for second in first.iterdir():
                for blob in second.iterdir():
                    yield blob.name

    def remove(self, sha256: str, *, older_than: float | None = None) -> bool:
        """Delete a blob file; with ``older_than`` (seconds) only if it is that old."""
        path = self.path_of(sha256)
        try:
            if older_than is not None and time.time() - path.stat().st_mtime < older_than:
                return False
            path.unlink()
            return True
        except FileNotFoundError:
            return False

    def remove_stale_uploads(self, older_than: float) -> int:
        """Remove temporary files left by uploads that were cut off (a crash, a kill)."""
        removed = 0
        now = time.time()
        for tmp in self.tmp_dir.iterdir():
            try:
                if now - tmp.stat().st_mtime >= older_than:
                    tmp.unlink()
                    removed += 1
            except FileNotFoundError:
                pass
        return removed


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
