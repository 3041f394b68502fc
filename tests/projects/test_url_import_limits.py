"""A URL import keeps nothing of a file that did not fully arrive, and ends by its deadline
(``PROJECTS_FETCH_TOTAL_TIMEOUT``) however the server dribbles its answer."""
from __future__ import annotations

import hashlib
import os
import time

from .helpers import SAMPLE

#: How long a dribbling test server goes on at most (it stops when the client goes).
DRIBBLE_FOR = 60.0


def start_import(projects, project_id, url, filename="file.bin"):
    asset = projects.create_asset(project_id, {**SAMPLE, "url": {"file_url": url,
                                                                 "filename": filename}})
    assert asset["media_type"] == "processing"
    return asset


def stored_blobs(repository) -> set[str]:
    return set(repository.blobs.all_keys())


def test_a_file_shorter_than_its_content_length_fails_the_import(projects, project_id,
                                                                 file_server, repository):
    fragment = os.urandom(40_000)

    def short(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "application/octet-stream")
        handler.send_header("Content-Length", "100000")
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.wfile.write(fragment)
        handler.close_connection = True

    file_server.routes["/short.bin"] = short
    before = stored_blobs(repository)
    asset = start_import(projects, project_id, file_server.url("/short.bin"))
    done = projects.wait_for_import(asset["id"])
    assert done["media_type"] == "placeholder"
    assert done["md5_sum"] is None
    assert done["media_error"] == ("the download ended after 40000 of the 100000 bytes the "
                                   "server announced")
    assert repository.get_by_id(asset["id"]).blob is None
    assert hashlib.sha256(fragment).hexdigest() not in stored_blobs(repository)
    assert stored_blobs(repository) == before


def dribble(handler, data: bytes) -> None:
    """Send ``data`` a byte at a time until it is all sent, the client has gone, or
    DRIBBLE_FOR has passed."""
    stop = time.monotonic() + DRIBBLE_FOR
    try:
        for byte in data:
            if time.monotonic() > stop:
                return
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
            time.sleep(0.1)
    except OSError:
        return


def test_a_server_dribbling_its_headers_cannot_hold_an_import_past_the_deadline(
        app, projects, project_id, file_server):
    app.config["PROJECTS_FETCH_TOTAL_TIMEOUT"] = 1

    def slow_headers(handler):
        handler.wfile.write(b"HTTP/1.1 200 OK\r\n")
        dribble(handler, b"X-Slow: " + b"a" * 60_000 + b"\r\n\r\n")
        handler.close_connection = True

    file_server.routes["/slow-headers"] = slow_headers
    asset = start_import(projects, project_id, file_server.url("/slow-headers"))
    # Each byte arrives well within the per-read timeout (5 s): only the deadline ends it.
    done = projects.wait_for_import(asset["id"], timeout=30)
    assert done["media_type"] == "placeholder"
    assert done["media_error"] == "the download took too long (timed out)"


def test_a_server_dribbling_its_body_cannot_hold_an_import_past_the_deadline(
        app, projects, project_id, file_server, repository):
    app.config["PROJECTS_FETCH_TOTAL_TIMEOUT"] = 1

    def slow_body(handler):
        handler.send_response(200)
        handler.send_header("Content-Length", "60000")
        handler.end_headers()
        dribble(handler, b"b" * 60_000)
        handler.close_connection = True

    file_server.routes["/slow-body"] = slow_body
    before = stored_blobs(repository)
    asset = start_import(projects, project_id, file_server.url("/slow-body"))
    done = projects.wait_for_import(asset["id"], timeout=30)
    assert done["media_type"] == "placeholder"
    assert done["media_error"] == "the download took too long (timed out)"
    assert stored_blobs(repository) == before
