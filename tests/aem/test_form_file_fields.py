"""Form uploads whose file cannot be what the client meant: a file in a field other than
``file``, and an empty file input (what a browser sends when no file was chosen). Both are
400 with a message that says what to fix, and nothing is created: never a folder in place
of the asset, never a 0-byte asset."""
from __future__ import annotations

import pytest

from .helpers import blob_files, message, multipart_file, tmp_files, url


@pytest.fixture
def tree(api):
    api.make_folder("f")
    api.make_asset("f/a.png", b"original", "image/png")
    api.make_rendition("f/a.png", "web", b"web", "image/png")
    return api


def refused(api, blob_root, action) -> str:
    before, blobs = api.snapshot(), blob_files(blob_root)
    response = action()
    assert response.status_code == 400, response.get_data(as_text=True)
    assert api.snapshot() == before
    assert blob_files(blob_root) == blobs
    assert tmp_files(blob_root) == []
    return message(response)


MISNAMED = {
    "asset to folder/*": lambda api: api.post(url("f") + "/*", data={
        "name": "new.png", "upload": multipart_file(b"png bytes", "new.png")}),
    "asset to a named path": lambda api: api.post(url("f/new.png"), data={
        "upload": multipart_file(b"png bytes", "new.png")}),
    "rendition": lambda api: api.post(url("f/a.png") + "/renditions/*", data={
        "name": "r", "upload": multipart_file(b"bytes", "r.png")}),
    "binary update": lambda api: api.put(url("f/a.png"), data={
        "upload": multipart_file(b"bytes", "a.png")}),
    "rendition update": lambda api: api.put(url("f/a.png") + "/renditions/web", data={
        "upload": multipart_file(b"bytes", "web.png")}),
}


@pytest.mark.parametrize("case", MISNAMED, ids=list(MISNAMED))
def test_a_file_in_a_field_not_called_file_is_400_naming_the_field(tree, blob_root, case):
    text = refused(tree, blob_root, lambda: MISNAMED[case](tree))
    assert "'upload'" in text and "'file'" in text, text


EMPTY_INPUT = {
    "asset to folder/*": lambda api: api.post(url("f") + "/*", data={
        "name": "new.png", "file": multipart_file(b"", "")}),
    "asset to a named path": lambda api: api.post(url("f/new.png"), data={
        "file": multipart_file(b"", "")}),
    "rendition": lambda api: api.post(url("f/a.png") + "/renditions/*", data={
        "name": "r", "file": multipart_file(b"", "")}),
    "binary update": lambda api: api.put(url("f/a.png"), data={
        "file": multipart_file(b"", "")}),
    "rendition update": lambda api: api.put(url("f/a.png") + "/renditions/web", data={
        "file": multipart_file(b"", "")}),
}


@pytest.mark.parametrize("case", EMPTY_INPUT, ids=list(EMPTY_INPUT))
def test_an_empty_file_input_is_400_asking_for_a_file(tree, blob_root, case):
    text = refused(tree, blob_root, lambda: EMPTY_INPUT[case](tree))
    assert "no file was chosen" in text, text


def test_an_empty_file_with_a_name_is_a_real_empty_asset(tree):
    response = tree.post(url("f") + "/*", data={"file": multipart_file(b"", "empty.txt")})
    assert response.status_code == 201, response.get_data(as_text=True)
    assert tree.bytes_of("f/empty.txt") == b""


def test_a_form_without_any_file_still_creates_a_folder(tree):
    response = tree.post(url("f") + "/*", data={"name": "sub", "title": "Sub"},
                         content_type="multipart/form-data")
    assert response.status_code == 201
    assert message(response) == "Folder created"
