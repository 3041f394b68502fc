"""GET .../download: PUBLIC → 301 to the public file URL (or the LINK's url), PRIVATE → the
bytes with an ETag, 304 on If-None-Match; the public file URL answers without credentials."""
from __future__ import annotations

import hashlib

from .helpers import TENANT, create_blob, create_link, error_body

ASSETS = f"/media/{TENANT}/assets"


def test_private_blob_download_is_200_with_bytes_and_etag(client, manage):
    asset_id = create_blob(client, manage, data=b"secret", access="PRIVATE",
                           details={"mimeType": "application/pdf"})
    response = client.get(f"{ASSETS}/{asset_id}/download", headers=manage)
    assert response.status_code == 200 and response.data == b"secret"
    assert response.mimetype == "application/pdf"
    assert response.headers["ETag"] == f'"{hashlib.sha256(b"secret").hexdigest()}"'
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_if_none_match_gives_304(client, manage):
    asset_id = create_blob(client, manage, data=b"secret")
    etag = client.get(f"{ASSETS}/{asset_id}/download", headers=manage).headers["ETag"]
    response = client.get(f"{ASSETS}/{asset_id}/download",
                          headers={**manage, "If-None-Match": etag})
    assert response.status_code == 304 and response.data == b""
    response = client.get(f"{ASSETS}/{asset_id}/download",
                          headers={**manage, "If-None-Match": '"other"'})
    assert response.status_code == 200


def test_public_blob_download_redirects_301_to_its_public_url(client, manage):
    asset_id = create_blob(client, manage, data=b"<svg/>", access="PUBLIC",
                           details={"mimeType": "image/svg+xml"})
    response = client.get(f"{ASSETS}/{asset_id}/download", headers=manage)
    assert response.status_code == 301
    location = response.headers["Location"]
    assert location == f"http://localhost/media/{TENANT}/files/{asset_id}"
    assert client.get(f"{ASSETS}/{asset_id}", headers=manage).get_json()["url"] == location
    public = client.get(location)  # no credentials
    assert public.status_code == 200 and public.data == b"<svg/>"
    assert public.mimetype == "image/svg+xml"
    assert public.headers["Content-Security-Policy"] == "sandbox"
    again = client.get(location, headers={"If-None-Match": public.headers["ETag"]})
    assert again.status_code == 304


def test_link_download_redirects_to_its_url(client, manage):
    for access in ("PUBLIC", "PRIVATE"):
        asset_id = create_link(client, manage, access=access, url="https://example.com/doc.pdf")
        response = client.get(f"{ASSETS}/{asset_id}/download", headers=manage)
        assert response.status_code == 301
        assert response.headers["Location"] == "https://example.com/doc.pdf"


def test_private_blob_has_no_public_url(client, manage):
    asset_id = create_blob(client, manage, access="PRIVATE")
    body = client.get(f"{ASSETS}/{asset_id}", headers=manage).get_json()
    assert body["url"].endswith(f"/assets/{asset_id}/download")
    response = client.get(f"/media/{TENANT}/files/{asset_id}")
    assert response.status_code == 404
    error_body(response)


def test_public_url_of_unknown_or_link_asset_is_404(client, manage):
    link_id = create_link(client, manage)
    for path in (f"/media/{TENANT}/files/{link_id}", f"/media/{TENANT}/files/nope",
                 "/media/NOT-A-TENANT/files/x", f"/media/{TENANT}/files/.."):
        assert client.get(path).status_code == 404


def test_download_of_unknown_asset_is_404(client, manage):
    response = client.get(f"{ASSETS}/nope/download", headers=manage)
    assert response.status_code == 404
    assert error_body(response)["status"] == "element_resource_non_existing"
