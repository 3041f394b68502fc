"""The acceptance battery of the hardening work: hostile requests against the production
set-up (``gunicorn -c python:app.gunicorn_conf``), on SQLite and on PostgreSQL, spoken over
raw sockets so that nothing a client library would refuse to send is left out.

For every request: an answer (no hang: each waits at most ``PATIENCE`` seconds), and never
a 5xx. After the battery: nothing half-stored (no node from a cut-off body, a cut-off PUT
replaced nothing) and the server still answers.
"""
from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest

from .conftest import AUTH, PASSWORD, TENANT, free_port

PATIENCE = 20
GOOD = b"the good original bytes " * 1000


class Production:
    """The shipped gunicorn configuration, two workers, on its own instance folder."""

    def __init__(self, instance: Path, database_url: str | None) -> None:
        self.instance = instance
        self.port = free_port()
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("ASSETS_", "GUNICORN_", "WEB_CONCURRENCY"))}
        self.env.update(ASSETS_INSTANCE_PATH=str(instance), ASSETS_ADMIN_PASSWORD=PASSWORD,
                        ASSETS_RENDITIONS_WORKER="null", ASSETS_PROJECTS_IMPORT_WORKERS="0",
                        XDG_RUNTIME_DIR=str(instance.parent))
        if database_url:
            self.env["ASSETS_DATABASE_URL"] = database_url
        self.process: subprocess.Popen | None = None

    def cli(self, *args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args],
                              env=self.env, capture_output=True, text=True, timeout=60,
                              check=True)
        return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "python:app.gunicorn_conf",
             "--bind", f"127.0.0.1:{self.port}", "--workers", "2",
             "--access-logfile", "/dev/null"],
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn exited during start-up")
            try:
                if status_of(self.send(raw("GET", "/api.json", {"Authorization": AUTH}))) == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer within 60 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def send(self, data: bytes, *, cut: bool = False) -> bytes:
        """Send ``data``; with ``cut``, close without reading (a client that goes away).
        Otherwise half-close and return the whole answer."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=PATIENCE) as sock:
            try:
                sock.sendall(data)
                if cut:
                    return b""
                sock.shutdown(socket.SHUT_WR)
            except (BrokenPipeError, ConnectionResetError):  # refused before all was sent
                pass
            answer = b""
            while True:
                try:
                    chunk = sock.recv(65536)
                except ConnectionResetError:
                    break
                if not chunk:
                    break
                answer += chunk
            return answer


def raw(method: str, target: str, headers: dict[str, str] | None = None,
        body: bytes = b"", *, length: int | None = None, head_bytes: bytes = b"") -> bytes:
    """A request as bytes; ``length`` overrides Content-Length, ``head_bytes`` are extra
    header lines sent as they are (non-Latin-1, broken)."""
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    headers = dict(headers or {})
    if body or length is not None:
        if "Transfer-Encoding" not in headers:
            headers.setdefault("Content-Length", str(len(body) if length is None else length))
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return "\r\n".join(lines).encode("latin-1") + b"\r\n" + head_bytes + b"\r\n" + body


def status_of(answer: bytes) -> int | None:
    if not answer.startswith(b"HTTP/"):
        return None
    return int(answer.split(b" ", 2)[1])


def multipart(field: str, filename: str, content: bytes, part_type: bytes,
              fields: dict[str, str] | None = None) -> tuple[str, bytes]:
    boundary = "hostileboundary42"
    body = b""
    for name, value in (fields or {}).items():
        body += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n"
                 f"{value}\r\n").encode()
    body += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; "
             f"filename=\"{filename}\"\r\n").encode() + b"Content-Type: " + part_type + b"\r\n\r\n"
    body += content + f"\r\n--{boundary}--\r\n".encode()
    return f"multipart/form-data; boundary={boundary}", body


def json_bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


@pytest.fixture(scope="module", params=[
    pytest.param("sqlite", marks=pytest.mark.sqlite),
    pytest.param("postgresql", marks=pytest.mark.postgresql),
])
def production(request, tmp_path_factory) -> Iterator[Production]:
    instance = tmp_path_factory.mktemp(f"hostile-{request.param}") / "instance"
    if request.param == "sqlite":
        server = Production(instance, None)
        yield from _running(server)
    else:
        with request.getfixturevalue("postgres_server").fresh_database() as url:
            yield from _running(Production(instance, url))


def _running(server: Production) -> Iterator[Production]:
    server.start()
    try:
        server.bearer = "Bearer " + server.cli("tokens", "create", "--user", "admin")
        server.emporix = "Bearer " + server.cli("tokens", "create", "--user", "admin",
                                                "--tenant", TENANT, "--scope",
                                                "media.asset_manage")
        server.key = server.cli("tokens", "create", "--user", "admin")
        yield server
    finally:
        server.stop()


def battery(server: Production) -> list[tuple[str, bytes, bool]]:
    """(what, request bytes, cut) for every hostile request."""
    admin = {"Authorization": AUTH}
    json_h = {**admin, "Content-Type": "application/json"}
    emporix = {"Authorization": server.emporix, "Content-Type": "application/json"}
    projects = {"X-API-KEY": server.key, "Content-Type": "application/json"}
    deep = "[" * 100_000 + "]" * 100_000
    bomb = "url:~" + "a?" * 46 + "a" * 46
    requests = [
        # JSON values no database keeps, at every door
        ("lone surrogate in AEM metadata", raw("PUT", "/api/assets/battery/good.bin", json_h,
         json_bytes('{"class":"asset","properties":{"dc:title":"\\ud800"}}')), False),
        ("NUL in AEM metadata", raw("PUT", "/api/assets/battery/good.bin", json_h,
         json_bytes('{"class":"asset","properties":{"dc:title":"a\\u0000b"}}')), False),
        ("NaN", raw("PUT", "/api/assets/battery/good.bin", json_h,
         b'{"class":"asset","properties":{"n":NaN}}'), False),
        ("Infinity", raw("POST", "/api/assets/battery/inf", json_h,
         b'{"class":"assetFolder","properties":{"n":Infinity}}'), False),
        ("1e999", raw("POST", "/api/assets/battery/big", json_h,
         b'{"class":"assetFolder","properties":{"n":1e999}}'), False),
        ("deep JSON", raw("POST", "/api/assets/battery/deep", json_h, deep.encode()), False),
        ("invalid JSON", raw("POST", "/api/assets/battery/bad", json_h, b"{nope"), False),
        ("lone surrogate in an Emporix LINK", raw("POST", f"/media/{TENANT}/assets", emporix,
         json_bytes('{"type":"LINK","access":"PUBLIC","url":"https://e.x/\\ud800"}')), False),
        ("NUL in a Projects title", raw("POST", "/api/v2/projects", projects,
         json_bytes('{"title":"a\\u0000"}')), False),
        ("deep JSON to Emporix", raw("POST", f"/media/{TENANT}/assets", emporix,
         deep.encode()), False),
        # media types and file names no header can carry
        ("UTF-8 media type", raw("POST", "/api/assets/battery/u.txt", admin, b"data",
         head_bytes=b"Content-Type: text/\xe5\x9b\xbe\r\n"), False),
        ("media type without a subtype", raw("POST", "/api/assets/battery/v.txt",
         {**admin, "Content-Type": "textplain"}, b"data"), False),
        ("UTF-8 bytes in a part's Content-Type", raw(
            "POST", "/api/assets/battery/*",
            {**admin, "Content-Type": multipart("file", "p.txt", b"x", b"text/\xe5\x9b\xbe")[0]},
            multipart("file", "p.txt", b"x", b"text/\xe5\x9b\xbe")[1]), False),
        ("a file under another field name", raw(
            "POST", "/api/assets/battery/*",
            {**admin, "Content-Type": multipart("upload", "q.txt", b"x", b"text/plain")[0]},
            multipart("upload", "q.txt", b"x", b"text/plain")[1]), False),
        ("an empty file input", raw(
            "POST", "/api/assets/battery/*",
            {**admin, "Content-Type": multipart("file", "", b"", b"application/octet-stream")[0]},
            multipart("file", "", b"", b"application/octet-stream")[1]), False),
        # queries that run away
        ("regex bomb", raw("GET", f"/media/{TENANT}/assets?q=" + bomb.replace("?", "%3F"),
                           {"Authorization": server.emporix}), False),
        ("regex with .* and a*", raw("GET", f"/media/{TENANT}/assets?q=url:~" + ".*" * 8 +
                                     "a*" * 8 + "b", {"Authorization": server.emporix}), False),
        # ranges
        ("several ranges", raw("GET", "/api/assets/battery/good.bin/renditions/original",
                               {**admin, "Range": "bytes=0-1,5-6"}), False),
        ("invalid range", raw("GET", "/api/assets/battery/good.bin/renditions/original",
                              {**admin, "Range": "bytes=abc"}), False),
        ("unsatisfiable range", raw("GET", "/api/assets/battery/good.bin/renditions/original",
                                    {**admin, "Range": "bytes=99999999-"}), False),
        ("another unit", raw("GET", "/api/assets/battery/good.bin/renditions/original",
                             {**admin, "Range": "items=0-1"}), False),
        # paths and names
        ("dot-dot", raw("GET", "/api/assets/battery/%2e%2e/%2e%2e/etc.json", admin), False),
        ("percent-encoded NUL", raw("GET", "/api/assets/battery/a%00b.json", admin), False),
        ("bad UTF-8 escape", raw("GET", "/api/assets/battery/%ff%fe.json", admin), False),
        ("right-to-left override", raw("POST", "/api/assets/battery/x%E2%80%AEtxt.exe", json_h,
                                       b'{"class":"assetFolder"}'), False),
        ("a 300-byte name", raw("POST", "/api/assets/battery/" + "n" * 300, json_h,
                                b'{"class":"assetFolder"}'), False),
        ("COPY to another host", raw("COPY", "/api/assets/battery/good.bin",
                                     {**admin, "X-Destination": "http://evil.example/x"}), False),
        ("COPY with a bad depth", raw("COPY", "/api/assets/battery/good.bin",
                                      {**admin, "X-Destination": "/api/assets/battery/c",
                                       "X-Depth": "7"}), False),
        # bodies
        ("broken chunked", raw("POST", "/api/assets/battery/chunk.bin",
                               {**admin, "Content-Type": "application/octet-stream",
                                "Transfer-Encoding": "chunked"}, b"zz\r\nnot hex\r\n0\r\n\r\n"),
         False),
        ("announced larger than the limit", raw(
            "POST", "/api/assets/battery/huge.bin",
            {**admin, "Content-Type": "application/octet-stream"}, b"x", length=2**40), False),
        ("cut-off raw POST", raw("POST", "/api/assets/battery/cut.bin",
                                 {**admin, "Content-Type": "application/octet-stream"},
                                 os.urandom(200_000), length=1_000_000), True),
        ("cut-off PUT of a good asset", raw("PUT", "/api/assets/battery/good.bin",
                                            {**admin, "Content-Type": "application/octet-stream"},
                                            os.urandom(200_000), length=1_000_000), True),
        ("cut-off chunked POST", raw("POST", "/api/assets/battery/cut-chunked.bin",
                                     {**admin, "Content-Type": "application/octet-stream",
                                      "Transfer-Encoding": "chunked"},
                                     b"10000\r\n" + os.urandom(65536) + b"\r\n"), True),
        # credentials and headers
        ("a NUL in a Bearer token", raw("GET", "/api/assets.json", head_bytes=
                                        b"Authorization: Bearer abc\x00def\r\n"), False),
        ("non-UTF-8 Basic", raw("GET", "/api/assets.json", head_bytes=
                                b"Authorization: Basic /////w==\r\n"), False),
        ("a 100 KB header", raw("GET", "/api/assets.json", {**admin, "X-Big": "b" * 100_000}),
         False),
        ("garbage request line", b"\x16\x03\x01 hello\r\n\r\n", False),
        ("an unknown method", raw("BREW", "/api/assets/battery", admin), False),
        ("forged cross-site write", raw("POST", "/api/assets/battery/forged", {
            **json_h, "Origin": "https://evil.example"}, b'{"class":"assetFolder"}'), False),
    ]
    return requests


def test_hostile_requests_get_an_answer_never_a_5xx_and_store_nothing_half(production):
    server = production
    admin = {"Authorization": AUTH}
    assert status_of(server.send(raw("POST", "/api/assets/battery", {
        **admin, "Content-Type": "application/json"}, b'{"class":"assetFolder"}'))) == 201
    assert status_of(server.send(raw("POST", "/api/assets/battery/good.bin", {
        **admin, "Content-Type": "application/octet-stream"}, GOOD))) == 201
    answers = {}
    for what, request_bytes, cut in battery(server):
        started = time.monotonic()
        answer = server.send(request_bytes, cut=cut)
        waited = time.monotonic() - started
        assert waited < PATIENCE, f"{what}: no answer within {PATIENCE} s"
        if not cut:
            status = status_of(answer)
            answers[what] = status
            assert status is not None and status < 500, f"{what}: {answer[:300]!r}"
    # nothing half-stored, and the server is fine (a cut-off request may still be being
    # refused by its worker: give it a moment, so a late store would be seen)
    time.sleep(1)
    listing = server.send(raw("GET", "/api/assets/battery.json?limit=100", admin))
    assert status_of(listing) == 200
    names = {entity["properties"]["name"]
             for entity in json.loads(listing.split(b"\r\n\r\n", 1)[1]).get("entities", [])}
    assert names == {"good.bin"}, names
    original = server.send(raw("GET", "/api/assets/battery/good.bin/renditions/original", admin))
    assert hashlib.sha256(original.split(b"\r\n\r\n", 1)[1]).digest() == \
        hashlib.sha256(GOOD).digest()
    assert answers["forged cross-site write"] == 403
    assert answers["unsatisfiable range"] == 416
    assert answers["several ranges"] in (200, 206)
