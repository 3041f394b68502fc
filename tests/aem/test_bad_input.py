"""Bad request bodies get a 4xx with a message and leave the stored data as it was: the
listing unchanged and no new blob file on disk."""
from __future__ import annotations

import io
import json

import pytest

from .conftest import SMALL_LIMIT
from .helpers import blob_files, message, tmp_files, url


@pytest.fixture
def tree(api):
    api.make_folder("f", title="T")
    api.make_asset("f/a.png", b"original", "image/png")
    api.make_rendition("f/a.png", "web", b"web", "image/png")
    return api


def unchanged(api, blob_root, action):
    """Run ``action``; check that neither the tree nor the blob files changed."""
    before, blobs = api.snapshot(), blob_files(blob_root)
    response = action()
    assert api.snapshot() == before
    assert blob_files(blob_root) == blobs
    assert tmp_files(blob_root) == []
    return response


# -- malformed JSON --------------------------------------------------------------------------

MALFORMED_JSON = [b"{not json", b'{"class": "assetFolder",}', b"\xff\xfe",
                  b'{"class": "assetFolder"', b"[1, 2"]
NOT_SIREN = ['"just a string"', "[1, 2]", "42", '{"class": 5}', '{"properties": [1]}',
             '{"properties": "x"}']


def attempts(tree, bodies, content_type="application/json"):
    for body in bodies:
        for method, path in [("POST", url("f/new")), ("PUT", url("f/a.png")), ("PUT", url("f"))]:
            response = tree.open(method, path, data=body, content_type=content_type)
            assert response.status_code == 400, (method, path, body)
            yield response


def test_malformed_json_is_400_and_changes_nothing(tree, blob_root):
    def run():
        for response in attempts(tree, MALFORMED_JSON):
            assert "JSON" in message(response)
    unchanged(tree, blob_root, run)
    assert tree.bytes_of("f/a.png") == b"original"


def test_malformed_siren_json_is_400_too(tree, blob_root):
    def run():
        for response in attempts(tree, [b"{not json"], "application/vnd.siren+json"):
            assert message(response)
    unchanged(tree, blob_root, run)


def test_json_that_is_not_a_siren_entity_is_400_and_changes_nothing(tree, blob_root):
    def run():
        for response in attempts(tree, NOT_SIREN):
            assert message(response)
    unchanged(tree, blob_root, run)


# -- wrong Content-Type ----------------------------------------------------------------------

def test_raw_asset_post_without_content_type_is_415(tree, blob_root):
    response = unchanged(tree, blob_root, lambda: tree.post(url("f/new.png"), data=b"bytes"))
    assert response.status_code == 415
    assert "Content-Type" in message(response)


def test_raw_binary_put_without_content_type_is_415(tree, blob_root):
    response = unchanged(tree, blob_root, lambda: tree.put(url("f/a.png"), data=b"new bytes"))
    assert response.status_code == 415
    assert message(response)
    assert tree.bytes_of("f/a.png") == b"original"


def test_raw_rendition_post_without_content_type_is_415(tree, blob_root):
    response = unchanged(tree, blob_root, lambda: tree.post(
        url("f/a.png") + "/renditions/new", data=b"bytes"))
    assert response.status_code == 415
    assert message(response)


def test_folder_put_with_a_binary_is_415(tree, blob_root):
    response = unchanged(tree, blob_root, lambda: tree.put(
        url("f"), data=b"\x89PNG binary", content_type="image/png"))
    assert response.status_code == 415
    assert message(response)


def test_folder_put_with_a_multipart_file_is_415(tree, blob_root):
    response = unchanged(tree, blob_root, lambda: tree.put(
        url("f"), data={"file": (io.BytesIO(b"bin"), "x.png")}))
    assert response.status_code == 415
    assert message(response)


def test_comment_with_a_raw_body_is_415(tree, blob_root):
    response = unchanged(tree, blob_root, lambda: tree.post(
        url("f/a.png") + "/comments/*", data=b"hello", content_type="text/plain"))
    assert response.status_code == 415
    assert message(response)


# -- missing file part ------------------------------------------------------------------------

@pytest.mark.parametrize("target", ["renditions/*", "renditions/named"])
def test_multipart_rendition_without_file_part_is_400(tree, blob_root, target):
    response = unchanged(tree, blob_root, lambda: tree.post(
        url("f/a.png") + "/" + target, data={"name": "r"}, content_type="multipart/form-data"))
    assert response.status_code == 400
    assert "file" in message(response)


@pytest.mark.parametrize("target", ["", "/renditions/web"])
def test_multipart_binary_update_without_file_part_is_400(tree, blob_root, target):
    response = unchanged(tree, blob_root, lambda: tree.put(
        url("f/a.png") + target, data={"other": "x"}, content_type="multipart/form-data"))
    assert response.status_code == 400
    assert "file" in message(response)


@pytest.mark.parametrize("encoding", ["multipart/form-data", "application/x-www-form-urlencoded"])
def test_file_sent_as_a_text_field_is_400(tree, blob_root, encoding):
    response = unchanged(tree, blob_root, lambda: tree.post(
        url("f") + "/*", data={"name": "x.png", "file": "not a file"}, content_type=encoding))
    assert response.status_code == 400
    assert "file" in message(response)


# -- body too large -----------------------------------------------------------------------------

@pytest.fixture
def small(small_api):
    small_api.make_folder("f")
    small_api.make_asset("f/a.png", b"small original", "image/png")
    return small_api


@pytest.fixture
def small_blob_root(small_app):
    return small_app.config["BLOB_ROOT"]


BIG = b"x" * (SMALL_LIMIT + 1)

TOO_LARGE = {
    "raw asset": lambda api: api.post(url("f/big.png"), data=BIG, content_type="image/png"),
    "multipart asset": lambda api: api.post(
        url("f") + "/*", data={"name": "big.png", "file": (io.BytesIO(BIG), "big.png")}),
    "raw rendition": lambda api: api.post(url("f/a.png") + "/renditions/big", data=BIG,
                                          content_type="image/png"),
    "multipart rendition": lambda api: api.post(
        url("f/a.png") + "/renditions/*", data={"file": (io.BytesIO(BIG), "big.png")}),
    "binary update": lambda api: api.put(url("f/a.png"), data=BIG, content_type="image/png"),
    "original rendition update": lambda api: api.put(
        url("f/a.png") + "/renditions/original", data=BIG, content_type="image/png"),
    "json folder": lambda api: api.post(
        url("f/new"), json={"class": "assetFolder", "properties": {"title": "t" * SMALL_LIMIT}}),
    "json metadata": lambda api: api.put(
        url("f/a.png"), json={"class": "asset", "properties": {"dc:title": "t" * SMALL_LIMIT}}),
    "form folder": lambda api: api.post(url("f") + "/*",
                                        data={"name": "new", "title": "t" * SMALL_LIMIT}),
    "comment": lambda api: api.post(url("f/a.png") + "/comments/*",
                                    data={"message": "m" * SMALL_LIMIT}),
    # Transfer-Encoding: chunked makes Werkzeug ignore Content-Length: the limit must be
    # enforced while streaming.
    "chunked raw asset": lambda api: api.post(
        url("f/big.png"), input_stream=io.BytesIO(BIG), content_type="image/png",
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True}),
    "chunked binary update": lambda api: api.put(
        url("f/a.png"), input_stream=io.BytesIO(BIG), content_type="image/png",
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True}),
}


@pytest.mark.parametrize("case", TOO_LARGE, ids=list(TOO_LARGE))
def test_body_larger_than_max_content_length_is_413_with_a_message(small, small_blob_root,
                                                                     case):
    response = unchanged(small, small_blob_root, lambda: TOO_LARGE[case](small))
    assert response.status_code == 413
    assert message(response)
    assert small.bytes_of("f/a.png") == b"small original"


def test_body_just_under_the_limit_is_accepted(small, small_blob_root):
    body = b"y" * (SMALL_LIMIT - 10)
    assert small.post(url("f/ok.png"), data=body, content_type="image/png").status_code == 201
    assert small.bytes_of("f/ok.png") == body


def test_chunked_body_under_the_limit_is_accepted(small):
    body = b"z" * (SMALL_LIMIT - 10)
    response = small.post(url("f/chunked.png"), input_stream=io.BytesIO(body),
                          content_type="image/png", headers={"Transfer-Encoding": "chunked"},
                          environ_overrides={"wsgi.input_terminated": True})
    assert response.status_code == 201
    assert small.bytes_of("f/chunked.png") == body


def test_the_default_limit_is_2_gib_and_a_body_announced_larger_is_refused_unread(tree, blob_root):
    announced = 2 * 1024**3 + 1
    body = io.BytesIO(b"only the start of it")

    def run():
        return tree.post(url("f/huge.bin"), input_stream=body, content_type="application/octet-stream",
                         environ_overrides={"CONTENT_LENGTH": str(announced)})

    response = unchanged(tree, blob_root, run)
    assert response.status_code == 413
    assert "2147483648 bytes" in message(response)
    assert body.tell() == 0  # refused before reading the body


def test_a_json_body_of_exactly_the_limit_is_read_to_its_end_and_no_further(small):
    # As under gunicorn, which marks its input as terminated: werkzeug then caps the stream
    # at the limit and answers any read past the cap with 413.
    document = json.dumps({"class": "assetFolder", "properties": {"title": ""}})
    document = document.replace('""', '"' + "t" * (SMALL_LIMIT - len(document)) + '"')
    body = document.encode()
    assert len(body) == SMALL_LIMIT
    response = small.post(url("f/exact"), data=body, content_type="application/json",
                          environ_overrides={"wsgi.input_terminated": True})
    assert response.status_code == 201, response.get_data(as_text=True)
