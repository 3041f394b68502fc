"""``details.mimeType`` and a file part's Content-Type must be media types a
Content-Type header can carry: anything else is 400 in the vendor's shape, nothing stored."""
from __future__ import annotations

import io
import json

import pytest

from .helpers import TENANT, create_blob, error_body

ASSETS = f"/media/{TENANT}/assets"


@pytest.mark.parametrize("bad", ["text/\u56fe", "text/html\r\nX-Injected: 1", "text",
                                 "image/p ng", ""])
def test_a_mime_type_that_is_no_media_type_is_400_on_create(client, manage, bad):
    before = client.get(ASSETS, headers=manage).get_json()
    document = {"type": "BLOB", "access": "PRIVATE", "details": {"mimeType": bad}}
    response = client.post(ASSETS, headers=manage, data={
        "file": (io.BytesIO(b"hello"), "hello.txt", "text/plain"), "body": json.dumps(document)})
    assert response.status_code == 400
    body = error_body(response)
    assert body["message"] == "The asset is invalid."
    assert len(body["details"]) == 1 and body["details"][0].startswith("details.mimeType: ")
    assert "is not a media type" in body["details"][0]
    assert client.get(ASSETS, headers=manage).get_json() == before


def test_a_mime_type_that_is_no_media_type_is_400_on_update(client, manage):
    asset_id = create_blob(client, manage, data=b"kept")
    document = {"type": "BLOB", "access": "PRIVATE", "metadata": {"version": 1},
                "details": {"mimeType": "text/\u56fe"}}
    response = client.put(f"{ASSETS}/{asset_id}", headers=manage, data={
        "file": (io.BytesIO(b"new"), "new.txt", "text/plain"), "body": json.dumps(document)})
    assert response.status_code == 400
    download = client.get(f"{ASSETS}/{asset_id}/download", headers=manage)
    assert download.data == b"kept" and download.mimetype == "text/plain"


def test_a_file_part_whose_content_type_is_no_media_type_is_400(client, manage):
    boundary = "b0undary"
    body = (b"--b0undary\r\nContent-Disposition: form-data; name=\"body\"\r\n\r\n"
            b'{"type": "BLOB", "access": "PRIVATE"}\r\n'
            b"--b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\""
            b"\r\nContent-Type: " + "text/图".encode() + b"\r\n\r\nhello\r\n--b0undary--\r\n")
    response = client.post(ASSETS, headers={**manage, "Content-Type":
                                            f"multipart/form-data; boundary={boundary}"},
                           data=body)
    assert response.status_code == 400
    details = error_body(response)["details"]
    assert details[0].startswith("file: the part's Content-Type: ")
    assert client.get(ASSETS, headers=manage).get_json() == []
