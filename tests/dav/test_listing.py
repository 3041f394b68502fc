"""PROPFIND Depth 1 of a folder is streamed a page at a time and shows what the caller may
read, each member once."""
from __future__ import annotations

from repository import ASSET, FOLDER

from ..conftest import deny, grant
from .conftest import Dav


def test_a_folder_larger_than_a_page_lists_every_member_once(dav):
    repository = dav.repository
    repository.create(("big",), FOLDER)
    blob = repository.blobs.put_bytes(b"b")
    names = [f"item-{i:04d}" for i in range(1234)]
    for name in names:
        repository.create(("big", name), ASSET, blob=blob)
    response = dav.request("PROPFIND", "/dav/big/", headers={"Depth": "1"})
    assert response.status_code == 207
    assert "Content-Length" not in response.headers  # streamed
    from .conftest import parse_multistatus

    hrefs = list(parse_multistatus(response.get_data()))
    assert hrefs == ["/dav/big/"] + [f"/dav/big/{name}" for name in names]


def test_members_the_caller_cannot_read_are_absent(app, dav, dav_for):
    dav.make("m/", "m/a.txt", "m/locked/", "m/locked/c.txt")
    app.extensions["accounts"].create_user("someone", "a password")
    grant(app, "/", "someone", "jcr:read")
    deny(app, "/m/locked", "someone", "jcr:read")
    someone = dav_for("someone")
    assert someone.names("/dav/m/") == ["/dav/m/a.txt"]
    assert someone.request("PROPFIND", "/dav/m/locked/", headers={"Depth": "0"}).status_code == 404
    assert someone.request("GET", "/dav/m/locked/c.txt").status_code == 404


def test_a_lock_on_a_member_shows_in_the_listing(dav):
    from .test_locks import lock, token_of

    dav.make("f/", "f/a.txt", "f/b.txt")
    token = token_of(lock(dav, "/dav/f/b.txt", depth="0"))
    found = dav.propfind("/dav/f/")
    discovery = "{DAV:}lockdiscovery"
    assert len(found["/dav/f/a.txt"].found[discovery]) == 0
    assert token in "".join(found["/dav/f/b.txt"].found[discovery].itertext())


def test_propname_and_named_properties_are_answered_for_every_member(dav):
    dav.make("f/", "f/a.txt")
    names = Dav.propfind(dav, "/dav/f/", body='<?xml version="1.0"?><D:propfind xmlns:D="DAV:">'
                                              '<D:propname/></D:propfind>')
    assert "{DAV:}getcontentlength" in names["/dav/f/a.txt"].found
    missing = dav.propfind("/dav/f/", body='<?xml version="1.0"?><D:propfind xmlns:D="DAV:">'
                                          '<D:prop><x:nope xmlns:x="urn:x"/></D:prop></D:propfind>')
    assert missing["/dav/f/a.txt"].missing == {"{urn:x}nope": "404"}
