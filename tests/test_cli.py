from __future__ import annotations

import base64
import os
import stat
import subprocess
import sys
import tempfile
import time

import pytest

from app import create_app
from repository.accounts import Accounts

from .conftest import basic


def test_users_create_reads_the_password_from_standard_input(app, client):
    result = app.test_cli_runner().invoke(args=["users", "create", "alice"], input="s3cret-pw\n")
    assert result.exit_code == 0, result.output
    assert client.get("/api.json", headers=basic("alice", "s3cret-pw")).status_code == 200
    assert client.get("/api.json", headers=basic("alice", "wrong")).status_code == 401


def test_users_create_refuses_an_empty_password_and_a_taken_name(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["users", "create", "bob"], input="\n").exit_code != 0
    assert runner.invoke(args=["users", "create", "admin"], input="pw\n").exit_code != 0


def test_tokens_create_prints_a_working_token_as_its_last_line(app, client):
    result = app.test_cli_runner().invoke(args=["tokens", "create", "--user", "admin"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert client.get("/api.json", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert client.get("/api.json", headers={"Authorization": f"Bearer {token}x"}).status_code == 401


def test_tokens_create_binds_scopes_and_a_tenant(app):
    result = app.test_cli_runner().invoke(
        args=["tokens", "create", "--user", "admin", "--scope", "media.asset_read",
              "--scope", "media.asset_manage", "--tenant", "acme"])
    assert result.exit_code == 0, result.output
    identity = app.extensions["accounts"].authenticate_token(result.output.strip().splitlines()[-1])
    assert identity.scopes == ("media.asset_read", "media.asset_manage")
    assert identity.tenant == "acme" and identity.name == "admin"


def test_tokens_create_for_an_unknown_user_fails(app):
    result = app.test_cli_runner().invoke(args=["tokens", "create", "--user", "nobody"])
    assert result.exit_code != 0
    assert "nobody" in result.output


def test_gc_removes_unreferenced_blobs_and_keeps_referenced_ones(app, client, admin_auth):
    headers = {**admin_auth, "Content-Type": "application/octet-stream"}
    assert client.post("/api/assets/kept.bin", data=b"kept", headers=headers).status_code == 201
    assert client.post("/api/assets/gone.bin", data=b"gone", headers=headers).status_code == 201
    assert client.delete("/api/assets/gone.bin", headers=admin_auth).status_code == 200
    blobs = app.extensions["repository"].blobs
    stale = blobs.tmp_dir / "upload-cut-off"
    stale.write_bytes(b"half")

    result = app.test_cli_runner().invoke(args=["gc", "--grace", "0"])
    assert result.exit_code == 0, result.output

    import hashlib
    assert not blobs.exists(hashlib.sha256(b"gone").hexdigest())
    assert blobs.exists(hashlib.sha256(b"kept").hexdigest())
    assert not stale.exists()
    assert client.get("/api/assets/kept.bin/renditions/original", headers=admin_auth).data == b"kept"


def _clean_env(monkeypatch, instance):
    for key in list(os.environ):
        if key.startswith("ASSETS_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("ASSETS_INSTANCE_PATH", str(instance))


def test_cli_commands_work_as_a_real_process_on_the_instance_folder(tmp_path, monkeypatch):
    instance = tmp_path / "elsewhere"
    _clean_env(monkeypatch, instance)
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    created = subprocess.run(flask + ["users", "create", "carol"], input="pw-carol\n",
                             capture_output=True, text=True, timeout=60)
    assert created.returncode == 0, created.stderr
    minted = subprocess.run(flask + ["tokens", "create", "--user", "carol"],
                            capture_output=True, text=True, timeout=60)
    assert minted.returncode == 0, minted.stderr
    token = minted.stdout.strip().splitlines()[-1]
    client = create_app().test_client()
    assert client.get("/api.json", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert (instance / "assets.db").is_file()


def test_no_default_password_a_random_one_is_written_readable_only_by_the_owner(
    tmp_path, monkeypatch
):
    instance = tmp_path / "instance"
    _clean_env(monkeypatch, instance)
    client = create_app().test_client()
    secret_file = instance / "admin-password.txt"
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    password = secret_file.read_text().strip()
    assert len(password) >= 16
    assert client.get("/api.json", headers=basic("admin", password)).status_code == 200
    assert client.get("/api.json", headers=basic("admin", "admin")).status_code == 401
    create_app()  # a second start keeps the first password
    assert secret_file.read_text().strip() == password


def test_processes_starting_at_once_on_a_new_instance_share_one_admin_password(
    tmp_path, monkeypatch
):
    """Server workers and CLI commands may all start together on a new instance folder."""
    instance = tmp_path / "instance"
    _clean_env(monkeypatch, instance)
    env = {**os.environ, "ASSETS_RENDITIONS_WORKER": "null"}
    # Imports take a varying time; each process then waits for the same moment to start.
    start_at = time.time() + 4
    program = ("import time; from app import create_app; "
               f"time.sleep(max(0, {start_at} - time.time())); create_app()")
    starters = [
        subprocess.Popen([sys.executable, "-c", program],
                         env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    outcomes = [(p.returncode, err) for p in starters
                for _, err in [p.communicate(timeout=120)]]
    assert [code for code, _ in outcomes] == [0] * 4, outcomes
    assert sum("Created the user 'admin'" in err for _, err in outcomes) == 1, outcomes
    password = (instance / "admin-password.txt").read_text().strip()
    client = create_app().test_client()
    assert client.get("/api.json", headers=basic("admin", password)).status_code == 200


def test_a_start_that_loses_the_race_to_create_admin_keeps_the_winners_password(
    tmp_path, monkeypatch
):
    instance = tmp_path / "instance"
    _clean_env(monkeypatch, instance)
    create_app()
    secret_file = instance / "admin-password.txt"
    password = secret_file.read_text().strip()
    # Another process counted no users, then this one created admin before it did.
    monkeypatch.setattr(Accounts, "count_users", lambda self: 0)
    client = create_app().test_client()
    assert secret_file.read_text().strip() == password
    assert client.get("/api.json", headers=basic("admin", password)).status_code == 200


def test_a_first_start_that_cannot_write_the_password_file_creates_no_admin(
    tmp_path, monkeypatch
):
    instance = tmp_path / "instance"
    _clean_env(monkeypatch, instance)

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patched:
        patched.setattr(tempfile, "mkstemp", disk_full)
        with pytest.raises(OSError):
            create_app()
    assert not (instance / "admin-password.txt").exists()
    client = create_app().test_client()  # the next start makes admin, with its file
    password = (instance / "admin-password.txt").read_text().strip()
    assert client.get("/api.json", headers=basic("admin", password)).status_code == 200
    assert [p.name for p in instance.iterdir() if p.name.startswith(".admin-password")] == []


def test_admin_password_from_the_environment_and_no_file_written(tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    _clean_env(monkeypatch, instance)
    monkeypatch.setenv("ASSETS_ADMIN_PASSWORD", "from-the-env")
    client = create_app().test_client()
    assert client.get("/api.json", headers=basic("admin", "from-the-env")).status_code == 200
    assert not (instance / "admin-password.txt").exists()


def test_instance_path_moves_database_and_blobs(tmp_path, monkeypatch):
    instance = tmp_path / "data"
    _clean_env(monkeypatch, instance)
    monkeypatch.setenv("ASSETS_ADMIN_PASSWORD", "pw")
    client = create_app().test_client()
    response = client.post("/api/assets/a.txt", data=b"hello",
                           headers={**basic("admin", "pw"), "Content-Type": "text/plain"})
    assert response.status_code == 201
    assert (instance / "assets.db").is_file()
    assert any(p.is_file() for p in (instance / "blobs").rglob("*"))


def test_database_url_and_instance_config_are_read(tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    _clean_env(monkeypatch, instance)
    instance.mkdir()
    (instance / "config.py").write_text("LISTING_DEFAULT_LIMIT = 7\nADMIN_PASSWORD = 'cfg'\n")
    other_db = tmp_path / "other.sqlite"
    monkeypatch.setenv("ASSETS_DATABASE_URL", f"sqlite:///{other_db}")
    app = create_app()
    assert app.config["LISTING_DEFAULT_LIMIT"] == 7
    client = app.test_client()
    assert client.get("/api.json", headers=basic("admin", "cfg")).status_code == 200
    assert other_db.is_file()
    assert not (instance / "assets.db").exists()


def test_secrets_are_never_stored_in_clear(app):
    import sqlite3

    app.test_cli_runner().invoke(args=["users", "create", "dave"], input="clear-text-pw\n")
    token = app.extensions["accounts"].create_token("dave")
    db = app.config["DATABASE_URL"].removeprefix("sqlite:///")
    dump = "\n".join(sqlite3.connect(db).iterdump())
    assert "clear-text-pw" not in dump
    assert token.split(".", 1)[1] not in dump
