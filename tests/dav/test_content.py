"""PUT and GET: the same bytes as every API, content-addressed, streamed into the blob store;
the same strong ETag, Range and conditional requests."""
from __future__ import annotations

import hashlib
import io

from repository.jobs import BINARY_CHANGED

from ..aem.helpers import blob_files, tmp_files


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_a_put_file_is_an_asset_with_the_aem_apis_bytes_and_etag(dav):
    data = b"\x89PNG not really" * 100
    response = dav.request("PUT", "/dav/a.png", data=data)
    assert response.status_code == 201
    assert response.headers["ETag"] == f'"{sha256(data)}"'
    node = dav.repository.get(("a.png",))
    assert (node.kind, node.blob.sha256, node.mime_type) == ("asset", sha256(data), "image/png")
    aem = dav.client.get("/api/assets/a.png/renditions/original", headers=dav.headers)
    assert aem.get_data() == data
    assert aem.headers["ETag"] == response.headers["ETag"]
    got = dav.request("GET", "/dav/a.png")
    assert (got.get_data(), got.headers["ETag"]) == (data, response.headers["ETag"])


def test_a_put_asks_for_renditions_as_any_binary_change_does(dav):
    dav.request("PUT", "/dav/a.png", data=b"first")
    node = dav.repository.get(("a.png",))
    assert [job.kind for job in dav.repository.jobs.jobs(node_id=node.id)] == [BINARY_CHANGED]


def test_a_put_over_an_asset_replaces_its_binary_and_keeps_the_node(dav):
    dav.request("PUT", "/dav/a.txt", data=b"first")
    before = dav.repository.get(("a.txt",))
    response = dav.request("PUT", "/dav/a.txt", data=b"second", headers={"Content-Type": "text/plain"})
    assert response.status_code == 204
    after = dav.repository.get(("a.txt",))
    assert after.id == before.id and after.version == before.version + 1
    assert after.blob.sha256 == sha256(b"second")


def test_the_same_bytes_are_stored_once(dav, app):
    dav.request("PUT", "/dav/one.bin", data=b"same bytes")
    dav.request("PUT", "/dav/two.bin", data=b"same bytes")
    assert {path.rsplit("/", 1)[-1] for path in blob_files(app.config["BLOB_ROOT"])} == \
        {sha256(b"same bytes")}


def test_a_body_shorter_than_its_content_length_stores_nothing(dav, app):
    response = dav.client.open("/dav/cut.bin", method="PUT", input_stream=io.BytesIO(b"x" * 100),
                               headers=dav.headers, environ_overrides={"CONTENT_LENGTH": "1000"})
    assert response.status_code == 400
    assert not dav.repository.exists(("cut.bin",))
    assert blob_files(app.config["BLOB_ROOT"]) == set()
    assert tmp_files(app.config["BLOB_ROOT"]) == []


def test_a_body_over_the_limit_is_413_and_stores_nothing(make_app, token_auth):
    from .conftest import Dav

    dav = Dav(make_app(MAX_CONTENT_LENGTH=1000), token_auth)
    response = dav.request("PUT", "/dav/big.bin", data=b"x" * 2000)
    assert response.status_code == 413
    assert not dav.repository.exists(("big.bin",))


def test_a_body_of_exactly_the_limit_is_stored_when_the_server_terminates_the_input(
        make_app, token_auth):
    """gunicorn sets wsgi.input_terminated; werkzeug then caps the input at the limit and
    refuses a read past it: the body must be read to its declared length, no further."""
    from .conftest import Dav

    dav = Dav(make_app(MAX_CONTENT_LENGTH=1000), token_auth)
    response = dav.client.open("/dav/exact.bin", method="PUT", data=b"x" * 1000,
                               headers=dav.headers,
                               environ_overrides={"wsgi.input_terminated": True})
    assert response.status_code == 201, response.get_data(as_text=True)
    assert dav.repository.get(("exact.bin",)).blob.size == 1000


def test_the_media_type_is_the_declared_one_else_guessed_from_the_name(dav):
    dav.request("PUT", "/dav/a.jpg", data=b"x")
    dav.request("PUT", "/dav/b.jpg", data=b"x", headers={"Content-Type": "application/octet-stream"})
    dav.request("PUT", "/dav/c.bin", data=b"x", headers={"Content-Type": "text/csv; charset=utf-8"})
    dav.request("PUT", "/dav/noext", data=b"x")
    assert [dav.repository.get((name,)).mime_type for name in ["a.jpg", "b.jpg", "c.bin", "noext"]] == \
        ["image/jpeg", "image/jpeg", "text/csv", "application/octet-stream"]


def test_put_into_a_missing_folder_is_409_and_onto_a_folder_405(dav):
    dav.make("f/")
    assert dav.request("PUT", "/dav/missing/a.txt", data=b"x").status_code == 409
    assert dav.request("PUT", "/dav/f", data=b"x").status_code == 405


def test_get_answers_a_range(dav):
    dav.request("PUT", "/dav/a.bin", data=bytes(range(100)))
    response = dav.request("GET", "/dav/a.bin", headers={"Range": "bytes=10-19"})
    assert response.status_code == 206
    assert response.get_data() == bytes(range(10, 20))
    assert response.headers["Content-Range"] == "bytes 10-19/100"


def test_get_answers_conditional_requests_by_the_sha256_etag(dav):
    dav.request("PUT", "/dav/a.bin", data=b"content")
    etag = f'"{sha256(b"content")}"'
    assert dav.request("GET", "/dav/a.bin", headers={"If-None-Match": etag}).status_code == 304
    assert dav.request("GET", "/dav/a.bin", headers={"If-None-Match": '"other"'}).status_code == 200
    put = dav.request("PUT", "/dav/a.bin", data=b"new", headers={"If-Match": '"stale"'})
    assert put.status_code == 412
    assert dav.repository.get(("a.bin",)).blob.sha256 == sha256(b"content")


def test_head_gives_the_length_without_the_body(dav):
    dav.request("PUT", "/dav/a.bin", data=b"12345")
    response = dav.request("HEAD", "/dav/a.bin")
    assert response.status_code == 200
    assert response.headers["Content-Length"] == "5"
    assert response.get_data() == b""


def test_get_on_a_folder_is_refused(dav):
    dav.make("f/")
    assert dav.request("GET", "/dav/f/").status_code == 403
