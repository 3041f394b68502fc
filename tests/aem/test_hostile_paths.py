"""Hostile paths and names never escape the tree or create anything: ``..``, ``.``, encoded
dots, NUL and control characters, empty segments, over-long segments → 400 with a message.
The same holds for names in form fields, file names, and X-Destination."""
from __future__ import annotations

import io

import pytest

from .helpers import blob_files, message, url

#: Appended to /api/assets/f/ — each one is refused.
HOSTILE_SUFFIXES = {
    "dot-dot": "../x",
    "dot-dot last": "..",
    "dot": "./x",
    "dot last": ".",
    "encoded dot-dot": "%2e%2e/x",
    "encoded dot-dot upper": "%2E%2E",
    "half encoded dot-dot": ".%2e/x",
    "deep escape": "../../../../etc/passwd",
    "NUL": "a%00b",
    "unit separator": "a%1fb",
    "DEL": "a%7fb",
    "C1 control": "a%c2%85b",
    "empty segment": "a//b",
    "256 ascii bytes": "a" * 256,
    "256 utf-8 bytes in 128 characters": "%C3%A9" * 128,
}


@pytest.fixture
def tree(api, blob_root):
    api.make_folder("f")
    api.make_asset("f/a.png", b"bytes")
    api.make_folder("f/x")
    return api


def refused(api, response, before, blob_root, blobs) -> None:
    assert response.status_code == 400, response.get_data(as_text=True)
    assert message(response)
    assert api.snapshot() == before
    assert blob_files(blob_root) == blobs


ATTEMPTS = {
    "POST json folder": ("POST", {"json": {"class": "assetFolder"}}),
    "POST raw asset": ("POST", {"data": b"raw bytes", "content_type": "image/png"}),
    "PUT binary": ("PUT", {"data": b"raw bytes", "content_type": "image/png"}),
    "PUT metadata": ("PUT", {"json": {"class": "asset", "properties": {"dc:title": "x"}}}),
    "DELETE": ("DELETE", {}),
    "GET": ("GET", {}),
    "COPY": ("COPY", {"headers": {"X-Destination": "/api/assets/copied"}}),
    "MOVE": ("MOVE", {"headers": {"X-Destination": "/api/assets/moved"}}),
}


@pytest.mark.parametrize("attempt", ATTEMPTS, ids=list(ATTEMPTS))
def test_hostile_url_paths_are_400_and_create_nothing(tree, blob_root, attempt):
    method, kwargs = ATTEMPTS[attempt]
    before, blobs = tree.snapshot(), blob_files(blob_root)
    failures = []
    for case, suffix in HOSTILE_SUFFIXES.items():
        response = tree.open(method, "/api/assets/f/" + suffix, **kwargs)
        if response.status_code != 400:
            failures.append(f"{case}: {response.status_code}")
        else:
            message(response)
    assert failures == []
    assert tree.snapshot() == before
    assert blob_files(blob_root) == blobs


@pytest.mark.parametrize("case", ["dot-dot", "encoded dot-dot", "NUL", "empty segment",
                                  "256 utf-8 bytes in 128 characters"])
def test_hostile_star_form_posts_are_400(tree, blob_root, case):
    path = "/api/assets/f/" + HOSTILE_SUFFIXES[case] + "/*"
    before, blobs = tree.snapshot(), blob_files(blob_root)
    response = tree.post(path, data={"name": "ok", "file": (io.BytesIO(b"z"), "ok.png")})
    refused(tree, response, before, blob_root, blobs)


@pytest.mark.parametrize("suffix", ["renditions/..", "renditions/%2e%2e",
                                    "renditions/a%00", "renditions/" + "r" * 256])
def test_hostile_rendition_names_in_the_url_are_400(tree, blob_root, suffix):
    before, blobs = tree.snapshot(), blob_files(blob_root)
    response = tree.post(url("f/a.png") + "/" + suffix, data=b"r", content_type="image/png")
    refused(tree, response, before, blob_root, blobs)


HOSTILE_NAMES = ["..", ".", "a/b", "../escape", "x\x00y", "x\ny", "tab\there", "\x7f",
                 "b" * 256, "é" * 128, "*", "/", "//"]


@pytest.mark.parametrize("encoding", ["multipart/form-data", "application/x-www-form-urlencoded"])
def test_hostile_folder_names_in_a_form_are_400(tree, blob_root, encoding):
    before, blobs = tree.snapshot(), blob_files(blob_root)
    for name in HOSTILE_NAMES:
        response = tree.post(url("f") + "/*", data={"name": name}, content_type=encoding)
        assert response.status_code == 400, repr(name)
        assert message(response)
    assert tree.snapshot() == before
    assert blob_files(blob_root) == blobs


def test_hostile_asset_names_in_a_form_are_400(tree, blob_root):
    before, blobs = tree.snapshot(), blob_files(blob_root)
    for name in HOSTILE_NAMES:
        response = tree.post(url("f") + "/*",
                             data={"name": name, "file": (io.BytesIO(b"evil"), "ok.png")})
        assert response.status_code == 400, repr(name)
        assert message(response)
    assert tree.snapshot() == before
    assert blob_files(blob_root) == blobs


@pytest.mark.parametrize("filename", ["..", "../../etc/passwd", "a/b.png", "x\x01.png",
                                      "c" * 252 + ".png"])
def test_hostile_file_names_are_not_used_as_names(tree, blob_root, filename):
    before, blobs = tree.snapshot(), blob_files(blob_root)
    response = tree.post(url("f") + "/*", data={"file": (io.BytesIO(b"evil"), filename)})
    assert response.status_code == 400
    assert message(response)
    assert tree.snapshot() == before
    assert blob_files(blob_root) == blobs


def test_hostile_rendition_names_in_a_form_are_400(tree, blob_root):
    before, blobs = tree.snapshot(), blob_files(blob_root)
    for name in ["..", "a/b", "x\x00", "r" * 256, "*"]:
        response = tree.post(url("f/a.png") + "/renditions/*",
                             data={"name": name, "file": (io.BytesIO(b"r"), "r.png")})
        assert response.status_code == 400, repr(name)
        assert message(response)
    assert tree.snapshot() == before
    assert blob_files(blob_root) == blobs


NAME_255 = "é" * 127 + "a"  # 255 bytes of UTF-8


def test_a_name_of_exactly_255_bytes_is_accepted(tree):
    response = tree.post(url("f") + "/*", data={"name": NAME_255})
    assert response.status_code == 201
    assert NAME_255 in tree.child_names("f")
    assert tree.get(url(f"f/{NAME_255}")).status_code == 200


def test_a_255_byte_name_can_be_read_through_its_json_self_link(tree):
    assert tree.post(url("f") + "/*", data={"name": NAME_255}).status_code == 201
    child = next(e for e in tree.iter_children("f") if e["properties"]["name"] == NAME_255)
    self_href = next(l["href"] for l in child["links"] if "self" in l["rel"])
    assert tree.get(self_href).status_code == 200


@pytest.mark.parametrize("segment", ["a%0ab", "a%0d%0ab"])
def test_newline_or_carriage_return_in_a_path_is_400(tree, blob_root, segment):
    before, blobs = tree.snapshot(), blob_files(blob_root)
    response = tree.post("/api/assets/f/" + segment, json={"class": "assetFolder"})
    refused(tree, response, before, blob_root, blobs)


def test_empty_segment_right_after_api_assets_is_400(tree, blob_root):
    before, blobs = tree.snapshot(), blob_files(blob_root)
    response = tree.post("/api/assets//new", json={"class": "assetFolder"})
    refused(tree, response, before, blob_root, blobs)


def test_trailing_empty_segment_is_400(tree, blob_root):
    before, blobs = tree.snapshot(), blob_files(blob_root)
    response = tree.post("/api/assets/f/new//", json={"class": "assetFolder"})
    refused(tree, response, before, blob_root, blobs)


def test_dots_inside_a_name_are_fine(tree):
    for name in ["...", "..a", "a..", ".hidden", "a.b.c"]:
        assert tree.post(url("f") + "/*", data={"name": name}).status_code == 201, name
    assert {"...", "..a", "a..", ".hidden", "a.b.c"} <= set(tree.child_names("f"))


HOSTILE_DESTINATIONS = [
    "/api/assets/../x", "/api/assets/..", "/api/assets/%2e%2e/x", "/api/assets/f/./x",
    "/api/assets/f/%2E%2E/%2E%2E/x", "/api/assets/x%2F..%2F..%2Fetc", "/api/assets/a%00b",
    "/api/assets/a%0d%0aSet-Cookie:%20x=1", "/api/assets/f//x", "/api/assets/" + "a" * 256,
    "/api/assets/%ff", "/api/assets/*", "/api/assets", "/api/assets/",
    "http://localhost/api/assets/../../etc/passwd", "http://localhost/api/assets/%2e%2e",
    "/api/assets/x?y=1", "/api/assets/x#frag", "/api/assets/../../api/assets/x",
    "file:///etc/passwd", "javascript:alert(1)", "\\\\evil\\share",
]


@pytest.mark.parametrize("verb", ["COPY", "MOVE"])
def test_hostile_destinations_are_refused_and_change_nothing(tree, blob_root, verb):
    before, blobs = tree.snapshot(), blob_files(blob_root)
    failures = []
    for destination in HOSTILE_DESTINATIONS:
        response = tree.open(verb, url("f/a.png"), headers={"X-Destination": destination})
        if response.status_code not in (400, 403):
            failures.append(f"{destination!r}: {response.status_code}")
        else:
            message(response)
    assert failures == []
    assert tree.snapshot() == before
    assert blob_files(blob_root) == blobs
