"""A request body that does not fully arrive stores nothing and replaces nothing, on every
upload path, against real server processes (Flask's development server and gunicorn, each
on SQLite and on PostgreSQL), spoken to over raw sockets.

A client that closes after 200,000 of the 1,000,000 bytes its ``Content-Length``
announced, with or without half-closing first, and a chunked body that stops before its
last chunk, are both cut off: the server must not take what arrived for the whole file.
A chunked body whose framing is broken is the client's mistake: 400.

The servers handle one request at a time (``serial``), so the check that follows a cut
request is answered only after the server is done with it.
"""
from __future__ import annotations

import hashlib
import json
import os
import socket
from pathlib import Path
import pytest

from .conftest import AUTH, TENANT, Server

DECLARED = 1_000_000
SENT = 200_000
ORIGINAL = b"the good original " * 100


@pytest.fixture(scope="module")
def server(serial_server) -> Server:
    return serial_server


# -- sending -------------------------------------------------------------------------------

def send(server: Server, method: str, path: str, headers: dict[str, str], body: bytes, *,
         half_close: bool) -> int | None:
    """Send a request head and ``body`` (however much of the announced body that is), then
    close the connection, or half-close it and read the status of the answer."""
    head = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    head += [f"{name}: {value}" for name, value in headers.items()]
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=60)
    try:
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
        if not half_close:
            return None
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        while b"\r\n" not in answer:
            data = sock.recv(65536)
            if not data:
                break
            answer += data
        return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else None
    except (ConnectionResetError, BrokenPipeError):
        return None
    finally:
        sock.close()


def chunked(data: bytes, *, last_chunk: bool) -> bytes:
    size = 65536
    out = b"".join(b"%x\r\n%s\r\n" % (len(data[i:i + size]), data[i:i + size])
                   for i in range(0, len(data), size))
    return out + (b"0\r\n\r\n" if last_chunk else b"")


def multipart(fields: dict[str, str], file_field: str, filename: str, content: bytes,
              content_type: str = "application/octet-stream") -> tuple[str, bytes]:
    boundary = "cutboundary7d1f"
    parts = b""
    for name, value in fields.items():
        parts += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n"
                  f"{value}\r\n").encode()
    parts += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{file_field}\"; "
              f"filename=\"{filename}\"\r\nContent-Type: {content_type}\r\n\r\n").encode()
    parts += content + f"\r\n--{boundary}--\r\n".encode()
    return f"multipart/form-data; boundary={boundary}", parts


def payload() -> bytes:
    return os.urandom(DECLARED)


# -- checking ------------------------------------------------------------------------------

def get(server: Server, path: str, headers: dict[str, str] | None = None):
    return server.request("GET", path, headers=headers)


def stored_blobs(server: Server) -> set[str]:
    root = server.instance / "blobs"
    return {p.name for p in root.rglob("*") if p.is_file()
            and "tmp" not in p.relative_to(root).parts}


def leftover_uploads(server: Server) -> list[Path]:
    return [p for p in (server.instance / "blobs" / "tmp").iterdir()]


def assert_nothing_kept(server: Server, blobs_before: set[str], fragment: bytes) -> None:
    # The GET is answered only after the server is done with the cut request (serial).
    assert get(server, "/api/assets.json")[0] == 200
    assert hashlib.sha256(fragment).hexdigest() not in stored_blobs(server)
    assert stored_blobs(server) == blobs_before
    assert leftover_uploads(server) == []


def expected_status(status: int | None, half_close: bool) -> None:
    """A half-closed client still reads the answer: 400, never a success or a 5xx."""
    if half_close:
        assert status == 400, status


def unique(name: str, half_close: bool) -> str:
    return f"{name}-{'half' if half_close else 'closed'}-{os.urandom(3).hex()}"


HALF = pytest.mark.parametrize("half_close", [False, True], ids=["closed", "half-closed"])


# -- AEM raw bodies -------------------------------------------------------------------------

@HALF
def test_a_cut_off_raw_asset_upload_creates_no_asset(server, half_close):
    name = unique("raw", half_close) + ".bin"
    data, before = payload(), stored_blobs(server)
    status = send(server, "POST", f"/api/assets/{name}",
                  {"Authorization": AUTH, "Content-Type": "application/octet-stream",
                   "Content-Length": str(DECLARED)}, data[:SENT], half_close=half_close)
    expected_status(status, half_close)
    assert get(server, f"/api/assets/{name}.json")[0] == 404
    assert_nothing_kept(server, before, data[:SENT])


@HALF
def test_a_cut_off_raw_put_leaves_the_original_as_it_was(server, half_close):
    name = unique("put", half_close) + ".bin"
    status, _ = server.request("POST", f"/api/assets/{name}", body=ORIGINAL,
                               headers={"Content-Type": "application/octet-stream"})
    assert status == 201
    data, before = payload(), stored_blobs(server)
    status = send(server, "PUT", f"/api/assets/{name}",
                  {"Authorization": AUTH, "Content-Type": "application/octet-stream",
                   "Content-Length": str(DECLARED)}, data[:SENT], half_close=half_close)
    expected_status(status, half_close)
    assert get(server, f"/api/assets/{name}/renditions/original") == (200, ORIGINAL)
    assert_nothing_kept(server, before, data[:SENT])


@HALF
@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_a_cut_off_raw_rendition_upload_stores_no_rendition(server, half_close, method):
    name = unique("rend", half_close) + ".bin"
    assert server.request("POST", f"/api/assets/{name}", body=ORIGINAL,
                          headers={"Content-Type": "application/octet-stream"})[0] == 201
    rendition = f"/api/assets/{name}/renditions/custom.bin"
    if method == "PUT":
        assert server.request("POST", rendition, body=ORIGINAL,
                              headers={"Content-Type": "application/octet-stream"})[0] == 201
    data, before = payload(), stored_blobs(server)
    status = send(server, method, rendition,
                  {"Authorization": AUTH, "Content-Type": "application/octet-stream",
                   "Content-Length": str(DECLARED)}, data[:SENT], half_close=half_close)
    expected_status(status, half_close)
    answer = get(server, rendition)
    assert answer == ((200, ORIGINAL) if method == "PUT" else (404, answer[1]))
    assert_nothing_kept(server, before, data[:SENT])


@HALF
def test_a_chunked_upload_without_its_last_chunk_creates_no_asset(server, half_close):
    name = unique("chunked", half_close) + ".bin"
    data, before = payload(), stored_blobs(server)
    status = send(server, "POST", f"/api/assets/{name}",
                  {"Authorization": AUTH, "Content-Type": "application/octet-stream",
                   "Transfer-Encoding": "chunked"},
                  chunked(data[:SENT], last_chunk=False), half_close=half_close)
    expected_status(status, half_close)
    assert get(server, f"/api/assets/{name}.json")[0] == 404
    assert_nothing_kept(server, before, data[:SENT])


def test_a_whole_chunked_upload_is_stored(server):
    name = unique("whole-chunked", False) + ".bin"
    data = payload()
    status = send(server, "POST", f"/api/assets/{name}",
                  {"Authorization": AUTH, "Content-Type": "application/octet-stream",
                   "Transfer-Encoding": "chunked"},
                  chunked(data, last_chunk=True), half_close=True)
    assert status == 201
    assert get(server, f"/api/assets/{name}/renditions/original") == (200, data)


@pytest.mark.parametrize("framing", [
    b"zz\r\nhello\r\n0\r\n\r\n",  # a chunk size that is no hex number
    b"5\r\nhello world\r\n0\r\n\r\n",  # a chunk longer than its size says
    b"5\r\nhelloXX0\r\n\r\n",  # no CRLF after the chunk data
], ids=["bad-size", "overlong-chunk", "no-terminator"])
def test_a_broken_chunked_encoding_is_400_and_stores_nothing(server, framing):
    name = unique("broken", False) + ".bin"
    before = stored_blobs(server)
    status = send(server, "POST", f"/api/assets/{name}",
                  {"Authorization": AUTH, "Content-Type": "application/octet-stream",
                   "Transfer-Encoding": "chunked"}, framing, half_close=True)
    assert status == 400
    assert get(server, f"/api/assets/{name}.json")[0] == 404
    assert_nothing_kept(server, before, b"hello")


# -- multipart, JSON: every API -------------------------------------------------------------

@HALF
def test_a_cut_off_aem_form_upload_creates_neither_asset_nor_folder(server, half_close):
    name = unique("form", half_close) + ".bin"
    data, before = payload(), stored_blobs(server)
    content_type, body = multipart({"name": name}, "file", name, data)
    status = send(server, "POST", "/api/assets/*",
                  {"Authorization": AUTH, "Content-Type": content_type,
                   "Content-Length": str(len(body))}, body[:SENT], half_close=half_close)
    expected_status(status, half_close)
    assert get(server, f"/api/assets/{name}.json")[0] == 404
    assert_nothing_kept(server, before, body[:SENT])


@HALF
def test_a_cut_off_aem_form_to_a_named_path_creates_no_folder(server, half_close):
    name = unique("named-form", half_close)
    data, before = payload(), stored_blobs(server)
    content_type, body = multipart({"title": "cut"}, "file", "x.bin", data)
    status = send(server, "POST", f"/api/assets/{name}",
                  {"Authorization": AUTH, "Content-Type": content_type,
                   "Content-Length": str(len(body))}, body[:SENT], half_close=half_close)
    expected_status(status, half_close)
    assert get(server, f"/api/assets/{name}.json")[0] == 404
    assert_nothing_kept(server, before, body[:SENT])


@HALF
def test_a_cut_off_ams_upload_creates_no_asset(server, half_close):
    data, before = payload(), stored_blobs(server)
    content_type, body = multipart({}, "Filename", "cut.bin", data)
    listing_before = ams_assets(server)
    status = send(server, "POST", "/v1/assets",
                  {"Authorization": f"Bearer {server.bearer}", "Content-Type": content_type,
                   "Content-Length": str(len(body))}, body[:SENT], half_close=half_close)
    expected_status(status, half_close)
    assert ams_assets(server) == listing_before
    assert_nothing_kept(server, before, body[:SENT])


def ams_assets(server: Server) -> list[str]:
    status, body = get(server, "/api/assets/ams.json?limit=1000")
    if status == 404:
        return []
    return [e["properties"]["name"] for e in json.loads(body).get("entities", [])]


@HALF
def test_a_cut_off_emporix_blob_upload_creates_no_asset(server, half_close):
    data, before = payload(), stored_blobs(server)
    asset_id = unique("cut", half_close)
    document = json.dumps({"id": asset_id, "type": "BLOB", "access": "PRIVATE"})
    content_type, body = multipart({"body": document}, "file", "cut.bin", data)
    status = send(server, "POST", f"/media/{TENANT}/assets",
                  {"Authorization": f"Bearer {server.emporix}", "Content-Type": content_type,
                   "Content-Length": str(len(body))}, body[:SENT], half_close=half_close)
    expected_status(status, half_close)
    status, _ = get(server, f"/media/{TENANT}/assets/{asset_id}",
                    {"Authorization": f"Bearer {server.emporix}"})
    assert status == 404
    assert_nothing_kept(server, before, body[:SENT])


@HALF
def test_a_cut_off_emporix_blob_update_keeps_the_old_file(server, half_close):
    asset_id = unique("keep", half_close)
    document = json.dumps({"id": asset_id, "type": "BLOB", "access": "PRIVATE"})
    content_type, body = multipart({"body": document}, "file", "good.bin", ORIGINAL)
    emporix = {"Authorization": f"Bearer {server.emporix}"}
    status, answer = server.request("POST", f"/media/{TENANT}/assets", body=body,
                                    headers={**emporix, "Content-Type": content_type})
    assert status == 201, answer
    data, before = payload(), stored_blobs(server)
    update = json.dumps({"type": "BLOB", "access": "PRIVATE", "metadata": {"version": 1}})
    content_type, body = multipart({"body": update}, "file", "new.bin", data)
    status = send(server, "PUT", f"/media/{TENANT}/assets/{asset_id}",
                  {**emporix, "Content-Type": content_type, "Content-Length": str(len(body))},
                  body[:SENT], half_close=half_close)
    expected_status(status, half_close)
    assert get(server, f"/media/{TENANT}/assets/{asset_id}/download", emporix) == (200, ORIGINAL)
    assert_nothing_kept(server, before, body[:SENT])


@HALF
def test_a_cut_off_json_body_creates_no_folder(server, half_close):
    name = unique("json", half_close)
    document = json.dumps({"class": "assetFolder", "properties": {"title": "t"}}).encode()
    status = send(server, "POST", f"/api/assets/{name}",
                  {"Authorization": AUTH, "Content-Type": "application/json",
                   "Content-Length": str(len(document) + 100)}, document,
                  half_close=half_close)
    expected_status(status, half_close)
    assert get(server, f"/api/assets/{name}.json")[0] == 404


@HALF
def test_a_cut_off_projects_asset_creates_no_asset(server, half_close):
    key = {"X-API-KEY": server.bearer, "Content-Type": "application/json"}
    status, body = server.request("POST", "/api/v2/projects", body=b'{"title": "P"}',
                                  headers=key)
    assert status == 200, body
    project_id = json.loads(body)["project"]["id"]
    document = json.dumps({"title": "cut", "tags": ["a"]}).encode()
    sock_status = send(server, "POST", f"/api/v2/projects/{project_id}/assets",
                       {**key, "Content-Length": str(len(document) + 1000)}, document,
                       half_close=half_close)
    expected_status(sock_status, half_close)
    status, body = get(server, f"/api/assets/projects/{project_id}.json")
    assert status == 200
    assert json.loads(body)["properties"]["srn:paging"]["total"] == 0
