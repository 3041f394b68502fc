"""The production set-up, ``gunicorn -c python:app.gunicorn_conf``, as a real server.

gunicorn's defaults (``sync`` workers) serve one connection per worker from its first byte
to its last and kill a worker busy with one request longer than ``timeout``: slow clients
then keep everybody else waiting, and a slow upload is cut. These tests start the shipped
configuration with two workers and ``--timeout 2`` (so that an upload outlasting the
timeout takes seconds, not the default 30) and check what a client sees.
"""
from __future__ import annotations

import hashlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest

from .conftest import AUTH, PASSWORD, free_port

WORKERS = 2
WORKER_TIMEOUT = 2
#: ASSETS_MAX_CONTENT_LENGTH of the server: small, so that a body at the limit is quick.
LIMIT = 2 * 1024 * 1024
#: How long a client waits for an answer before the test calls it unanswered: a bound on
#: a hang, not a measure of speed.
PATIENCE = 15


class Gunicorn:
    def __init__(self, instance: Path, *args: str, **settings: str) -> None:
        self.port = free_port()
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("ASSETS_", "GUNICORN_", "WEB_CONCURRENCY"))}
        env.update(ASSETS_INSTANCE_PATH=str(instance), ASSETS_ADMIN_PASSWORD=PASSWORD,
                   # gunicorn ≥ 25.1 opens a control socket there, else in $HOME/.gunicorn
                   XDG_RUNTIME_DIR=str(instance.parent), **settings)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "python:app.gunicorn_conf",
             "--bind", f"127.0.0.1:{self.port}", "--access-logfile", "/dev/null", *args],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )

    def wait_until_answering(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn exited during start-up")
            try:
                if self.get("/api.json")[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not answer within 60 s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # quick shutdown
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def get(self, path: str) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=PATIENCE)
        try:
            conn.request("GET", path, headers={"Authorization": AUTH})
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def open_upload(self, name: str, size: int) -> socket.socket:
        """A raw POST whose headers are sent; the caller sends the ``size`` body bytes."""
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=PATIENCE)
        sock.sendall(
            f"POST /api/assets/{name} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {AUTH}\r\n"
            f"Content-Type: application/octet-stream\r\nContent-Length: {size}\r\n\r\n".encode())
        return sock


def answer_status(sock: socket.socket) -> int:
    """The status code of the answer on a raw socket (0 if the server closed without one)."""
    response = http.client.HTTPResponse(sock)
    try:
        response.begin()
    except (http.client.RemoteDisconnected, ConnectionResetError):
        return 0
    response.read()
    return response.status


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    server = Gunicorn(tmp_path_factory.mktemp("production") / "instance",
                      "--workers", str(WORKERS), "--timeout", str(WORKER_TIMEOUT),
                      ASSETS_MAX_CONTENT_LENGTH=str(LIMIT))
    try:
        server.wait_until_answering()
        yield server
    finally:
        server.stop()


def chunks(n: int, size: int) -> Iterator[bytes]:
    for i in range(n):
        yield i.to_bytes(4, "big") + os.urandom(size - 4)


def test_a_client_is_answered_while_thirty_connections_trickle_their_headers(production):
    slow = []
    try:
        for _ in range(30):
            sock = socket.create_connection(("127.0.0.1", production.port), timeout=PATIENCE)
            sock.sendall(b"GET /api.json HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            slow.append(sock)
        for _ in range(3):  # the connections stay open, each a byte further along
            for sock in slow:
                sock.sendall(b"a")
            status, body = production.get("/api.json")
            assert status == 200, body
    finally:
        for sock in slow:
            sock.close()


def test_a_client_is_answered_while_slow_uploads_are_in_progress_and_they_complete(production):
    n_chunks, chunk_size = 4, 64 * 1024
    bodies = {f"slow-{i}.bin": list(chunks(n_chunks, chunk_size)) for i in range(2 * WORKERS)}
    uploads = {name: production.open_upload(name, n_chunks * chunk_size) for name in bodies}
    try:
        for i in range(n_chunks):
            for name, sock in uploads.items():
                sock.sendall(bodies[name][i])
            if i < n_chunks - 1:  # every upload is in progress: part of its body sent
                status, body = production.get("/api.json")
                assert status == 200, body
        assert {name: answer_status(sock) for name, sock in uploads.items()} == \
            {name: 201 for name in bodies}
    finally:
        for sock in uploads.values():
            sock.close()
    for name, parts in bodies.items():
        assert production.get(f"/api/assets/{name}/renditions/original") == (200, b"".join(parts))


def test_an_upload_lasting_longer_than_the_worker_timeout_is_not_cut(production):
    n_chunks, chunk_size = 3 * WORKER_TIMEOUT, 256 * 1024
    digest = hashlib.sha256()
    sock = production.open_upload("steady.bin", n_chunks * chunk_size)
    try:
        for chunk in chunks(n_chunks, chunk_size):  # one chunk a second: 3x the timeout
            sock.sendall(chunk)
            digest.update(chunk)
            time.sleep(1)
        assert answer_status(sock) == 201
    finally:
        sock.close()
    status, stored = production.get("/api/assets/steady.bin/renditions/original")
    assert status == 200
    assert hashlib.sha256(stored).hexdigest() == digest.hexdigest()


def test_a_raw_upload_of_exactly_the_size_limit_is_stored_and_one_byte_more_is_refused(production):
    """gunicorn marks its input as terminated, and werkzeug then caps the stream at the
    limit and answers a read past the cap with 413: a body of exactly the limit must still
    be read to its declared end, and no further."""
    data = os.urandom(LIMIT)
    sock = production.open_upload("at-limit.bin", LIMIT)
    try:
        sock.sendall(data)
        assert answer_status(sock) == 201
    finally:
        sock.close()
    assert production.get("/api/assets/at-limit.bin/renditions/original") == (200, data)

    sock = production.open_upload("over.bin", LIMIT + 1)  # refused on its Content-Length
    try:
        assert answer_status(sock) == 413
    finally:
        sock.close()
    assert production.get("/api/assets/over.bin.json")[0] == 404
