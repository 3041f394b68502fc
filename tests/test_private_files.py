"""The instance folder, the database and the blobs hold the users' data: they are created
readable by their owner only, whatever the umask."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from app import create_app
from app.renditions import stop_worker

from .conftest import ADMIN_PASSWORD, basic


@pytest.fixture
def loose_umask():
    previous = os.umask(0o022)  # the usual default: group and others may read
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_instance_folder_database_and_blobs_are_readable_by_their_owner_only(
        tmp_path, monkeypatch, loose_umask):
    for key in list(os.environ):
        if key.startswith("ASSETS_"):
            monkeypatch.delenv(key)
    instance = tmp_path / "new" / "instance"
    monkeypatch.setenv("ASSETS_INSTANCE_PATH", str(instance))
    app = create_app({"TESTING": True, "ADMIN_PASSWORD": ADMIN_PASSWORD,
                      "RENDITIONS_WORKER": None, "PROJECTS_IMPORT_WORKERS": 0})
    try:
        response = app.test_client().post("/api/assets/a.bin", data=b"secret bytes",
                                          headers={**basic("admin", ADMIN_PASSWORD),
                                                   "Content-Type": "application/octet-stream"})
        assert response.status_code == 201
        blobs = instance / "blobs"
        folders = [instance, *(p for p in blobs.rglob("*") if p.is_dir()), blobs]
        files = [p for p in instance.rglob("*") if p.is_file()]
        assert {p.name for p in files} >= {"assets.db", "assets.db-wal", "assets.db-shm"}
        assert len([p for p in files if p.parent.parent.parent == blobs]) == 1  # the blob
        assert {str(p): oct(mode(p)) for p in folders} == {str(p): "0o700" for p in folders}
        assert {str(p): oct(mode(p)) for p in files} == {str(p): "0o600" for p in files}
    finally:
        stop_worker(app)
        app.extensions["projects_importer"].shutdown(timeout=10)
        app.extensions["repository"].dispose()
