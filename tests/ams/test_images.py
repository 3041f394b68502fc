"""GET /images/{id}: 303 to a file URL on this server that ends in the extension and
serves the bytes with the right type; 400 for a non-image. And the file URL itself."""
from __future__ import annotations

import uuid

import pytest

from .helpers import HOST, NOT_AN_IMAGE, NOT_FOUND, PREFIXES, fetch, jpeg, png, png_header


@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize("maker, filename, extension, mime", [
    (png, "iqmetrix.png", ".png", "image/png"),
    (jpeg, "iqmetrix.jpg", ".jpg", "image/jpeg"),
])
def test_images_redirects_303_to_the_file_with_its_extension(ams, client, prefix, maker,
                                                             filename, extension, mime):
    data = maker()
    created = ams.upload(data, filename)
    response = client.get(f"{prefix}/images/{created['id']}")  # anonymous
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location == created["href"]
    assert location == f"{HOST}/v1/files/{created['id']}{extension}"
    served = fetch(client, location)  # anonymous, as an <img> would fetch it
    assert served.status_code == 200
    assert served.data == data
    assert served.mimetype == mime


def test_the_file_url_answers_conditional_requests(ams, client):
    created = ams.upload(png(), "a.png")
    first = fetch(client, created["href"])
    assert first.headers["ETag"]
    again = fetch(client, created["href"], headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""


def test_the_file_url_cannot_run_script_in_this_origin(ams, client):
    created = ams.upload(b"<script>alert(1)</script>", "page.html", "text/html")
    served = fetch(client, created["href"])
    assert served.status_code == 200
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in served.headers["Content-Security-Policy"]


def test_the_file_url_with_another_extension_or_id_answers_404(ams, client):
    created = ams.upload(png(), "a.png")
    for url in (f"/v1/files/{created['id']}.jpg", f"/v1/files/{created['id']}",
                f"/v1/files/{uuid.uuid4()}.png", "/v1/files/nonsense.png"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.get_json() == NOT_FOUND


@pytest.mark.parametrize("prefix", PREFIXES)
def test_images_for_a_non_image_answers_400_with_the_page_message(ams, client, prefix):
    created = ams.upload(b"%PDF-1.7 not an image", "doc.pdf", "application/pdf")
    response = client.get(f"{prefix}/images/{created['id']}")
    assert response.status_code == 400
    assert response.mimetype == "application/json"
    assert response.get_json() == NOT_AN_IMAGE
    # The file itself is still there behind href.
    assert fetch(client, created["href"]).data == b"%PDF-1.7 not an image"


def test_images_for_a_decompression_bomb_answers_400(ams, client):
    created = ams.upload(png_header(20_000, 20_000), "bomb.png", "image/png")
    assert client.get(f"/v1/images/{created['id']}").get_json() == NOT_AN_IMAGE


@pytest.mark.parametrize("prefix", PREFIXES)
def test_images_for_an_unknown_or_malformed_id_answers_404(client, prefix):
    for asset_id in (str(uuid.uuid4()), "not-a-guid"):
        response = client.get(f"{prefix}/images/{asset_id}")
        assert response.status_code == 404
        assert response.get_json() == NOT_FOUND
