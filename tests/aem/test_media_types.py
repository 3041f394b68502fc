"""A media type that no Content-Type header could carry is refused with 400 before any
byte is stored, on every AEM write path: a raw body's Content-Type, a form part's."""
from __future__ import annotations

import pytest

from .helpers import blob_files, message, tmp_files, url

#: How such a header reaches the application: WSGI strings are bytes as Latin-1, so
#: "text/图" sent as UTF-8 arrives as "text/\xe5\x9b\xbe".
BAD_HEADER_TYPES = ["text/\xe5\x9b\xbe", "text", "image/", "image/p ng"]


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


RAW = {
    "asset": lambda api, t: api.post(url("f/new.bin"), data=b"x", headers={"Content-Type": t}),
    "binary update": lambda api, t: api.put(url("f/a.png"), data=b"x",
                                            headers={"Content-Type": t}),
    "rendition": lambda api, t: api.post(url("f/a.png") + "/renditions/r", data=b"x",
                                         headers={"Content-Type": t}),
    "rendition update": lambda api, t: api.put(url("f/a.png") + "/renditions/web", data=b"x",
                                               headers={"Content-Type": t}),
}


@pytest.mark.parametrize("bad", BAD_HEADER_TYPES)
@pytest.mark.parametrize("case", RAW, ids=list(RAW))
def test_a_raw_body_with_a_content_type_that_is_no_media_type_is_400(tree, blob_root, case,
                                                                     bad):
    text = refused(tree, blob_root, lambda: RAW[case](tree, bad))
    assert "Content-Type" in text and "is not a media type" in text, text


def form_with_part_type(part_type: bytes, name: str = "new.bin") -> tuple[str, bytes]:
    boundary = "b0undary"
    body = (b"--b0undary\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\n"
            + name.encode() + b"\r\n--b0undary\r\nContent-Disposition: form-data; "
            b"name=\"file\"; filename=\"new.bin\"\r\nContent-Type: " + part_type
            + b"\r\n\r\nbytes\r\n--b0undary--\r\n")
    return f"multipart/form-data; boundary={boundary}", body


@pytest.mark.parametrize("part_type", ["text/图".encode(), b"text", b"image/p ng"])
@pytest.mark.parametrize("target", ["f/*", "f/a.png/renditions/*"])
def test_a_form_part_whose_content_type_is_no_media_type_is_400(tree, blob_root, part_type,
                                                                target):
    content_type, body = form_with_part_type(part_type)
    path = url(target.replace("/*", "")) + "/*"
    text = refused(tree, blob_root, lambda: tree.post(path, data=body,
                                                      headers={"Content-Type": content_type}))
    assert "the part 'file'" in text and "is not a media type" in text, text


def test_parameters_of_a_raw_content_type_are_fine(tree):
    response = tree.post(url("f/t.txt"), data=b"hello",
                         headers={"Content-Type": "text/plain; charset=utf-8"})
    assert response.status_code == 201
