"""PROPPATCH: dead properties kept on the node, all or nothing, surviving COPY and MOVE."""
from __future__ import annotations

from .conftest import D, prop_body

NS = "http://example.com/ns"


def proppatch(dav, path: str, *, set_: dict[str, str] | None = None,
              remove: list[str] = (), extra: str = ""):
    sets = "".join(f'<x:{k} xmlns:x="{NS}">{v}</x:{k}>' for k, v in (set_ or {}).items())
    removes = "".join(f'<x:{k} xmlns:x="{NS}"/>' for k in remove)
    body = ('<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:">'
            + (f"<D:set><D:prop>{sets}{extra}</D:prop></D:set>" if sets or extra else "")
            + (f"<D:remove><D:prop>{removes}</D:prop></D:remove>" if removes else "")
            + "</D:propertyupdate>")
    return dav.request("PROPPATCH", path, data=body)


def value(dav, path: str, name: str) -> str | None:
    found = dav.propfind(path, depth="0", body=prop_body(f"{{{NS}}}{name}"))
    element = next(iter(found.values())).found.get(f"{{{NS}}}{name}")
    return None if element is None else element.text


def test_dead_properties_are_kept_in_the_nodes_properties(dav):
    dav.make("a.txt")
    response = proppatch(dav, "/dav/a.txt", set_={"author": "Ada", "year": "1843"})
    assert response.status_code == 207
    assert (value(dav, "/dav/a.txt", "author"), value(dav, "/dav/a.txt", "year")) == ("Ada", "1843")
    stored = dav.repository.get(("a.txt",)).properties
    assert f"dav:{{{NS}}}author" in stored and "Ada" in stored[f"dav:{{{NS}}}author"]
    proppatch(dav, "/dav/a.txt", remove=["author"])
    assert value(dav, "/dav/a.txt", "author") is None
    assert value(dav, "/dav/a.txt", "year") == "1843"


def test_allprop_lists_dead_properties(dav):
    dav.make("f/")
    proppatch(dav, "/dav/f/", set_={"colour": "red"})
    found = dav.propfind("/dav/f/", depth="0")["/dav/f/"].found
    assert found[f"{{{NS}}}colour"].text == "red"


def test_a_proppatch_is_all_or_nothing(dav):
    dav.make("a.txt")
    before = dav.repository.get(("a.txt",))
    # getetag is a live property: the whole request fails, the dead one is not stored either
    response = proppatch(dav, "/dav/a.txt", set_={"author": "Ada"}, extra="<D:getetag>x</D:getetag>")
    assert response.status_code == 207
    assert b"403" in response.get_data() and b"424" in response.get_data()
    assert dav.repository.get(("a.txt",)).properties == before.properties


def test_one_proppatch_is_one_update(dav):
    dav.make("a.txt")
    before = dav.repository.get(("a.txt",)).version
    proppatch(dav, "/dav/a.txt", set_={"a": "1", "b": "2", "c": "3"})
    assert dav.repository.get(("a.txt",)).version == before + 1


def test_dead_properties_survive_copy_and_move(dav):
    dav.make("f/", "f/a.txt")
    proppatch(dav, "/dav/f/a.txt", set_={"author": "Ada"})
    proppatch(dav, "/dav/f/", set_={"colour": "red"})
    assert dav.request("COPY", "/dav/f/", headers={"Destination": "/dav/g/"}).status_code == 201
    assert dav.request("MOVE", "/dav/g/a.txt", headers={"Destination": "/dav/g/b.txt"}).status_code == 201
    assert value(dav, "/dav/g/b.txt", "author") == "Ada"
    assert value(dav, "/dav/g/", "colour") == "red"


def test_a_property_with_markup_keeps_its_elements_and_namespaces(dav):
    dav.make("a.txt")
    nested = '<y:inner xmlns:y="urn:other">deep</y:inner>'
    proppatch(dav, "/dav/a.txt", set_={"tree": nested})
    found = dav.propfind("/dav/a.txt", depth="0", body=prop_body(f"{{{NS}}}tree"))
    tree = found["/dav/a.txt"].found[f"{{{NS}}}tree"]
    assert tree.find("{urn:other}inner").text == "deep"


def test_a_property_set_as_text_by_another_api_is_shown_as_text(dav):
    dav.make("a.txt")
    for text in ["plain < text", "<other>element of another name</other>",
                 "<?xml version='1.0' encoding='UTF-8'?><x/>"]:
        dav.repository.update(("a.txt",), properties={f"dav:{{{NS}}}note": text})
        assert value(dav, "/dav/a.txt", "note") == text


def test_the_aem_api_shows_the_same_properties(dav):
    dav.make("a.txt")
    proppatch(dav, "/dav/a.txt", set_={"author": "Ada"})
    metadata = dav.client.get("/api/assets/a.txt.json", headers=dav.headers).get_json()[
        "properties"]["metadata"]
    assert "Ada" in metadata[f"dav:{{{NS}}}author"]


def test_live_dav_properties_cannot_be_set(dav):
    dav.make("a.txt")
    response = proppatch(dav, "/dav/a.txt", extra="<D:getcontentlength>9</D:getcontentlength>")
    assert b"403" in response.get_data()
    assert dav.propfind("/dav/a.txt", depth="0")["/dav/a.txt"].found[f"{D}getcontentlength"].text == "5"
