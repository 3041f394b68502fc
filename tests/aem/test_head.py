"""HEAD works wherever GET does: same status, same headers, no body."""
from __future__ import annotations

import pytest

from .helpers import json_url, url

#: Headers whose values legitimately differ between two requests a moment apart.
VOLATILE = {"Date", "Expires"}


@pytest.fixture
def tree(api):
    api.make_folder("f", title="F")
    api.make_asset("f/a.png", b"0123456789", "image/png")
    api.make_rendition("f/a.png", "web.jpg", b"jpeg!", "image/jpeg")
    response = api.post(url("f/a.png") + "/comments/*", data={"message": "hi"})
    return {"comment": response.headers["Location"]}


def same_headers(get, head) -> None:
    def strip(response):
        return {k: v for k, v in response.headers.items() if k not in VOLATILE}
    assert strip(head) == strip(get), get.request.path


CASES = {
    "service document": ("/api.json", {}),
    "root json": ("/api/assets.json", {}),
    "root without suffix": ("/api/assets", {}),
    "folder": (json_url("f"), {}),
    "folder page": (json_url("f") + "?offset=0&limit=1", {}),
    "asset": (json_url("f/a.png"), {}),
    "original": (url("f/a.png") + "/renditions/original", {}),
    "rendition": (url("f/a.png") + "/renditions/web.jpg", {}),
    "missing folder": (json_url("missing"), {}),
    "missing rendition": (url("f/a.png") + "/renditions/none", {}),
    "bad limit": (json_url("f") + "?limit=0", {}),
    "bad path": ("/api/assets/f/../x.json", {}),
    "range": (url("f/a.png") + "/renditions/original", {"Range": "bytes=2-4"}),
}


def test_head_matches_get_without_a_body(api, tree):
    statuses = set()
    for case, (path, headers) in CASES.items():
        get = api.get(path, headers=headers)
        head = api.head(path, headers=headers)
        assert head.status_code == get.status_code, case
        same_headers(get, head)
        assert head.data == b"", case
        statuses.add(get.status_code)
    assert statuses == {200, 206, 400, 404}


def test_head_on_a_comment_matches_get(api, tree):
    get = api.get(tree["comment"])
    head = api.head(tree["comment"])
    assert get.status_code == 200
    assert head.status_code == 200
    assert head.data == b""
    same_headers(get, head)


def test_head_with_if_none_match_is_304_like_get(api, tree):
    etag = api.get(url("f/a.png") + "/renditions/original").headers["ETag"]
    head = api.head(url("f/a.png") + "/renditions/original", headers={"If-None-Match": etag})
    assert head.status_code == 304


def test_head_without_credentials_is_401_with_a_challenge(anonymous, tree):
    head = anonymous.head(json_url("f"))
    assert head.status_code == 401
    assert head.headers.get("WWW-Authenticate")
    assert head.data == b""


def test_head_changes_nothing(api, tree):
    before = api.snapshot()
    api.head(json_url("f"))
    api.head(url("f/a.png") + "/renditions/original")
    assert api.snapshot() == before
