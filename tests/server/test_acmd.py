"""aem-cmd (``acmd``), unmodified, manages users and groups of a real server process, as an
AEM administrator would: ``user create|list|setprop`` and ``group create|list|adduser``."""
from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest

from .conftest import PASSWORD, Server

if sys.version_info >= (3, 12):  # pragma: no cover
    pytest.skip("aem-cmd 0.14.5 imports the imp module, which Python 3.12 removed",
                allow_module_level=True)

ACMD = Path(sys.executable).parent / "acmd"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = Server(tmp_path_factory.mktemp("acmd") / "instance").start()
    yield running
    running.stop()


def home_with_config(tmp_path: Path, server: Server, user: str = "admin",
                     password: str = PASSWORD) -> Path:
    """A HOME whose ~/.acmd.rc points acmd at the server on loopback."""
    (tmp_path / ".acmd.rc").write_text(
        f"[server test]\nhost=http://127.0.0.1:{server.port}\nusername={user}\n"
        f"password={password}\n\n[settings]\ndefault_server=test\n")
    return tmp_path


@pytest.fixture
def acmd(tmp_path, server):
    if not ACMD.exists():
        pytest.fail(f"acmd is not installed beside {sys.executable}: pip install -e '.[test]'")
    home = home_with_config(tmp_path, server)

    def run(*args: str, home: Path = home) -> subprocess.CompletedProcess:
        return subprocess.run([str(ACMD), *args], env={**os.environ, "HOME": str(home)},
                              stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    return run


def get_json(server: Server, path: str):
    status, body = server.request("GET", path)
    assert status == 200, body
    return json.loads(body)


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def test_user_create_prints_the_users_path_and_the_user_can_log_in(acmd, server):
    done = acmd("user", "create", "--password", "jdoe-pw", "jdoe")
    assert (done.returncode, done.stdout) == (0, "/home/users/j/jdoe\n"), done.stderr
    node = get_json(server, "/home/users/j/jdoe.json")
    assert node["rep:authorizableId"] == "jdoe"
    status, _ = server.request("GET", "/api/assets.json", headers=basic("jdoe", "jdoe-pw"))
    assert status == 404  # authenticated; no rights on the root yet (a bad password: 401)
    status, _ = server.request("GET", "/api/assets.json", headers=basic("jdoe", "nope"))
    assert status == 401


def test_user_list_shows_every_user(acmd):
    assert acmd("user", "create", "-p", "pw", "ann").returncode == 0
    assert acmd("user", "create", "-p", "pw", "bob").returncode == 0
    done = acmd("user", "list")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Available users:\n")
    listed = {line.strip() for line in done.stdout.splitlines()[1:]}
    assert {"admin", "ann", "bob"} <= listed
    compact = acmd("user", "list", "--compact")
    assert {"admin", "ann", "bob"} <= set(compact.stdout.split())


def test_user_setprop_sets_typed_profile_properties(acmd, server):
    assert acmd("user", "create", "-p", "pw", "carol").returncode == 0
    done = acmd("user", "setprop", "carol", 'age=29,givenName="Carol Smith",vip=true')
    assert (done.returncode, done.stdout) == (0, "/home/users/c/carol\n"), done.stderr
    profile = get_json(server, "/home/users/c/carol/profile.json")
    assert profile["age"] == 29 and profile["vip"] is True
    assert profile["givenName"] == "Carol Smith"


def test_group_create_and_group_list(acmd):
    done = acmd("group", "create", "photographers")
    assert (done.returncode, done.stdout) == (0, "/home/groups/p/photographers\n"), done.stderr
    listed = acmd("group", "list")
    assert listed.returncode == 0 and listed.stdout.startswith("Available groups:\n")
    names = {line.strip() for line in listed.stdout.splitlines()[1:]}
    assert {"administrators", "everyone", "photographers"} <= names


def test_group_adduser_gives_the_user_the_groups_rights(acmd, server):
    assert acmd("user", "create", "-p", "dave-pw", "dave").returncode == 0
    assert acmd("group", "create", "readers").returncode == 0
    status, _ = server.request("POST", "/api/assets/shelf", body=b'{"class":"assetFolder"}',
                               headers={"Content-Type": "application/json"})
    assert status == 201
    form = urllib.parse.urlencode({"principalId": "readers", "privilege@jcr:read": "granted"})
    status, _ = server.request("POST", "/content/dam/shelf.modifyAce.json", body=form,
                               headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200
    dave = basic("dave", "dave-pw")
    assert server.request("GET", "/api/assets/shelf.json", headers=dave)[0] == 404

    done = acmd("group", "adduser", "readers", "dave")
    assert (done.returncode, done.stdout) == (0, "/home/groups/r/readers\n"), done.stderr
    group = get_json(server, "/home/groups/r/readers.json")
    assert group["rep:members"] == [get_json(server, "/home/users/d/dave.json")["jcr:uuid"]]
    assert server.request("GET", "/api/assets/shelf.json", headers=dave)[0] == 200


def test_creating_a_taken_name_fails_and_says_so(acmd):
    assert acmd("group", "create", "twice").returncode == 0
    done = acmd("group", "create", "twice")
    assert done.returncode != 0
    assert "Failed to create group" in done.stderr and "already exists" in done.stderr


def test_a_user_who_is_not_an_administrator_cannot_list_or_create(acmd, server, tmp_path):
    assert acmd("user", "create", "-p", "erin-pw", "erin").returncode == 0
    (tmp_path / "erin").mkdir()
    erin = home_with_config(tmp_path / "erin", server, "erin", "erin-pw")
    listed = acmd("user", "list", home=erin)
    assert listed.returncode != 0 and "Failed to get users list" in listed.stderr
    created = acmd("user", "create", "-p", "pw", "mallory", home=erin)
    assert created.returncode != 0
    assert "mallory" not in acmd("user", "list").stdout
