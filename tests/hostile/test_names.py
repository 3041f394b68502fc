"""Names through HTTP: one normalization form (C), no invisible format characters."""
from __future__ import annotations

import io
from urllib.parse import quote

import pytest

from tests.aem.helpers import json_url, url

NFC = "caf\u00e9.png"
NFD = "cafe\u0301.png"


def test_aem_siblings_cannot_differ_only_in_normalization_form(aem):
    aem.make_folder("f")
    aem.make_asset(f"f/{NFD}", b"first")
    response = aem.post(url(f"f/{NFC}"), data=b"second", content_type="image/png")
    assert response.status_code == 409, response.get_data(as_text=True)
    response = aem.post(url("f/*"), data={"file": (io.BytesIO(b"third"), NFD)})
    assert response.status_code == 409, response.get_data(as_text=True)
    assert aem.child_names("f") == [NFC]
    assert aem.bytes_of(f"f/{NFC}") == b"first"
    assert aem.bytes_of(f"f/{NFD}") == b"first"
    response = aem.copy(url(f"f/{NFC}"), "/api/assets/f/" + quote("a\u0308.png"))
    assert response.status_code == 201
    assert sorted(aem.child_names("f")) == sorted([NFC, "\u00e4.png"])


@pytest.mark.parametrize("character", ["\u202e", "\u200b", "\ufeff"])
def test_aem_refuses_names_with_invisible_format_characters(aem, character):
    aem.make_folder("f")
    name = f"invoice{character}fdp.exe"
    response = aem.post(url(f"f/{name}"), data=b"x", content_type="application/octet-stream")
    assert response.status_code == 400, response.get_data(as_text=True)
    assert f"U+{ord(character):04X}" in response.get_json()["properties"]["status.message"]
    response = aem.post(url("f/*"), data={"file": (io.BytesIO(b"x"), name)})
    assert response.status_code == 400
    response = aem.post(url("f/*"), data={"name": name})
    assert response.status_code == 400
    assert aem.child_names("f") == []
