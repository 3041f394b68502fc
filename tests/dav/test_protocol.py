"""WebDAV's shape of the tree: OPTIONS, PROPFIND, MKCOL, DELETE, and bad input."""
from __future__ import annotations

import pytest

from repository import COMMENT, RENDITION

from .conftest import D


def test_options_advertise_classes_1_and_2_and_what_the_resource_allows(dav):
    dav.make("f/", "f/a.txt")
    for path, allowed in [("/dav/f/", {"PROPFIND", "DELETE", "COPY", "MOVE", "LOCK"}),
                          ("/dav/f/a.txt", {"GET", "PUT", "PROPPATCH", "LOCK", "UNLOCK"}),
                          ("/dav/f/new", {"PUT", "MKCOL"})]:
        response = dav.request("OPTIONS", path)
        assert response.status_code == 200
        assert response.headers["DAV"].replace(" ", "") == "1,2"
        assert response.headers["MS-Author-Via"] == "DAV"
        assert allowed <= {m.strip() for m in response.headers["Allow"].split(",")}


def test_propfind_depth_1_lists_folders_and_assets_with_a_slash_on_collections(dav):
    dav.make("f/", "f/sub/", "f/a.txt")
    found = dav.propfind("/dav/f")
    assert sorted(found) == ["/dav/f/", "/dav/f/a.txt", "/dav/f/sub/"]
    assert found["/dav/f/sub/"].found[f"{D}resourcetype"].find(f"{D}collection") is not None
    asset = found["/dav/f/a.txt"].found
    assert asset[f"{D}getcontentlength"].text == "5"
    assert asset[f"{D}getcontenttype"].text == "text/plain"
    assert asset[f"{D}displayname"].text == "a.txt"


def test_renditions_and_comments_are_not_shown(dav):
    dav.make("a.png")
    blob = dav.repository.blobs.put_bytes(b"thumb")
    dav.repository.create(("a.png", "cq5dam.thumbnail.48.48.png"), RENDITION, blob=blob,
                          mime_type="image/png")
    dav.repository.create(("a.png", "c1"), COMMENT, properties={"message": "hi"})
    assert dav.request("PROPFIND", "/dav/a.png/cq5dam.thumbnail.48.48.png",
                       headers={"Depth": "0"}).status_code == 404
    assert dav.request("GET", "/dav/a.png/c1").status_code == 404
    assert list(dav.propfind("/dav/a.png")) == ["/dav/a.png"]


def test_propfind_depth_infinity_is_refused_with_propfind_finite_depth(dav):
    dav.make("f/")
    for headers in [{"Depth": "infinity"}, {}]:  # no Depth header means infinity
        response = dav.request("PROPFIND", "/dav/f/", headers=headers)
        assert response.status_code == 403
        assert b"propfind-finite-depth" in response.get_data()


def test_propfind_depth_infinity_answers_when_the_setting_allows_it(make_app, token_auth):
    from .conftest import Dav

    dav = Dav(make_app(DAV_PROPFIND_INFINITY=True), token_auth)
    dav.make("f/", "f/sub/", "f/sub/deep.txt")
    assert "/dav/f/sub/deep.txt" in dav.propfind("/dav/f/", depth="infinity")


def test_mkcol_makes_a_folder_that_every_api_sees(dav):
    assert dav.request("MKCOL", "/dav/new").status_code == 201
    assert dav.repository.get(("new",)).kind == "folder"
    assert dav.request("MKCOL", "/dav/new").status_code == 405  # exists
    assert dav.request("MKCOL", "/dav/missing/new").status_code == 409
    aem = dav.client.get("/api/assets/new.json", headers=dav.headers)
    assert aem.status_code == 200 and "assets/folder" in aem.get_json()["class"]


def test_delete_removes_the_subtree(dav):
    dav.make("f/", "f/sub/", "f/sub/a.txt")
    assert dav.request("DELETE", "/dav/f/").status_code == 204
    assert not dav.repository.exists(("f",))
    assert dav.request("DELETE", "/dav/f/").status_code == 404


def test_the_root_cannot_be_deleted(dav):
    response = dav.request("DELETE", "/dav/")
    assert response.status_code == 403
    assert b"root" in response.get_data()


@pytest.mark.parametrize("name", ["%01ctl", "*"])
def test_a_bad_name_is_400_with_a_message_and_stores_nothing(dav, name):
    response = dav.request("PUT", f"/dav/{name}", data=b"x")
    assert response.status_code == 400, response.get_data(as_text=True)
    assert b"name" in response.get_data()
    assert [n.name for n in dav.repository.list_children((), limit=None).nodes] == \
        ["ams", "emporix", "projects"]


def test_a_request_uri_with_a_fragment_is_400(dav):
    dav.make("f/")
    response = dav.client.open("/dav/f/", method="DELETE", headers=dav.headers,
                               environ_overrides={"REQUEST_URI": "/dav/f/#frag"})
    assert response.status_code == 400
    assert dav.repository.exists(("f",))


def test_an_xml_body_over_the_limit_is_413(dav):
    body = b"<?xml version='1.0'?><D:propfind xmlns:D='DAV:'>" + b" " * (1024 * 1024) + \
        b"<D:allprop/></D:propfind>"
    response = dav.request("PROPFIND", "/dav/", headers={"Depth": "0"}, data=body)
    assert response.status_code == 413


def test_a_malformed_propfind_body_is_400(dav):
    response = dav.request("PROPFIND", "/dav/", headers={"Depth": "1"}, data=b"<not xml")
    assert response.status_code == 400
