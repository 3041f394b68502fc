"""What a server process killed with SIGKILL leaves behind is taken up by the others, in
seconds: its running jobs (their leases run out) and its uploads' temporary files
(removed when a process starts; those of live processes stay)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.polling import wait_for
from tests.projects.helpers import FileServer, png

from .conftest import AUTH, Server

MB = 1024 * 1024


def mint_key(instance: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSETS_")}
    minted = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "tokens", "create", "--user", "admin"],
        env={**env, "ASSETS_INSTANCE_PATH": str(instance), "ASSETS_RENDITIONS_WORKER": "null"},
        capture_output=True, text=True, timeout=60, check=True)
    return {"X-API-KEY": minted.stdout.strip().splitlines()[-1],
            "Content-Type": "application/json"}


def test_an_import_running_in_a_killed_process_is_taken_up_by_the_next_one(tmp_path):
    files = FileServer()
    release = threading.Event()
    data = png()

    def slow(handler) -> None:  # the download hangs until the test lets it go
        release.wait(30)

    files.routes["/photo.png"] = slow
    instance = tmp_path / "instance"
    settings = {"ASSETS_PROJECTS_FETCH_ALLOW": '["127.0.0.1"]',
                "ASSETS_PROJECTS_IMPORT_WORKERS": "1", "ASSETS_JOBS_LEASE_SECONDS": "2",
                "ASSETS_PROJECTS_IMPORT_POLL_SECONDS": "0.2"}
    first = Server(instance, settings).start()
    second = None
    try:
        key = mint_key(instance)
        status, body = first.request("POST", "/api/v2/projects", b'{"title": "P"}', key)
        assert status == 200, body
        project = json.loads(body)["project"]["id"]
        request = {"title": "A", "url": {"file_url": files.url("/photo.png"),
                                         "filename": "photo.png"}}
        status, body = first.request("POST", f"/api/v2/projects/{project}/assets",
                                     json.dumps(request).encode(), key)
        assert status == 200, body
        asset = json.loads(body)["asset"]["id"]
        wait_for(lambda: len(files.requests) == 1, timeout=20)  # the import runs ...
        first.kill()  # ... and its process dies
        files.serve("/photo.png", data, "image/png")
        release.set()

        second = Server(instance, settings).start()

        def media_type() -> str:
            status, body = second.request("GET", f"/api/v2/assets/{asset}", headers=key)
            assert status == 200, body
            return json.loads(body)["asset"]["media_type"]

        second.request("GET", "/api/v2/projects/" + project, headers=key)  # starts its threads
        wait_for(lambda: media_type() != "processing", timeout=30)
        assert media_type() == "image"
        assert len(files.requests) == 2
    finally:
        release.set()
        first.stop()
        if second is not None:
            second.stop()
        files.close()


def start_upload(server: Server, name: str, size: int = 20 * MB):
    """Begin a raw upload of ``size`` bytes and send only its first megabyte."""
    conn = server.connection()
    conn.putrequest("POST", f"/api/assets/{name}")
    conn.putheader("Authorization", AUTH)
    conn.putheader("Content-Type", "application/octet-stream")
    conn.putheader("Content-Length", str(size))
    conn.endheaders()
    conn.send(b"x" * MB)
    return conn


def temp_files(instance: Path) -> set[str]:
    return {p.name for p in (instance / "blobs" / "tmp").iterdir()}


def test_upload_temp_files_of_killed_processes_go_at_start_up_and_live_ones_stay(tmp_path):
    instance = tmp_path / "instance"
    dying = Server(instance).start()
    living = Server(instance).start()
    later = None
    try:
        cut_off = start_upload(dying, "cut-off.bin")
        wait_for(lambda: len(temp_files(instance)) == 1, timeout=20)
        dead_file = temp_files(instance)
        going_on = start_upload(living, "going-on.bin", size=2 * MB)
        wait_for(lambda: len(temp_files(instance)) == 2, timeout=20)
        live_file = temp_files(instance) - dead_file
        dying.kill()
        cut_off.close()
        assert temp_files(instance) == dead_file | live_file  # nothing removed it yet

        later = Server(instance).start()  # a process starting on the instance
        assert temp_files(instance) == live_file

        going_on.send(b"y" * MB)  # the live upload is unharmed
        response = going_on.getresponse()
        assert response.status == 201, response.read()
        going_on.close()
        status, body = later.request("GET", "/api/assets/going-on.bin/renditions/original")
        assert (status, body) == (200, b"x" * MB + b"y" * MB)
        assert temp_files(instance) == set()
    finally:
        for server in (dying, living, later):
            if server is not None:
                server.stop()
