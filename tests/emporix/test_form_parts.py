"""BLOB uploads whose file part cannot be what the client meant: a file sent under another
part name, and an empty file input (a browser's "no file chosen"). Both are 400 in the
vendor's error shape, and nothing is stored."""
from __future__ import annotations

import io
import json

from .helpers import TENANT, create_blob, error_body

ASSETS = f"/media/{TENANT}/assets"
BODY = json.dumps({"type": "BLOB", "access": "PRIVATE"})


def listing(client, manage):
    return client.get(ASSETS, headers=manage).get_json()


def test_a_file_in_another_part_is_400_naming_the_part(client, manage):
    before = listing(client, manage)
    response = client.post(ASSETS, headers=manage, data={
        "upload": (io.BytesIO(b"hello"), "hello.txt", "text/plain"), "body": BODY})
    assert response.status_code == 400
    body = error_body(response)
    assert body["message"] == "The part named [file] is missing."
    assert body["details"] == ["The form sends a file in the part named [upload]; send it in "
                               "the part named [file]."]
    assert listing(client, manage) == before


def test_an_empty_file_input_is_400_on_create(client, manage):
    before = listing(client, manage)
    response = client.post(ASSETS, headers=manage, data={
        "file": (io.BytesIO(b""), ""), "body": BODY})
    assert response.status_code == 400
    assert error_body(response)["message"] == ("The part named [file] holds no file (no file "
                                               "was chosen).")
    assert listing(client, manage) == before


def test_an_empty_file_input_is_400_on_update_and_keeps_the_file(client, manage):
    asset_id = create_blob(client, manage, data=b"kept")
    update = json.dumps({"type": "BLOB", "access": "PRIVATE", "metadata": {"version": 1}})
    response = client.put(f"{ASSETS}/{asset_id}", headers=manage, data={
        "file": (io.BytesIO(b""), ""), "body": update})
    assert response.status_code == 400
    download = client.get(f"{ASSETS}/{asset_id}/download", headers=manage)
    assert download.data == b"kept"


def test_an_empty_file_with_a_name_is_stored(client, manage):
    response = client.post(ASSETS, headers=manage, data={
        "file": (io.BytesIO(b""), "empty.txt", "text/plain"), "body": BODY})
    assert response.status_code == 201
    download = client.get(f"{ASSETS}/{response.get_json()['id']}/download", headers=manage)
    assert download.status_code == 200 and download.data == b""
