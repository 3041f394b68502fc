"""The permission matrix over WebDAV: every kind of caller × read, list, create, update,
MKCOL, delete, COPY, MOVE, PROPPATCH and LOCK, on SQLite and PostgreSQL. WebDAV uses the
AEM API's credentials and scopes; a refusal changes nothing; what the caller cannot read
does not exist for it (404, absent from PROPFIND; a new member of a folder it cannot see
has no parent: 409)."""
from __future__ import annotations

import re

import pytest

from .conftest import CALLERS

LOCKINFO = ('<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/>'
            '</D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>')
PROPPATCH = ('<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:"><D:set><D:prop>'
             '<x:colour xmlns:x="urn:x">red</x:colour></D:prop></D:set></D:propertyupdate>')


def proppatch(client, headers):
    """PROPPATCH answers 207 either way: the property's own status says what happened."""
    response = client.open("/dav/m/a.txt", method="PROPPATCH", headers=headers, data=PROPPATCH)
    if response.status_code != 207:
        return response.status_code
    return int(re.search(rb"HTTP/1.1 (\d+)", response.get_data()).group(1))


OPERATIONS = {
    "read": lambda c, h: c.open("/dav/m/a.txt", method="GET", headers=h),
    "list": lambda c, h: c.open("/dav/m/", method="PROPFIND", headers={**h, "Depth": "1"}),
    "create": lambda c, h: c.open("/dav/m/new.txt", method="PUT", headers=h, data=b"new"),
    "update": lambda c, h: c.open("/dav/m/a.txt", method="PUT", headers=h, data=b"changed"),
    "mkcol": lambda c, h: c.open("/dav/m/newdir", method="MKCOL", headers=h),
    "delete": lambda c, h: c.open("/dav/m/a.txt", method="DELETE", headers=h),
    "copy": lambda c, h: c.open("/dav/m/a.txt", method="COPY",
                                headers={**h, "Destination": "/dav/dest/copy.txt"}),
    "move": lambda c, h: c.open("/dav/m/a.txt", method="MOVE",
                                headers={**h, "Destination": "/dav/dest/moved.txt"}),
    "proppatch": proppatch,
    "lock": lambda c, h: c.open("/dav/m/a.txt", method="LOCK", headers=h, data=LOCKINFO),
}
#: Writes that change the tree (a LOCK changes only the lock table).
TREE_WRITES = {"create", "update", "mkcol", "delete", "copy", "move", "proppatch"}
ALLOWED = {"read": 200, "list": 207, "create": 201, "update": 204, "mkcol": 201, "delete": 204,
           "copy": 201, "move": 201, "proppatch": 200, "lock": 200}
READ_ONLY = {"read": 200, "list": 207, **{op: 403 for op in ALLOWED if op not in ("read", "list")}}
EXPECTED = {
    "admin": ALLOWED,
    # Nothing exists for it: what it names is missing (404), a new member has no parent (409).
    "norights": {**{op: 404 for op in OPERATIONS},
                 **{op: 409 for op in ("create", "update", "mkcol", "lock")}},
    "reader": READ_ONLY,
    "writer": ALLOWED,
    "denied": ALLOWED,  # its deny is on /m/locked, which these requests do not touch
    "member": ALLOWED,
    "scoped": READ_ONLY,
    "tenant": {op: 403 for op in OPERATIONS},
    "revoked": {op: 401 for op in OPERATIONS},
    "expired": {op: 401 for op in OPERATIONS},
}


def status_of(result) -> int:
    return result if isinstance(result, int) else result.status_code


def locks(repository) -> int:
    with repository.engine.connect() as connection:
        return connection.exec_driver_sql("SELECT count(*) FROM dav_locks").scalar()


@pytest.mark.parametrize("operation", list(OPERATIONS))
@pytest.mark.parametrize("caller", CALLERS)
def test_dav_matrix(world, client, caller, operation):
    before, locks_before = world.snapshot(), locks(world.repository)
    result = OPERATIONS[operation](client, world.headers[caller])
    expected = EXPECTED[caller][operation]
    assert status_of(result) == expected, getattr(result, "data", result)
    if expected >= 400 or operation not in TREE_WRITES:
        assert world.snapshot() == before
    else:
        assert world.snapshot() != before
    assert locks(world.repository) == locks_before + (operation == "lock" and expected < 400)


def test_propfind_leaves_out_what_the_caller_cannot_read(world, client):
    body = client.open("/dav/m/", method="PROPFIND",
                       headers={**world.headers["denied"], "Depth": "1"}).get_data()
    hrefs = re.findall(rb"<D:href>([^<]+)</D:href>", body)
    assert hrefs == [b"/dav/m/", b"/dav/m/a.txt", b"/dav/m/sub/"]
    body = client.open("/dav/m/", method="PROPFIND",
                       headers={**world.headers["writer"], "Depth": "1"}).get_data()
    assert b"/dav/m/locked/" in body


def test_a_node_hidden_below_a_grant_answers_404(world, client):
    for method, url in [("GET", "/dav/m/locked/c.txt"), ("PROPFIND", "/dav/m/locked/"),
                        ("DELETE", "/dav/m/locked/c.txt")]:
        headers = {**world.headers["denied"], "Depth": "0"}
        assert client.open(url, method=method, headers=headers).status_code == 404, method
    assert client.open("/dav/m/locked/c.txt", method="GET",
                       headers=world.headers["writer"]).status_code == 200


@pytest.mark.parametrize("method, headers", [("DELETE", {}), ("MOVE", {"Destination": "/dav/dest/m/"})])
def test_a_deny_below_refuses_the_whole_delete_or_move(world, client, method, headers):
    before = world.snapshot()
    response = client.open("/dav/m/", method=method, headers={**world.headers["denied"], **headers})
    assert response.status_code == 403, response.get_data(as_text=True)
    assert world.snapshot() == before
    response = client.open("/dav/m/", method=method, headers={**world.headers["writer"], **headers})
    assert response.status_code in (201, 204)


def test_only_administrators_move_or_delete_the_flat_apis_folders(world, client):
    world.repository.access.modify((), "writer", granted=0x7F)  # jcr:all on the root
    writer = world.headers["writer"]
    before = world.snapshot()
    assert client.open("/dav/emporix/", method="DELETE", headers=writer).status_code == 403
    assert client.open("/dav/ams/", method="MOVE",
                       headers={**writer, "Destination": "/dav/x/"}).status_code == 403
    assert world.snapshot() == before
