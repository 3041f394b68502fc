"""Every JSON answer is a Siren entity (checked against the official schema), shaped the way
NOTES.md describes AEM's own responses."""
from __future__ import annotations

import io

import pytest

from .helpers import (
    HOST,
    Api,
    action,
    assert_valid_siren,
    children,
    json_url,
    link,
    links,
    url,
)


def all_hrefs(document) -> list[str]:
    found = []
    for item in document.get("links", []):
        found.append(item["href"])
    for item in document.get("actions", []):
        found.append(item["href"])
    for sub in document.get("entities", []):
        if "href" in sub:
            found.append(sub["href"])
        found += all_hrefs(sub)
    return found


def all_classes(document) -> list:
    found = [document.get("class")]
    for sub in document.get("entities", []):
        found += all_classes(sub)
    return found


@pytest.fixture
def populated(api):
    """A small tree with one of everything."""
    api.make_folder("f", title="Folder F")
    api.make_folder("f/sub")
    api.make_asset("f/a.png", b"original bytes", "image/png")
    api.make_rendition("f/a.png", "cq5dam.thumbnail.140.100.png", b"thumb", "image/png")
    api.make_rendition("f/a.png", "web.jpg", b"web", "image/jpeg")
    response = api.post(url("f/a.png") + "/comments/*",
                        data={"message": "Nice", "annotationData": '{"x": 1}'})
    assert response.status_code == 201
    return response.headers["Location"]


# -- the official schema ------------------------------------------------------------------

def test_every_kind_of_answer_validates_against_the_siren_schema(client, token_auth,
                                                                 siren_validator, populated):
    raw = Api(client, token_auth, None)  # validate explicitly here, not in the wrapper
    requests = [
        ("GET", "/api.json", {}),
        ("GET", "/api/assets.json", {}),
        ("GET", json_url("f") + "?limit=1", {}),
        ("GET", json_url("f") + "?offset=1&limit=1", {}),
        ("GET", json_url("f/a.png"), {}),
        ("GET", populated, {}),
        ("POST", url("g"), {"json": {"class": "assetFolder", "properties": {"title": "G"}}}),
        ("POST", url("g") + "/*", {"data": {"name": "h", "title": "H"}}),
        ("POST", url("g/x.png"), {"data": b"x", "content_type": "image/png"}),
        ("PUT", url("g/x.png"), {"json": {"class": "asset", "properties": {"dc:title": "X"}}}),
        ("PUT", url("g/x.png"), {"data": b"y", "content_type": "image/png"}),
        ("POST", url("g/x.png") + "/renditions/r", {"data": b"r", "content_type": "image/png"}),
        ("PUT", url("g/x.png") + "/renditions/r", {"data": b"s", "content_type": "image/png"}),
        ("DELETE", url("g/x.png") + "/renditions/r", {}),
        ("POST", url("g/x.png") + "/comments/*", {"data": {"message": "m"}}),
        ("COPY", url("g"), {"headers": {"X-Destination": "/api/assets/g2"}}),
        ("COPY", url("g"), {"headers": {"X-Destination": "/api/assets/g2"}}),
        ("MOVE", url("g2"), {"headers": {"X-Destination": "/api/assets/g3"}}),
        ("DELETE", url("g3"), {}),
        # errors
        ("GET", json_url("missing"), {}),
        ("POST", url("g"), {"json": {"class": "assetFolder"}}),
        ("POST", url("nope/x"), {"json": {"class": "assetFolder"}}),
        ("POST", url("g") + "/..", {"json": {"class": "assetFolder"}}),
        ("POST", url("g/y.png"), {"data": b"x"}),
        ("POST", url("g"), {"data": b"{not json", "content_type": "application/json"}),
        ("COPY", url("g"), {}),
        ("COPY", url("g"), {"headers": {"X-Destination": "/content/dam/x"}}),
        ("COPY", url("g"), {"headers": {"X-Destination": "/api/assets/g", "X-Depth": "1"}}),
        ("DELETE", "/api/assets", {}),
        ("GET", json_url("f") + "?limit=0", {}),
    ]
    for method, path, kwargs in requests:
        response = raw.open(method, path, **kwargs)
        if response.status_code == 204:
            continue
        assert response.mimetype == "application/json", (method, path, response.status_code)
        assert_valid_siren(siren_validator, response.get_json(), f"{method} {path}")
    unauthenticated = client.get("/api/assets.json")
    assert unauthenticated.status_code == 401
    assert_valid_siren(siren_validator, unauthenticated.get_json(), "401")


def test_the_schema_check_itself_rejects_a_non_siren_document(siren_validator):
    with pytest.raises(AssertionError):
        assert_valid_siren(siren_validator, {"class": "assets/folder"}, "string class")
    with pytest.raises(AssertionError):
        assert_valid_siren(siren_validator, {"actions": [{"name": "copy", "href": "x",
                                                          "method": "COPY"}]}, "COPY action")


def test_asset_with_a_font_media_type_still_validates(api, siren_validator):
    api.make_folder("f")
    api.make_asset("f/font.woff2", b"wOF2", "font/woff2")
    response = api.client.get(json_url("f/font.woff2"), headers=api.auth)
    assert response.status_code == 200
    assert_valid_siren(siren_validator, response.get_json(), "font asset")


# -- classes, children, links ---------------------------------------------------------------

def test_class_is_always_an_array(api, populated):
    for path in ["", "f", "f/a.png"]:
        for cls in all_classes(api.entity(path)):
            assert isinstance(cls, list) and cls and all(isinstance(c, str) for c in cls)
    assert api.entity("f")["class"] == ["assets/folder"]
    assert api.entity("f/a.png")["class"] == ["assets/asset"]


def test_children_are_embedded_with_rel_child_class_name_and_a_json_self_link(api, populated):
    body = api.entity("f")
    by_name = {e["properties"]["name"]: e for e in children(body)}
    assert set(by_name) == {"a.png", "sub"}
    assert by_name["sub"]["class"] == ["assets/folder"]
    assert by_name["a.png"]["class"] == ["assets/asset"]
    for name, entity in by_name.items():
        assert entity["rel"] == ["child"]
        self_href = link(entity, "self")
        assert self_href == f"{HOST}/api/assets/f/{name}.json"
        followed = api.get(self_href)
        assert followed.status_code == 200
        assert followed.get_json()["properties"]["name"] == name


def test_child_entity_shows_title_and_dc_title_when_set(api):
    api.make_folder("f")
    api.make_folder("f/titled", title="Nice Title")
    api.make_folder("f/plain")
    by_name = {e["properties"]["name"]: e for e in children(api.entity("f"))}
    assert by_name["titled"]["properties"]["dc:title"] == "Nice Title"
    assert by_name["titled"]["properties"].get("title") == "Nice Title"
    assert "dc:title" not in by_name["plain"]["properties"]


def test_child_self_links_of_awkward_names_can_be_followed(api):
    api.make_folder("f")
    names = ["x y", "q?x", "h#x", "100%", "é", "a&b"]
    for name in names:
        assert api.post(url("f") + "/*", data={"name": name}).status_code == 201
    for entity in children(api.get(json_url("f") + "?limit=100").get_json()):
        response = api.get(link(entity, "self"))
        assert response.status_code == 200
        assert response.get_json()["properties"]["name"] == entity["properties"]["name"]


def test_root_self_is_assets_json_and_its_parent_is_the_service_document(api):
    body = api.entity("")
    assert link(body, "self") == HOST + "/api/assets.json"
    assert link(body, "parent") == HOST + "/api.json"


def test_nested_folder_and_asset_link_to_themselves_and_their_parent(api, populated):
    sub = api.entity("f/sub")
    assert link(sub, "self") == HOST + "/api/assets/f/sub.json"
    assert link(sub, "parent") == HOST + "/api/assets/f.json"
    top = api.entity("f")
    assert link(top, "parent") == HOST + "/api/assets.json"
    asset = api.entity("f/a.png")
    assert link(asset, "self") == HOST + "/api/assets/f/a.png.json"
    assert link(asset, "parent") == HOST + "/api/assets/f.json"


def test_self_and_parent_links_end_in_json_and_action_hrefs_do_not(api, populated):
    for path in ["", "f", "f/sub", "f/a.png"]:
        body = api.entity(path)
        for rel in ("self", "parent"):
            assert link(body, rel).split("?")[0].endswith(".json"), (path, rel)
        for item in body.get("actions", []):
            assert not item["href"].endswith(".json"), (path, item)


def test_all_hrefs_are_absolute_urls_on_the_requests_host(api, populated):
    for path in ["", "f", "f/a.png"]:
        for href in all_hrefs(api.entity(path)):
            assert href.startswith(HOST + "/"), href


def test_hrefs_follow_the_host_the_client_used(client, token_auth, populated):
    response = client.get("/api/assets/f.json", headers=token_auth,
                          base_url="https://assets.example.com")
    assert response.status_code == 200
    for href in all_hrefs(response.get_json()):
        assert href.startswith("https://assets.example.com/api"), href


def test_asset_links_to_its_content_and_thumbnail(api, populated):
    body = api.entity("f/a.png")
    content = link(body, "content")
    assert content == HOST + "/api/assets/f/a.png/renditions/original"
    assert api.get(content).data == b"original bytes"
    thumbnail = link(body, "thumbnail")
    assert thumbnail == HOST + "/api/assets/f/a.png/renditions/cq5dam.thumbnail.140.100.png"
    assert api.get(thumbnail).data == b"thumb"


def test_asset_without_a_thumbnail_rendition_has_no_thumbnail_link(api):
    api.make_folder("f")
    api.make_asset("f/a.png")
    api.make_rendition("f/a.png", "web.png")
    assert links(api.entity("f/a.png"), "thumbnail") == []


def test_asset_properties_hold_name_metadata_and_paging(api, populated):
    properties = api.entity("f/a.png")["properties"]
    assert properties["name"] == "a.png"
    assert properties["metadata"]["dc:format"] == "image/png"
    assert properties["metadata"]["dam:size"] == len(b"original bytes")
    assert "srn:paging" in properties


def test_asset_entities_are_its_renditions_with_self_links(api, populated):
    body = api.entity("f/a.png")
    renditions = {e["properties"]["name"]: e for e in children(body, "assets/rendition")}
    assert set(renditions) == {"original", "cq5dam.thumbnail.140.100.png", "web.jpg"}
    for name, entity in renditions.items():
        assert link(entity, "self") == f"{HOST}/api/assets/f/a.png/renditions/{name}"


@pytest.mark.parametrize("stored, shown", [
    ("jcr:title", "dc:title"), ("jcr:description", "dc:description"),
    ("jcr:language", "dc:language"),
])
def test_jcr_properties_are_shown_under_the_dc_prefix(api, stored, shown):
    api.make_folder("f", **{stored: "value"})
    properties = api.entity("f")["properties"]
    assert properties[shown] == "value"
    assert stored not in properties


def test_folder_actions_add_folder_add_asset_update_delete(api, populated):
    body = api.entity("f")
    add_folder = action(body, "add-folder")
    assert add_folder["method"] == "POST"
    assert add_folder["href"] == HOST + "/api/assets/f/*"
    assert "name" in [f["name"] for f in add_folder["fields"]]
    add_asset = action(body, "add-asset")
    assert add_asset["method"] == "POST"
    assert add_asset["href"] == HOST + "/api/assets/f/*"
    fields = {f["name"]: f.get("type", "text") for f in add_asset["fields"]}
    assert "name" in fields and fields["file"] == "file"
    update = action(body, "update")
    assert update["method"] == "PUT"
    assert update["href"] == HOST + "/api/assets/f"
    assert update["type"] == "application/vnd.siren+json"
    delete = action(body, "delete")
    assert delete["method"] == "DELETE"
    assert delete["href"] == HOST + "/api/assets/f"


def test_no_action_advertises_copy_or_move(api, populated):
    for path in ["", "f", "f/a.png"]:
        for item in api.entity(path).get("actions", []):
            assert item.get("method", "GET") in {"GET", "PUT", "POST", "DELETE", "PATCH"}


def test_folder_actions_work_when_followed(api):
    api.make_folder("f")
    body = api.entity("f")
    add_folder = action(body, "add-folder")
    assert api.post(add_folder["href"], data={"name": "via-action"},
                    content_type=add_folder["type"]).status_code == 201
    add_asset = action(body, "add-asset")
    response = api.post(add_asset["href"], content_type=add_asset["type"],
                        data={"name": "via-action.png", "file": (io.BytesIO(b"png"), "x.png")})
    assert response.status_code == 201
    update = action(body, "update")
    assert api.put(update["href"], data='{"properties": {"title": "Updated"}}',
                   content_type=update["type"]).status_code == 200
    assert api.entity("f")["properties"]["dc:title"] == "Updated"
    assert sorted(api.child_names("f")) == ["via-action", "via-action.png"]
    assert api.open(action(body, "delete")["method"], action(body, "delete")["href"]).status_code == 200
    assert api.get(json_url("f")).status_code == 404


def test_folder_name_property_is_always_the_last_url_segment(api):
    response = api.post(url("real"), json={"class": "assetFolder",
                                           "properties": {"name": "fake", "title": "T"}})
    assert response.status_code == 201
    assert api.entity("real")["properties"]["name"] == "real"
    listed = [e["properties"]["name"] for e in children(api.entity(""))]
    assert listed == ["real"]
