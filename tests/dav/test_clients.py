"""Real WebDAV clients against a real server process: litmus (the WebDAV conformance suite),
rclone and cadaver as their users run them, and what they did seen through the AEM API.

One server (``flask --app app run``) serves the whole module; litmus also runs against the
production set-up (gunicorn with ``app.gunicorn_conf``) with two worker processes, where
every request may land on either worker, so the locks group passes only if both see the
same locks.

The clients are Debian packages (litmus, rclone, cadaver). A missing one skips its test
with the reason, unless ``ASSETS_TEST_DAV_CLIENTS=required`` (CI), which makes it fail.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from ..server.conftest import AUTH, PASSWORD, Server
from ..server.test_production_server import Gunicorn

ENV = "ASSETS_TEST_DAV_CLIENTS"
LITMUS_GROUPS = ["basic", "copymove", "props", "locks", "http"]
MB = 1024 * 1024


def client(binary: str) -> str:
    found = shutil.which(binary)
    if found:
        return found
    message = f"{binary} is not installed (Debian package {binary})"
    if os.environ.get(ENV, "").lower() == "required":
        pytest.fail(f"{message}, and {ENV}=required")
    pytest.skip(f"{message}; set {ENV}=required to make this a failure")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = Server(tmp_path_factory.mktemp("dav-server") / "instance").start()
    yield running
    running.stop()


def url(server: Server, path: str = "/dav/") -> str:
    return f"http://127.0.0.1:{server.port}{path}"


def aem(server: Server, path: str):
    """GET through the AEM API: (status, parsed JSON or bytes)."""
    status, body = server.request("GET", path)
    if path.endswith(".json") and status == 200:
        return status, json.loads(body)
    return status, body


def run_litmus(server: Server, tmp_path: Path) -> str:
    litmus = client("litmus")
    done = subprocess.run([litmus, url(server), "admin", PASSWORD], cwd=tmp_path,
                          env={**os.environ, "TESTS": " ".join(LITMUS_GROUPS)},
                          capture_output=True, text=True, timeout=600)
    return done.stdout + done.stderr


def assert_litmus_passed(output: str) -> None:
    for group in LITMUS_GROUPS:
        summary = re.search(rf"<- summary for `{group}': of (\d+) tests run: (\d+) passed, "
                            rf"(\d+) failed", output)
        assert summary, f"no summary for {group}:\n{output}"
        run, passed, failed = map(int, summary.groups())
        assert (passed, failed) == (run, 0), output
    # Tests litmus skips when a server lacks a feature, and passes with reservations.
    assert "SKIPPED" not in output and "WARNING" not in output, output


def test_litmus_passes_every_group(server, tmp_path):
    assert_litmus_passed(run_litmus(server, tmp_path))


def test_litmus_passes_under_the_production_set_up_with_two_workers(tmp_path):
    gunicorn = Gunicorn(tmp_path / "instance", "--workers", "2")
    try:
        gunicorn.wait_until_answering()
        assert_litmus_passed(run_litmus(gunicorn, tmp_path))
    finally:
        gunicorn.stop()


def test_rclone_copies_checks_moves_and_deletes_a_tree(server, tmp_path):
    rclone = client("rclone")
    local = tmp_path / "local"
    files = {"top.txt": b"top\n", "a/one.txt": b"one\n", "a/b/two.bin": os.urandom(300_000)}
    for name, data in files.items():
        (local / name).parent.mkdir(parents=True, exist_ok=True)
        (local / name).write_bytes(data)
    obscured = subprocess.run([rclone, "obscure", PASSWORD], capture_output=True, text=True,
                              check=True).stdout.strip()
    env = {**os.environ, "RCLONE_CONFIG": str(tmp_path / "rclone.conf"),
           "RCLONE_CONFIG_DAV_TYPE": "webdav", "RCLONE_CONFIG_DAV_URL": url(server),
           "RCLONE_CONFIG_DAV_VENDOR": "other", "RCLONE_CONFIG_DAV_USER": "admin",
           "RCLONE_CONFIG_DAV_PASS": obscured}

    def run(*args: str) -> str:
        done = subprocess.run([rclone, *args], env=env, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout + done.stderr

    run("copy", str(local), "dav:rc")
    run("check", str(local), "dav:rc")
    for name, data in files.items():
        status, body = aem(server, f"/api/assets/rc/{name}/renditions/original")
        assert (status, hashlib.sha256(body).hexdigest()) == (200, hashlib.sha256(data).hexdigest())

    run("move", "dav:rc/a", "dav:rc-moved")
    assert aem(server, "/api/assets/rc-moved/b/two.bin.json")[0] == 200
    assert aem(server, "/api/assets/rc/a/one.txt.json")[0] == 404

    run("delete", "dav:rc-moved")
    assert aem(server, "/api/assets/rc-moved/one.txt.json")[0] == 404
    assert aem(server, "/api/assets/rc-moved/b/two.bin.json")[0] == 404
    assert aem(server, "/api/assets/rc/top.txt.json")[0] == 200


def test_cadaver_makes_puts_copies_moves_sets_properties_and_locks(server, tmp_path):
    cadaver = client("cadaver")
    home = tmp_path / "home"
    home.mkdir()
    (home / ".netrc").write_text(f"machine 127.0.0.1\nlogin admin\npassword {PASSWORD}\n")
    (home / ".netrc").chmod(0o600)
    (tmp_path / "local.txt").write_bytes(b"from cadaver\n")
    script = "\n".join(["mkcol cad", "cd cad", "put local.txt one.txt", "copy one.txt two.txt",
                        "move two.txt three.txt", "propset one.txt colour red",
                        "lock one.txt", "unlock one.txt", "ls", "quit", ""])
    done = subprocess.run([cadaver, url(server)], input=script, cwd=tmp_path,
                          env={**os.environ, "HOME": str(home)}, capture_output=True,
                          text=True, timeout=120)
    output = done.stdout + done.stderr
    assert output.count("succeeded") >= 8 and "failed" not in output, output

    assert aem(server, "/api/assets/cad/one.txt/renditions/original") == (200, b"from cadaver\n")
    assert aem(server, "/api/assets/cad/three.txt/renditions/original") == (200, b"from cadaver\n")
    assert aem(server, "/api/assets/cad/two.txt.json")[0] == 404
    metadata = aem(server, "/api/assets/cad/one.txt.json")[1]["properties"]["metadata"]
    assert any(key.startswith("dav:") and key.endswith("}colour") and "red" in value
               for key, value in metadata.items()), metadata


def test_a_folder_listing_is_sent_chunked_not_built_whole(server):
    server.request("MKCOL", "/dav/listed")
    conn = server.connection()
    conn.request("PROPFIND", "/dav/listed/", headers={"Authorization": AUTH, "Depth": "1"})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    assert response.status == 207
    assert response.getheader("Transfer-Encoding") == "chunked"
    assert b"<D:href>/dav/listed/</D:href>" in body


def test_a_large_put_streams_without_growing_server_memory(server):
    size, chunk = 200 * MB, os.urandom(MB)
    digest = hashlib.sha256()
    before = server.peak_rss_kb()
    conn = server.connection()
    conn.putrequest("PUT", "/dav/big.bin")
    conn.putheader("Authorization", AUTH)
    conn.putheader("Content-Length", str(size))
    conn.endheaders()
    for _ in range(size // MB):
        digest.update(chunk)
        conn.send(chunk)
    response = conn.getresponse()
    response.read()
    conn.close()
    assert response.status == 201
    growth_mb = (server.peak_rss_kb() - before) / 1024
    assert growth_mb < 50, f"peak memory grew by {growth_mb:.0f} MB for a 200 MB PUT"
    assert response.getheader("ETag") == f'"{digest.hexdigest()}"'
    assert aem(server, "/api/assets/big.bin.json")[0] == 200

