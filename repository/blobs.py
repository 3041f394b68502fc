"""Content-addressed binary store on the filesystem.

Files live at ``<root>/<sha[:2]>/<sha[2:4]>/<sha>``. An upload streams into a temporary
file under ``<root>/tmp`` while sha256 (and md5, unless the caller skips it) are computed
in the same pass; the file is fsync'ed and renamed into place before the caller commits
the database row that refers to it, so a crash leaves at most an unreferenced file, never
a row without bytes.

Every folder is made readable by its owner only (0700) and every file (0600, as
``mkstemp`` makes them): the bytes are the users' assets.

A process uploading holds an advisory lock (``flock``) on its temporary file until the file
is renamed into place or removed. The kernel drops the lock when the process dies, however
it dies, so a store opening (every server process and CLI command at start-up) removes the
temporary files of dead processes (:meth:`BlobStore.remove_dead_uploads`) and leaves
those of live processes, which may share the folder, alone.
"""
from __future__ import annotations

import fcntl
import hashlib
import io
import os
import queue
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterator

CHUNK_SIZE = 1024 * 1024
#: Folders of the store: readable by their owner only.
PRIVATE_DIR = 0o700
UPLOAD_PREFIX = "upload-"


class BlobTooLarge(Exception):
    """The stream delivered more bytes than the caller allowed."""


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    #: None when the upload skipped it (see ``BlobStore.put``).
    md5: str | None
    size: int


class BlobStore:
    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root)
        self.tmp_dir = self.root / "tmp"
        make_private_dirs(self.tmp_dir)
        self.remove_dead_uploads()

    def path_of(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path_of(sha256).is_file()

    def put(self, stream: BinaryIO, max_size: int | None = None, *, md5: bool = True) -> StoredBlob:
        """Stream ``stream`` into the store and return what was stored.

        Memory use is a few chunks, whatever the size. Raises :class:`BlobTooLarge` (and
        keeps nothing) when more than ``max_size`` bytes arrive. With ``md5=False`` the
        md5 is not computed (``StoredBlob.md5`` is None): md5 costs more than twice the
        disk write on a fast disk, so the APIs that never show it skip it, and
        ``Repository.md5_of`` computes it once if another API asks later.
        """
        digests = {"sha256": hashlib.sha256()}
        if md5:
            digests["md5"] = hashlib.md5(usedforsecurity=False)
        size = 0
        fd, tmp_name, lock_fd = self._new_upload()
        try:
            with _Pipeline(fd, list(digests.values())) as pipeline:
                while chunk := pipeline.read(stream):
                    size += len(chunk)
                    if max_size is not None and size > max_size:
                        raise BlobTooLarge(f"the upload is larger than {max_size} bytes")
                    pipeline.write(chunk)
            digest = digests["sha256"].hexdigest()
            final = self.path_of(digest)
            if final.exists():
                # Same bytes already stored: refresh the time so gc's grace period
                # protects it until the caller's transaction commits.
                os.utime(final)
            else:
                make_private_dirs(final.parent)
                os.replace(tmp_name, final)
                _fsync_dir(final.parent)
            return StoredBlob(sha256=digest, md5=digests["md5"].hexdigest() if md5 else None,
                              size=size)
        finally:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)
            os.close(lock_fd)  # only now: the file is in place or gone

    def _new_upload(self) -> tuple[int, str, int]:
        """A new temporary file: (its fd for writing, its name, the fd holding its lock).

        The lock sits on a descriptor of its own, so it lasts until the caller closes that
        one, after the writing descriptor is closed and the file renamed. A sweeping
        process may have removed the file between its creation and the lock (it looked
        unlocked): then the file has no name any more, and another is made."""
        while True:
            fd, name = tempfile.mkstemp(dir=self.tmp_dir, prefix=UPLOAD_PREFIX)
            lock_fd = os.open(name, os.O_RDONLY)
            fcntl.flock(lock_fd, fcntl.LOCK_EX)
            if os.fstat(lock_fd).st_nlink > 0:
                return fd, name, lock_fd
            os.close(lock_fd)
            os.close(fd)

    def remove_dead_uploads(self) -> int:
        """Remove the temporary files of uploads whose process died (nothing holds their
        lock any more); returns how many. Live uploads, of this or another process, hold
        their locks and stay."""
        return sum(_remove_unless_locked(tmp) for tmp in self.tmp_dir.iterdir())

    def md5_of(self, sha256: str) -> str:
        """Compute the md5 of a stored blob by reading it once."""
        digest = hashlib.md5(usedforsecurity=False)
        with self.open(sha256) as source:
            while chunk := source.read(CHUNK_SIZE):
                digest.update(chunk)
        return digest.hexdigest()

    def put_bytes(self, data: bytes) -> StoredBlob:
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
        """Remove temporary files older than ``older_than`` seconds left by uploads that
        were cut off (a crash, a kill); a live upload's (locked) file stays, however old."""
        removed = 0
        now = time.time()
        for tmp in self.tmp_dir.iterdir():
            try:
                if now - tmp.stat().st_mtime >= older_than:
                    removed += _remove_unless_locked(tmp)
            except FileNotFoundError:
                pass
        return removed


class _Pipeline:
    """Read chunks into reused buffers and write them to ``fd`` while threads hash them.

    A large upload costs, one after another, reading the socket, hashing, copying into
    the page cache and waiting for the disk. Here each digest runs in its own thread
    (hashlib releases the GIL on large buffers), the disk starts writing back every
    ``FLUSH_EVERY`` bytes instead of all at the end, and a few buffers are reused
    instead of allocating (and page-faulting) a new one per chunk: the upload takes
    about as long as its slowest part instead of the sum. A body of one chunk never
    starts a thread. Leaving the ``with`` block normally waits for the digests and
    fsyncs the file; leaving it by an exception stops the threads and closes the file.
    """

    FLUSH_EVERY = 8 * CHUNK_SIZE
    BUFFERS = 8

    def __init__(self, fd: int, digests: list) -> None:
        self.fd = fd
        self.digests = digests
        self.free: queue.SimpleQueue[bytearray] = queue.SimpleQueue()
        self.buffers_made = 0
        self.users: dict[int, int] = {}  # id(buffer) -> how many still use its chunk
        self.lock = threading.Lock()
        self.pending: memoryview | None = None
        self.queues: list[queue.SimpleQueue] = []
        self.threads: list[threading.Thread] = []
        self.written = self.flushed = 0
        self.flush_wanted = threading.Event()

    def __enter__(self) -> "_Pipeline":
        return self

    def read(self, stream: BinaryIO) -> memoryview | None:
        """The next chunk of ``stream`` (in a buffer of this pipeline), None at its end."""
        if not self.free.empty() or self.buffers_made == self.BUFFERS:
            buffer = self.free.get()  # waits while every buffer is in use
        else:
            buffer = bytearray(CHUNK_SIZE)
            self.buffers_made += 1
        count = _read_into(stream, buffer)
        if not count:
            self.free.put(buffer)
            return None
        return memoryview(buffer)[:count]

    def write(self, chunk: memoryview) -> None:
        if not self.threads:
            if self.pending is None:  # maybe the only chunk: keep it single-threaded
                self.pending = chunk
                return
            self._start()
            self._write(self.pending)
            self.pending = None
        self._write(chunk)

    def _start(self) -> None:
        for digest in self.digests:
            chunks: queue.SimpleQueue = queue.SimpleQueue()
            self.queues.append(chunks)
            self.threads.append(threading.Thread(target=self._hash_chunks, args=(digest, chunks),
                                                 daemon=True, name="blob-hash"))
        self.threads.append(threading.Thread(target=self._flush_written, daemon=True,
                                             name="blob-flush"))
        for thread in self.threads:
            thread.start()

    def _write(self, chunk: memoryview) -> None:
        with self.lock:
            self.users[id(chunk.obj)] = len(self.queues) + 1
        for chunks in self.queues:
            chunks.put(chunk)
        view = chunk
        while view:
            view = view[os.write(self.fd, view):]
        self._release(chunk)
        self.written += len(chunk)
        if self.written - self.flushed >= self.FLUSH_EVERY:
            self.flushed = self.written
            self.flush_wanted.set()

    def _release(self, chunk: memoryview) -> None:
        """One user is done with ``chunk``; the last one gives its buffer back."""
        with self.lock:
            left = self.users[id(chunk.obj)] - 1
            if left:
                self.users[id(chunk.obj)] = left
                return
            del self.users[id(chunk.obj)]
        self.free.put(chunk.obj)

    def _hash_chunks(self, digest, chunks: queue.SimpleQueue) -> None:
        while (chunk := chunks.get()) is not None:
            if chunk is _ABANDON:
                return
            digest.update(chunk)
            self._release(chunk)

    def _flush_written(self) -> None:
        while True:
            self.flush_wanted.wait()
            self.flush_wanted.clear()
            if self.fd < 0:
                return
            try:
                os.fdatasync(self.fd)
            except OSError:  # the file was closed under us: the upload is over
                return

    def __exit__(self, error_type, error, traceback) -> None:
        if self.pending is not None and error_type is None:
            for digest in self.digests:
                digest.update(self.pending)
            self._write(self.pending)
        for chunks in self.queues:
            chunks.put(None if error_type is None else _ABANDON)
        # The disk catches up (fsync) while the hash threads finish their last chunks.
        fd, self.fd = self.fd, -1
        self.flush_wanted.set()
        if self.threads:
            self.threads[-1].join()
        try:
            if error_type is None:
                os.fsync(fd)
        finally:
            os.close(fd)
            for thread in self.threads[:-1]:
                thread.join()


_ABANDON = object()


def _read_into(stream: BinaryIO, buffer: bytearray) -> int:
    """Fill ``buffer`` from ``stream`` (without a copy when it has ``readinto``)."""
    readinto = getattr(stream, "readinto", None)
    if readinto is not None:
        try:
            return readinto(buffer) or 0
        except (NotImplementedError, io.UnsupportedOperation):
            pass
    data = stream.read(len(buffer))
    buffer[: len(data)] = data
    return len(data)


def _remove_unless_locked(tmp: Path) -> bool:
    """Remove an upload's temporary file unless a live process holds its lock."""
    try:
        lock_fd = os.open(tmp, os.O_RDONLY)
    except OSError:  # gone meanwhile, or not a file
        return False
    try:
        fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        if os.stat(tmp).st_ino != os.fstat(lock_fd).st_ino:
            return False  # the name now belongs to another file
        tmp.unlink()
        return True
    except OSError:  # locked: a live upload (or gone meanwhile)
        return False
    finally:
        os.close(lock_fd)


def make_private_dirs(directory: Path) -> None:
    """Create ``directory`` and its missing parents readable by their owner only (0700)."""
    missing = []
    while not directory.exists():
        missing.append(directory)
        directory = directory.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_DIR)
        except FileExistsError:  # another process or thread made it meanwhile
            pass


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
