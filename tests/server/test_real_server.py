from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from .conftest import AUTH, Server

MB = 1024 * 1024


def test_concurrent_creates_of_one_name_give_one_201_and_the_rest_409(server):
    barrier = threading.Barrier(8)

    def create(_):
        barrier.wait()
        return server.request("POST", "/api/assets/race", body=b'{"class":"assetFolder"}',
                              headers={"Content-Type": "application/json"})[0]

    with ThreadPoolExecutor(8) as pool:
        statuses = sorted(pool.map(create, range(8)))
    assert statuses == [201] + [409] * 7


def _blob_files(instance: Path) -> set[str]:
    root = instance / "blobs"
    return {p.name for p in root.rglob("*") if p.is_file() and "tmp" not in p.relative_to(root).parts}


def test_a_server_killed_mid_upload_keeps_no_half_asset_and_serves_what_it_acknowledged(tmp_path):
    instance = tmp_path / "instance"
    server = Server(instance).start()
    try:
        acknowledged = {f"kept-{i}.bin": os.urandom(50_000 + i) for i in range(3)}
        for name, data in acknowledged.items():
            status, _ = server.request("POST", f"/api/assets/{name}", body=data,
                                       headers={"Content-Type": "application/octet-stream"})
            assert status == 201

        conn = server.connection()
        conn.putrequest("POST", "/api/assets/half.bin")
        conn.putheader("Authorization", AUTH)
        conn.putheader("Content-Type", "application/octet-stream")
        conn.putheader("Content-Length", str(50 * MB))
        conn.endheaders()
        for _ in range(5):  # 5 MB of the promised 50 MB
            conn.send(os.urandom(MB))
        server.kill()
        conn.close()
    finally:
        server.stop()

    restarted = Server(instance).start()
    try:
        status, _ = restarted.request("GET", "/api/assets/half.bin.json")
        assert status == 404
        for name, data in acknowledged.items():
            status, body = restarted.request("GET", f"/api/assets/{name}/renditions/original")
            assert (status, body) == (200, data)
        expected = {hashlib.sha256(d).hexdigest() for d in acknowledged.values()}
        assert _blob_files(instance) == expected
    finally:
        restarted.stop()


def test_a_large_raw_upload_streams_without_growing_server_memory(server):
    size = 200 * MB
    chunk = os.urandom(MB)
    digest = hashlib.sha256()
    before = server.peak_rss_kb()

    conn = server.connection()
    conn.putrequest("POST", "/api/assets/big.bin")
    conn.putheader("Authorization", AUTH)
    conn.putheader("Content-Type", "application/octet-stream")
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
    assert growth_mb < 50, f"peak memory grew by {growth_mb:.0f} MB for a 200 MB upload"

    conn = server.connection()
    conn.request("GET", "/api/assets/big.bin/renditions/original", headers={"Authorization": AUTH})
    response = conn.getresponse()
    returned = hashlib.sha256()
    while block := response.read(MB):
        returned.update(block)
    conn.close()
    assert returned.hexdigest() == digest.hexdigest()


def test_two_server_processes_racing_on_one_external_id_store_it_once(tmp_path):
    """The Projects API's external id is unique per project across server processes: the
    database decides, not a lock inside one process."""
    instance = tmp_path / "instance"
    servers = [Server(instance).start()]
    servers.append(Server(instance).start())  # the same database and blobs, another process
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ASSETS_")}
        minted = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "app", "tokens", "create", "--user", "admin"],
            env={**env, "ASSETS_INSTANCE_PATH": str(instance), "ASSETS_RENDITIONS_WORKER": "null"},
            capture_output=True, text=True, timeout=60, check=True)
        key = {"X-API-KEY": minted.stdout.strip().splitlines()[-1],
               "Content-Type": "application/json"}
        status, body = servers[0].request("POST", "/api/v2/projects", b'{"title": "P"}', key)
        assert status == 200, body
        project_id = json.loads(body)["project"]["id"]
        asset = json.dumps({"title": "A", "external_id": "contested"}).encode()
        barrier = threading.Barrier(8)

        def create(i):
            barrier.wait()
            return servers[i % 2].request("POST", f"/api/v2/projects/{project_id}/assets",
                                          asset, key)

        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(create, range(8)))
        assert sorted(status for status, _ in answers) == [200] + [400] * 7, answers
        assert all(json.loads(body) == {"error": "External id has already been taken"}
                   for status, body in answers if status == 400), answers
        status, body = servers[1].request("GET", f"/api/assets/projects/{project_id}.json")
        assert json.loads(body)["properties"]["srn:paging"]["total"] == 1
    finally:
        for server in servers:
            server.stop()
