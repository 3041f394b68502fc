"""The service document and folder listings: paging with offset/limit, srn:paging, next/prev."""
from __future__ import annotations

import pytest

from .helpers import HOST, children, json_url, link, message, url

#: Names chosen so that byte order differs from case-insensitive or locale order, and so
#: that the ``next`` links must percent-encode them.
AWKWARD_NAMES = ["Zebra", "apple", "_under", "a&b=c", "x y", "é-accent", "Ärger", "100%",
                 "q?x", "h#x", "A", "a", "0", "~tilde", "日本"]


def fill(api, folder: str, count: int = 45) -> list[str]:
    names = AWKWARD_NAMES + [f"item-{i:03d}" for i in range(count - len(AWKWARD_NAMES))]
    api.make_folder(folder)
    for index, name in enumerate(names):
        if index % 2:
            response = api.post(url(folder) + "/*", data={"name": name})
        else:
            response = api.post(url(folder) + "/*", data={"name": name},
                                content_type="multipart/form-data")
        assert response.status_code == 201, response.get_data(as_text=True)
    return sorted(names, key=lambda n: n.encode("utf-8"))


def test_service_document_links_to_the_assets_root(api):
    response = api.get("/api.json")
    assert response.status_code == 200
    body = response.get_json()
    assert isinstance(body["class"], list)
    assert link(body, "self") == HOST + "/api.json"
    hrefs = [l["href"] for e in body.get("entities", []) for l in e.get("links", [])]
    hrefs += [l["href"] for l in body.get("links", [])]
    assert HOST + "/api/assets.json" in hrefs
    assert api.get(HOST + "/api/assets.json").status_code == 200


@pytest.mark.parametrize("path", ["/api/assets.json", "/api/assets", "/api/assets/"])
def test_root_folder_listing_is_reachable_with_and_without_json_suffix(api, path):
    api.make_folder("one")
    response = api.get(path)
    assert response.status_code == 200
    body = response.get_json()
    assert body["class"] == ["assets/folder"]
    assert [e["properties"]["name"] for e in children(body)] == ["one"]


def test_listing_of_a_missing_folder_is_404(api):
    response = api.get(json_url("nowhere"))
    assert response.status_code == 404
    assert "nowhere" in message(response)


def test_listing_shows_srn_paging_with_default_limit_20(api):
    fill(api, "big", 25)
    body = api.entity("big")
    assert body["properties"]["srn:paging"] == {"total": 25, "offset": 0, "limit": 20}
    assert len(children(body)) == 20


def test_empty_folder_shows_paging_and_no_next_or_prev(api):
    api.make_folder("empty")
    body = api.entity("empty")
    assert body["properties"]["srn:paging"] == {"total": 0, "offset": 0, "limit": 20}
    assert children(body) == []
    assert link(body, "next") is None and link(body, "prev") is None


def test_offset_and_limit_select_a_page_in_byte_order(api):
    ordered = fill(api, "big", 25)
    response = api.get(json_url("big") + "?offset=10&limit=7")
    assert response.status_code == 200
    body = response.get_json()
    assert [e["properties"]["name"] for e in children(body)] == ordered[10:17]
    assert body["properties"]["srn:paging"] == {"total": 25, "offset": 10, "limit": 7}


def test_following_next_links_shows_every_child_exactly_once_in_byte_order(api):
    ordered = fill(api, "big", 45)
    href = json_url("big") + "?limit=20"
    seen: list[str] = []
    pages = []
    while href is not None:
        response = api.get(href)
        assert response.status_code == 200
        body = response.get_json()
        pages.append(body["properties"]["srn:paging"])
        seen += [e["properties"]["name"] for e in children(body)]
        href = link(body, "next")
        if href is not None:
            assert href.startswith(HOST + "/api/assets/big.json?")
    assert seen == ordered
    assert len(seen) == len(set(seen)) == 45
    assert [p["offset"] for p in pages] == [0, 20, 40]
    assert all(p["total"] == 45 and p["limit"] == 20 for p in pages)


def test_last_page_has_prev_and_no_next(api):
    fill(api, "big", 25)
    body = api.get(json_url("big") + "?offset=20&limit=10").get_json()
    assert link(body, "next") is None
    assert len(children(body)) == 5
    assert link(body, "prev") is not None


def test_following_prev_links_walks_back_to_the_first_page(api):
    ordered = fill(api, "big", 25)
    body = api.get(json_url("big") + "?offset=20&limit=10").get_json()
    previous = api.get(link(body, "prev")).get_json()
    assert previous["properties"]["srn:paging"]["offset"] == 10
    assert [e["properties"]["name"] for e in children(previous)] == ordered[10:20]
    first = api.get(link(previous, "prev")).get_json()
    assert [e["properties"]["name"] for e in children(first)] == ordered[:10]
    assert link(first, "prev") is None


def test_first_page_has_next_but_no_prev(api):
    fill(api, "big", 25)
    body = api.get(json_url("big") + "?limit=20").get_json()
    assert link(body, "next") is not None
    assert link(body, "prev") is None


def test_offset_past_the_end_gives_an_empty_page(api):
    fill(api, "big", 20)
    response = api.get(json_url("big") + "?offset=500")
    assert response.status_code == 200
    body = response.get_json()
    assert children(body) == []
    assert body["properties"]["srn:paging"]["total"] == 20
    assert link(body, "next") is None


def test_listing_contains_only_folders_and_assets(api):
    api.make_folder("f")
    api.make_asset("f/a.png")
    api.make_rendition("f/a.png", "web.png")
    api.post(url("f/a.png") + "/comments/*", data={"message": "hi"})
    api.make_folder("f/sub")
    body = api.entity("f")
    assert sorted(e["properties"]["name"] for e in children(body)) == ["a.png", "sub"]
    assert body["properties"]["srn:paging"]["total"] == 2


BAD_PAGING = ["offset=-1", "offset=abc", "offset=1.5", "offset=", "limit=0", "limit=-5",
              "limit=abc", "limit=100000", "offset=0x10"]


def test_bad_offset_or_limit_is_400_with_a_message(api):
    api.make_folder("f")
    for query in BAD_PAGING:
        if query == "offset=":
            continue  # an empty value means the default
        response = api.get(json_url("f") + "?" + query)
        assert response.status_code == 400, query
        assert query.split("=")[0] in message(response)
    assert api.get(json_url("f") + "?offset=&limit=").status_code == 200
