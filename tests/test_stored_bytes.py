"""Every response that carries stored bytes, in every API (AEM renditions, AMS files,
Emporix downloads and public files), is safe to open in a browser and never fails:

- ``X-Content-Type-Options: nosniff`` and ``Content-Security-Policy: sandbox``;
- HTML, XHTML, SVG, XML and JavaScript as attachments unless SERVE_ACTIVE_CONTENT_INLINE;
- the file name in RFC 6266's ``filename*=UTF-8''`` form with an ASCII ``filename=``;
- a media type or file name stored by an older version that cannot go into a header
  (``text/\\u56fe``, a CR/LF) still gives a working download;
- ``Range`` with several ranges or a malformed one is the whole body (200).
"""
from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import Callable
from urllib.parse import quote

import pytest
from sqlalchemy import text

from .conftest import ADMIN_PASSWORD, basic

TENANT = "bytestenant"


@dataclass
class Stored:
    url: str
    headers: dict[str, str]
    node_id: str


def store_aem(app, client, name: str, mime: str, data: bytes) -> Stored:
    auth = basic("admin", ADMIN_PASSWORD)
    response = client.post(f"/api/assets/{quote(name)}", data=data, content_type=mime,
                           headers=auth)
    assert response.status_code == 201, response.get_data(as_text=True)
    node = app.extensions["repository"].get((name,))
    return Stored(f"/api/assets/{quote(name)}/renditions/original", auth, node.id)


def store_aem_rendition(app, client, name: str, mime: str, data: bytes) -> Stored:
    auth = basic("admin", ADMIN_PASSWORD)
    holder = "holder-" + str(len(app.extensions["repository"].list_children(()).nodes))
    assert client.post(f"/api/assets/{holder}", data=b"x", content_type="text/plain",
                       headers=auth).status_code == 201
    response = client.post(f"/api/assets/{holder}/renditions/{quote(name)}", data=data,
                           content_type=mime, headers=auth)
    assert response.status_code == 201, response.get_data(as_text=True)
    node = app.extensions["repository"].get((holder, name))
    return Stored(f"/api/assets/{holder}/renditions/{quote(name)}", auth, node.id)


def store_ams(app, client, name: str, mime: str, data: bytes) -> Stored:
    token = app.extensions["accounts"].create_token("admin")
    response = client.post("/v1/assets", headers={"Authorization": f"Bearer {token}"},
                           data={"Filename": (io.BytesIO(data), name, mime)})
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    return Stored(body["href"].removeprefix("http://localhost"), {}, body["id"])


def _store_emporix(app, client, name: str, mime: str, data: bytes, access: str) -> Stored:
    token = app.extensions["accounts"].create_token("admin", scopes=["media.asset_manage"],
                                                    tenant=TENANT)
    auth = {"Authorization": f"Bearer {token}"}
    document = {"type": "BLOB", "access": access,
                "details": {"filename": name, "mimeType": mime}}
    response = client.post(f"/media/{TENANT}/assets", headers=auth, data={
        "file": (io.BytesIO(data), "upload.bin"), "body": json.dumps(document)})
    assert response.status_code == 201, response.get_data(as_text=True)
    asset_id = response.get_json()["id"]
    node = app.extensions["repository"].get(("emporix", TENANT, asset_id))
    if access == "PUBLIC":
        return Stored(f"/media/{TENANT}/files/{asset_id}", {}, node.id)
    return Stored(f"/media/{TENANT}/assets/{asset_id}/download", auth, node.id)


def store_emporix(app, client, name, mime, data) -> Stored:
    return _store_emporix(app, client, name, mime, data, "PRIVATE")


def store_emporix_public(app, client, name, mime, data) -> Stored:
    return _store_emporix(app, client, name, mime, data, "PUBLIC")


STORES: dict[str, Callable[..., Stored]] = {
    "aem-original": store_aem, "aem-rendition": store_aem_rendition, "ams": store_ams,
    "emporix-download": store_emporix, "emporix-public": store_emporix_public,
}


@pytest.fixture(params=list(STORES))
def store(request, app, client):
    return lambda name, mime, data: STORES[request.param](app, client, name, mime, data)


def download(client, stored: Stored, headers: dict[str, str] | None = None):
    return client.get(stored.url, headers={**stored.headers, **(headers or {})})


def force_stored(app, node_id: str, **columns) -> None:
    """Write values as an older version would have stored them (no checks today's code
    makes on the way in)."""
    assignments = ", ".join(f"{name} = :{name}" for name in columns)
    with app.extensions["repository"].engine.begin() as connection:
        connection.execute(text(f"UPDATE nodes SET {assignments} WHERE id = :id"),
                           {**columns, "id": node_id})


# -- nosniff, sandbox, attachments --------------------------------------------------------

ACTIVE = [("page.html", "text/html"), ("page.xhtml", "application/xhtml+xml"),
          ("drawing.svg", "image/svg+xml"), ("feed.xml", "application/xml"),
          ("data.xml", "text/xml"), ("script.js", "text/javascript"),
          ("script.mjs", "application/javascript"), ("atom.xml", "application/atom+xml")]


@pytest.mark.parametrize("name,mime", ACTIVE, ids=[m for _, m in ACTIVE])
def test_types_a_browser_would_run_are_sent_as_attachments(store, client, name, mime):
    stored = store(name, mime, b"<script>alert(document.cookie)</script>")
    response = download(client, stored)
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "sandbox"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.mimetype == mime


def test_an_image_is_sent_inline_with_nosniff_and_sandbox(store, client):
    stored = store("photo.png", "image/png", b"\x89PNG not really")
    response = download(client, stored)
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "sandbox"
    assert response.headers["Content-Disposition"].startswith("inline;")


def test_a_setting_sends_active_types_inline(app, store, client):
    app.config["SERVE_ACTIVE_CONTENT_INLINE"] = True
    stored = store("page.html", "text/html", b"<p>hello</p>")
    response = download(client, stored)
    assert response.headers["Content-Disposition"].startswith("inline;")
    assert response.headers["Content-Security-Policy"] == "sandbox"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_conditional_answer_carries_the_same_headers(store, client):
    stored = store("page.html", "text/html", b"<p>hello</p>")
    etag = download(client, stored).headers["ETag"]
    response = download(client, stored, {"If-None-Match": etag})
    assert response.status_code == 304
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "sandbox"


# -- file names (RFC 6266) ------------------------------------------------------------------

def test_the_file_name_goes_out_in_both_rfc_6266_forms(store, client):
    stored = store("Résumé final 100%.txt", "text/plain", b"cv")
    response = download(client, stored)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        "inline; filename=\"Resume final 100_.txt\"; "
        "filename*=UTF-8''R%C3%A9sum%C3%A9%20final%20100%25.txt")


def test_quotes_and_backslashes_in_a_name_cannot_end_the_quoted_fallback(app, client):
    stored = store_emporix(app, client, 'say "hi" \\ bye.txt', "text/plain", b"hi")
    response = download(client, stored)
    assert response.headers["Content-Disposition"] == (
        "inline; filename=\"say _hi_ _ bye.txt\"; "
        "filename*=UTF-8''say%20%22hi%22%20%5C%20bye.txt")


def test_a_plain_ascii_name_has_both_forms_too(store, client):
    response = download(client, store("notes.txt", "text/plain", b"n"))
    assert response.headers["Content-Disposition"] == (
        "inline; filename=\"notes.txt\"; filename*=UTF-8''notes.txt")


def test_a_name_with_only_non_latin_letters_gets_a_generic_fallback(store, client):
    response = download(client, store("图片.png", "image/png", b"p"))
    assert response.headers["Content-Disposition"] == (
        "inline; filename=\"__.png\"; filename*=UTF-8''%E5%9B%BE%E7%89%87.png")


# -- values stored by an older version -------------------------------------------------------

@pytest.mark.parametrize("stored_type", ["text/\u56fe", "text/html\r\nX-Injected: 1", "text",
                                         "image/png\x00"])
def test_a_stored_media_type_no_header_can_carry_still_downloads(app, store, client,
                                                                stored_type):
    stored = store("file.bin", "application/octet-stream", b"the bytes")
    force_stored(app, stored.node_id, mime_type=stored_type)
    response = download(client, stored)
    assert response.status_code == 200
    assert response.data == b"the bytes"
    assert response.mimetype == "application/octet-stream"
    assert "X-Injected" not in response.headers


def test_a_stored_file_name_with_cr_lf_still_downloads(app, client):
    # Emporix keeps details.filename as the client sent it; AMS its jcr:title.
    stored = store_emporix(app, client, "evil\r\nX-Injected: 1.txt", "text/plain", b"hi")
    response = download(client, stored)
    assert response.status_code == 200
    assert response.data == b"hi"
    assert "X-Injected" not in response.headers
    assert response.headers["Content-Disposition"] == (
        "inline; filename=\"evil__X-Injected: 1.txt\"; "
        "filename*=UTF-8''evil%0D%0AX-Injected%3A%201.txt")

    ams = store_ams(app, client, "a.txt", "text/plain", b"ams")
    node = app.extensions["repository"].get_by_id(ams.node_id)
    app.extensions["repository"].update(node.path, properties={"jcr:title": "x\ny\r.txt"})
    response = download(client, ams)
    assert response.status_code == 200
    assert response.data == b"ams"


# -- ranges ---------------------------------------------------------------------------------

DATA = bytes(range(256)) * 4


@pytest.mark.parametrize("header", ["bytes=0-1,5-9", "bytes=0-0,-1", "bytes=abc",
                                    "bytes=5-3", "items=0-1", "bytes=10-20,0-5", "bytes",
                                    "bytes=0-1,2000-3000"])
def test_several_or_malformed_ranges_give_the_whole_body(store, client, header):
    stored = store("data.bin", "application/octet-stream", DATA)
    response = download(client, stored, {"Range": header})
    assert response.status_code == 200, header
    assert response.data == DATA
    assert "Content-Range" not in response.headers


def test_one_range_is_still_206(store, client):
    stored = store("data.bin", "application/octet-stream", DATA)
    response = download(client, stored, {"Range": "bytes=10-19"})
    assert response.status_code == 206
    assert response.data == DATA[10:20]
    assert response.headers["Content-Range"] == f"bytes 10-19/{len(DATA)}"


@pytest.mark.parametrize("header", ["bytes=5000-6000", "bytes=2000-2001,3000-3001"])
def test_ranges_none_of_which_can_be_satisfied_are_416(store, client, header):
    stored = store("data.bin", "application/octet-stream", DATA)
    assert download(client, stored, {"Range": header}).status_code == 416
