"""Figure 1: a raw-body upload vs writing and fsyncing the same bytes to the same filesystem.

Both read the same temporary file of random bytes in 1 MiB chunks. The upload is
``POST /api/assets/bench/big.bin`` with ``Content-Type: application/octet-stream``, timed
from the first byte sent to the last byte of the answer; between runs the asset is deleted
and ``flask gc --grace 0`` removes its blob, so every run stores a new blob (no
de-duplication shortcut). ``sync()`` runs before each timed step so that one step's dirty
pages are not flushed during the next. Runs alternate which of the two goes first.

Two informational figures split the upload's cost: hashing the same bytes with sha256 in
this process (what the server does to every chunk, in a thread beside the write; the AEM
API skips md5), and sending the same bytes with the same client code to a bare socket sink
in another process (the HTTP transport floor).
"""
from __future__ import annotations

import hashlib
import http.client
import os
import subprocess
import sys
import time
from pathlib import Path

from .report import Row, median, mib, ms, progress, ratio, spread
from .server import BenchError, Server, file_chunks

CHUNK = 1 << 20
TARGET = 1.3


def make_source(path: Path, size: int) -> None:
    with open(path, "wb") as out:
        left = size
        while left > 0:
            out.write(os.urandom(min(CHUNK, left)))
            left -= CHUNK


def write_and_fsync(source: Path, target: Path) -> float:
    os.sync()
    started = time.perf_counter()
    with open(target, "wb") as out:
        for chunk in file_chunks(source, CHUNK):
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    elapsed = time.perf_counter() - started
    target.unlink()
    return elapsed


def hash_only(source: Path, algorithm: str) -> tuple[float, str]:
    """Seconds to hash ``source`` (best of 3), and the digest."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        digest = hashlib.new(algorithm)
        for chunk in file_chunks(source, CHUNK):
            digest.update(chunk)
        best = min(best, time.perf_counter() - started)
    return best, digest.hexdigest()


#: A bare HTTP/1.1 sink: reads each request body into one reused buffer, answers 200.
SINK = r"""
import socket, sys
server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen(1)
print(server.getsockname()[1], flush=True)
conn, _ = server.accept()
stream = conn.makefile("rb")
buffer = memoryview(bytearray(1 << 20))
while True:
    length = None
    while (line := stream.readline()) not in (b"\r\n", b""):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    if length is None:
        break
    while length:
        length -= stream.readinto(buffer[: min(length, len(buffer))])
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
"""


class Sink:
    def __init__(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", SINK], stdout=subprocess.PIPE,
                                     stdin=subprocess.DEVNULL, text=True)
        self.conn = http.client.HTTPConnection("127.0.0.1", int(self.proc.stdout.readline()),
                                               timeout=300)

    def send(self, source: Path, size: int) -> float:
        started = time.perf_counter()
        self.conn.request("POST", "/", body=file_chunks(source, CHUNK),
                          headers={"Content-Type": "application/octet-stream",
                                   "Content-Length": str(size)})
        self.conn.getresponse().read()
        return time.perf_counter() - started

    def close(self) -> None:
        self.conn.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def run(workdir: Path, quick: bool) -> list[Row]:
    size = (10 if quick else 100) * 2**20
    runs = 3 if quick else 7
    label = f"{size // 2**20} MB"
    with Server(workdir, "upload") as server, server.client() as client:
        source = server.dir / "source.bin"
        make_source(source, size)
        baseline_dir = server.dir / "baseline"  # same filesystem as the blob store
        baseline_dir.mkdir()
        if os.stat(baseline_dir).st_dev != os.stat(server.blob_root).st_dev:
            raise BenchError("the baseline and the blob store are on different filesystems")
        sha_seconds, sha256 = hash_only(source, "sha256")
        stored = server.blob_root / sha256[:2] / sha256[2:4] / sha256

        client.create_folder("bench")
        client.upload(("bench", "warm-up.bin"), [os.urandom(CHUNK)], CHUNK)  # not timed

        uploads: list[float] = []
        baselines: list[float] = []
        transports: list[float] = []
        sink = Sink()
        try:
            for _ in range(runs + 1):  # the first is a warm-up
                transports.append(sink.send(source, size))
        finally:
            sink.close()
        transports = transports[1:]
        for i in range(runs):
            steps = ["baseline", "upload"] if i % 2 == 0 else ["upload", "baseline"]
            for step in steps:
                if step == "baseline":
                    baselines.append(write_and_fsync(source, baseline_dir / "big.bin"))
                    continue
                os.sync()
                started = time.perf_counter()
                client.upload(("bench", "big.bin"), file_chunks(source, CHUNK), size)
                uploads.append(time.perf_counter() - started)
                if not stored.is_file() or stored.stat().st_size != size:
                    raise BenchError(f"the upload did not store blob {sha256} of {size} bytes")
                client.delete("bench", "big.bin")
                server.flask("gc", "--grace", "0")
                if stored.exists():
                    raise BenchError("flask gc did not remove the deleted upload's blob")
            progress(f"upload run {i + 1}/{runs}: upload {ms(uploads[-1])}, "
                     f"write+fsync {ms(baselines[-1])}")
    progress(f"upload: {spread(uploads)}; write+fsync: {spread(baselines)}")

    upload_s, base_s, transport_s = median(uploads), median(baselines), median(transports)
    return [
        Row(f"upload {label} (raw POST), median of {runs}",
            f"{ms(upload_s)} ({mib(size / upload_s)}/s)",
            f"write+fsync same bytes: {ms(base_s)} ({mib(size / base_s)}/s)",
            ratio(upload_s, base_s), f"<= {TARGET:.1f}x", upload_s / base_s <= TARGET),
        Row(f"  part: sha256 of {label} (in-process)", ms(sha_seconds),
            f"write+fsync: {ms(base_s)}", ratio(sha_seconds, base_s), "(info)"),
        Row(f"  part: HTTP transport of {label} to a bare sink", ms(transport_s),
            f"write+fsync: {ms(base_s)}", ratio(transport_s, base_s), "(info)"),
    ]
