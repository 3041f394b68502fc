"""What the import makes of the bytes it fetched (no HTTP)."""
from __future__ import annotations

from app.projects.importer import classify, normal_mime

from .helpers import jpeg, mp4_header


def test_classify(tmp_path):
    cases = [
        (jpeg(), None, "a.bin", ("image", "image/jpeg")),
        (mp4_header(), None, "a.bin", ("video", "video/mp4")),
        (b"\x1a\x45\xdf\xa3" + b"\x00" * 20 + b"webm" + b"\x00" * 40, None, "x",
         ("video", "video/webm")),
        (b"RIFF\x00\x00\x00\x00AVI LIST", None, "x", ("video", "video/x-msvideo")),
        (b"hello", "text/plain; charset=utf-8", "a.txt", ("document", "text/plain")),
        (b"hello", None, "notes.txt", ("document", "text/plain")),
        (b"hello", "application/octet-stream", "blob", ("document", "application/octet-stream")),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml", "a.svg",
         ("document", "image/svg+xml")),
    ]
    for number, (data, declared, filename, expected) in enumerate(cases):
        path = tmp_path / f"f{number}"
        path.write_bytes(data)
        assert classify(path, declared, filename) == expected, (number, expected)


def test_an_image_over_the_pixel_limit_is_a_document(tmp_path):
    path = tmp_path / "big.jpg"
    path.write_bytes(jpeg(64, 64))
    assert classify(path, "image/jpeg", "big.jpg", max_pixels=100)[0] == "document"


def test_normal_mime():
    assert normal_mime("Image/PNG; charset=x") == "image/png"
    assert normal_mime("nonsense") is None
    assert normal_mime("a/b\r\nX-Injected: 1") is None
    assert normal_mime(None) is None
