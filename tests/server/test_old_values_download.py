"""Values an older version stored that no HTTP header can carry (a media type with a CR/LF
or a non-ASCII character, a file name with a CR/LF) still give a working download from a
real server process: an answer, never a hang (Flask's server) or an HTML 500 (gunicorn)."""
from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import create_engine, text

from .conftest import TENANT, Server


@pytest.fixture(scope="module")
def server(serial_server) -> Server:
    return serial_server


def force_media_type(server: Server, name: str, value: str) -> None:
    url = server.database_url or f"sqlite:///{server.instance / 'assets.db'}"
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text("UPDATE nodes SET mime_type = :value WHERE name = :name"),
                               {"value": value, "name": name})
    finally:
        engine.dispose()


@pytest.mark.parametrize("stored", ["text/\u56fe", "text/html\r\nX-Injected: 1"],
                         ids=["non-ascii", "cr-lf"])
def test_a_stored_media_type_no_header_can_carry_downloads_as_octet_stream(server, stored):
    name = f"old-{len(stored)}.bin"
    assert server.request("POST", f"/api/assets/{name}", body=b"old bytes",
                          headers={"Content-Type": "application/octet-stream"})[0] == 201
    force_media_type(server, name, stored)
    connection = server.connection()
    try:
        connection.request("GET", f"/api/assets/{name}/renditions/original",
                           headers={"Authorization": f"Bearer {server.bearer}"})
        response = connection.getresponse()
        assert (response.status, response.read()) == (200, b"old bytes")
        assert response.getheader("Content-Type") == "application/octet-stream"
        assert response.getheader("X-Injected") is None
    finally:
        connection.close()


def test_a_file_name_with_cr_lf_downloads(server):
    boundary = "b0undary"
    document = json.dumps({"type": "BLOB", "access": "PRIVATE",
                           "details": {"filename": "evil\r\nX-Injected: 1.txt"}})
    body = io.BytesIO()
    body.write(f"--{boundary}\r\nContent-Disposition: form-data; name=\"body\"\r\n\r\n"
               f"{document}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
               f"filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nhello\r\n"
               f"--{boundary}--\r\n".encode())
    emporix = {"Authorization": f"Bearer {server.emporix}"}
    status, answer = server.request("POST", f"/media/{TENANT}/assets", body=body.getvalue(),
                                    headers={**emporix, "Content-Type":
                                             f"multipart/form-data; boundary={boundary}"})
    assert status == 201, answer
    asset_id = json.loads(answer)["id"]
    status, data = server.request("GET", f"/media/{TENANT}/assets/{asset_id}/download",
                                  headers=emporix)
    assert (status, data) == (200, b"hello")
