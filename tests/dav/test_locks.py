"""Class 2: LOCK and UNLOCK, with the locks in the database so every process sees them."""
from __future__ import annotations

import re

import pytest
from wsgidav.dav_error import DAVError

from app.dav.locks import DatabaseLockStorage
from tests.postgres_server import postgres_server, postgres_url  # noqa: F401 (fixtures)

from .conftest import Dav


@pytest.fixture(params=[pytest.param("sqlite", marks=pytest.mark.sqlite),
                        pytest.param("postgresql", marks=pytest.mark.postgresql)])
def storage(request, make_app) -> DatabaseLockStorage:
    """The lock storage on each database backend."""
    settings = {} if request.param == "sqlite" else {
        "DATABASE_URL": request.getfixturevalue("postgres_url")}
    return DatabaseLockStorage(make_app(**settings).extensions["repository"].engine)

LOCKINFO = ('<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:{scope}/>'
            '</D:lockscope><D:locktype><D:write/></D:locktype><D:owner>tests</D:owner>'
            '</D:lockinfo>')


def lock(dav: Dav, path: str, scope: str = "exclusive", depth: str = "infinity", **headers):
    return dav.request("LOCK", path, data=LOCKINFO.format(scope=scope),
                       headers={"Depth": depth, "Timeout": "Second-600", **headers})


def token_of(response) -> str:
    return re.fullmatch(r"<(.+)>", response.headers["Lock-Token"]).group(1)


def test_a_locked_file_refuses_writes_without_its_token(dav):
    dav.make("a.txt")
    token = token_of(lock(dav, "/dav/a.txt"))
    assert dav.request("PUT", "/dav/a.txt", data=b"x").status_code == 423
    assert dav.request("DELETE", "/dav/a.txt").status_code == 423
    put = dav.request("PUT", "/dav/a.txt", data=b"x", headers={"If": f"(<{token}>)"})
    assert put.status_code == 204
    unlock = dav.request("UNLOCK", "/dav/a.txt", headers={"Lock-Token": f"<{token}>"})
    assert unlock.status_code == 204
    assert dav.request("DELETE", "/dav/a.txt").status_code == 204


def test_a_lock_taken_through_one_process_binds_another(make_app, token_auth):
    """Two apps on one database stand for two server processes (gunicorn workers)."""
    first = Dav(make_app(), token_auth)
    second = Dav(make_app(), token_auth)  # same database and blobs as the first
    first.make("a.txt")
    token = token_of(lock(first, "/dav/a.txt"))
    assert second.request("PUT", "/dav/a.txt", data=b"x").status_code == 423
    assert second.request("PUT", "/dav/a.txt", data=b"x",
                          headers={"If": f"(<{token}>)"}).status_code == 204
    discovered = second.request("PROPFIND", "/dav/a.txt", headers={"Depth": "0"}).get_data()
    assert token.encode() in discovered


def test_a_depth_infinity_lock_on_a_folder_covers_what_is_below(dav):
    dav.make("f/", "f/a.txt")
    token = token_of(lock(dav, "/dav/f/"))
    assert dav.request("PUT", "/dav/f/new.txt", data=b"x").status_code == 423
    assert dav.request("DELETE", "/dav/f/a.txt").status_code == 423
    assert dav.request("PUT", "/dav/f/new.txt", data=b"x",
                       headers={"If": f"(<{token}>)"}).status_code == 201


def test_a_lock_below_a_folder_forbids_deleting_the_folder(dav, dav_for):
    dav.make("f/", "f/a.txt")
    lock(dav, "/dav/f/a.txt")
    assert dav.request("DELETE", "/dav/f/").status_code == 423
    assert dav.repository.exists(("f", "a.txt"))


def test_shared_locks_coexist_and_exclude_an_exclusive_one(dav):
    dav.make("a.txt")
    assert lock(dav, "/dav/a.txt", "shared").status_code == 200
    assert lock(dav, "/dav/a.txt", "shared").status_code == 200
    assert lock(dav, "/dav/a.txt", "exclusive").status_code == 423


def test_locking_an_unmapped_url_makes_an_empty_asset(dav):
    dav.make("f/")
    response = lock(dav, "/dav/f/new.txt", depth="0")
    assert response.status_code == 201
    node = dav.repository.get(("f", "new.txt"))
    assert (node.kind, node.blob) == ("asset", None)
    assert dav.request("GET", "/dav/f/new.txt").get_data() == b""


def test_a_move_leaves_the_lock_behind_and_a_delete_removes_it(dav, app):
    dav.make("a.txt", "b.txt")
    storage = DatabaseLockStorage(app.extensions["repository"].engine)
    token = token_of(lock(dav, "/dav/a.txt"))
    dav.request("MOVE", "/dav/a.txt", headers={"Destination": "/dav/c.txt", "If": f"(<{token}>)"})
    assert storage.get(token) is None
    token = token_of(lock(dav, "/dav/b.txt"))
    dav.request("DELETE", "/dav/b.txt", headers={"If": f"(<{token}>)"})
    assert storage.get(token) is None


def test_a_user_who_may_only_read_cannot_lock(app, dav, dav_for):
    from ..conftest import grant

    dav.make("a.txt")
    app.extensions["accounts"].create_user("reader", "a password")
    grant(app, "/", "reader", "jcr:read")
    response = lock(dav_for("reader"), "/dav/a.txt")
    assert response.status_code == 403
    assert b"jcr:modifyProperties" in response.get_data()


def test_the_storage_refuses_a_conflicting_lock_taken_meanwhile(storage):
    """The manager checks and then stores; another process may have locked in between:
    the storage checks again while it holds the write lock."""

    def new(root, scope="exclusive", depth="infinity"):
        return {"root": root, "type": "write", "scope": scope, "depth": depth,
                "owner": b"", "timeout": 60, "principal": "admin"}

    storage.create("/f", new("/f"))
    for root, depth in [("/f", "0"), ("/f/below", "0")]:
        with pytest.raises(DAVError) as refused:
            storage.create(root, new(root, depth=depth))
        assert refused.value.value == 423
    storage.create("/g/below", new("/g/below", depth="0"))
    with pytest.raises(DAVError):
        storage.create("/g", new("/g"))  # infinity over a lock below
    assert len(storage.get_lock_list("/", include_root=True, include_children=True,
                                     token_only=True)) == 2


def test_an_expired_lock_no_longer_binds(storage):
    lock_ = storage.create("/a", {"root": "/a", "type": "write", "scope": "exclusive",
                                  "depth": "0", "owner": b"", "timeout": 60, "principal": "x"})
    with storage.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE dav_locks SET expire = 1")
    assert storage.get(lock_["token"]) is None
    assert storage.get_lock_list("/a", include_root=True, include_children=False,
                                 token_only=True) == []


def test_locks_below_a_path_are_found_by_byte_order_not_by_prefix_text(storage):
    """``/a`` holds ``/a/b`` but not ``/ab`` or ``/a-b``; percent-quoted names sort too."""
    for root in ["/a/b", "/ab", "/a-b", "/a/%C3%A9", "/a/b/c"]:
        storage.create(root, {"root": root, "type": "write", "scope": "shared", "depth": "0",
                              "owner": b"", "timeout": 60, "principal": "x"})
    found = storage.get_lock_list("/a", include_root=False, include_children=True,
                                  token_only=False)
    assert sorted(lock["root"] for lock in found) == ["/a/%C3%A9", "/a/b", "/a/b/c"]
    assert storage.locked_roots_below("/a/b") == {"/a/b/c"}
    refreshed = storage.refresh(found[0]["token"], timeout=120)
    assert refreshed["timeout"] == 120
    assert storage.delete(found[0]["token"]) and storage.get(found[0]["token"]) is None
