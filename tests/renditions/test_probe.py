"""renditions.probe: pixel size and format from the header; None for non-images and for
possible decompression bombs. (Pure, no Flask: these tests need no app.)"""
from __future__ import annotations

import io
import warnings

import pytest
from PIL import Image

from renditions.probe import ImageInfo, probe_image

from tests.ams.helpers import image_bytes, png_header


@pytest.mark.parametrize("fmt, mime", [
    ("PNG", "image/png"), ("JPEG", "image/jpeg"), ("GIF", "image/gif"), ("WEBP", "image/webp"),
    ("BMP", "image/bmp"),
])
def test_probe_gives_size_format_and_type(fmt, mime):
    info = probe_image(io.BytesIO(image_bytes(fmt, 33, 21)))
    assert info == ImageInfo(width=33, height=21, format=fmt, mime_type=mime)


def test_probe_reads_a_path(tmp_path):
    target = tmp_path / "picture"
    target.write_bytes(image_bytes("PNG", 4, 9))
    assert probe_image(target).width == 4
    assert probe_image(str(target)).height == 9


def test_probe_reads_the_header_only():
    """A PNG whose pixel data is garbage still has a size: nothing is decoded."""
    assert probe_image(io.BytesIO(png_header(640, 480))) == ImageInfo(
        width=640, height=480, format="PNG", mime_type="image/png")


@pytest.mark.parametrize("data", [
    b"", b"plain text", b"%PDF-1.7\n", b"<svg xmlns='http://www.w3.org/2000/svg'/>",
    b"\x89PNG\r\n\x1a\n", image_bytes("PNG", 5, 5)[:30],
])
def test_probe_returns_none_for_non_images_and_broken_headers(data):
    assert probe_image(io.BytesIO(data)) is None


def test_probe_returns_none_for_more_pixels_than_max_pixels():
    data = image_bytes("PNG", 20, 10)
    assert probe_image(io.BytesIO(data), max_pixels=200) is not None
    assert probe_image(io.BytesIO(data), max_pixels=199) is None
    assert probe_image(io.BytesIO(data), max_pixels=None) is not None


def test_probe_returns_none_for_a_bomb_pillow_refuses():
    """Over twice Image.MAX_IMAGE_PIXELS Pillow raises DecompressionBombError itself."""
    assert Image.MAX_IMAGE_PIXELS and 20_000 * 20_000 > 2 * Image.MAX_IMAGE_PIXELS
    assert probe_image(io.BytesIO(png_header(20_000, 20_000)), max_pixels=None) is None


def test_probe_returns_none_when_pillows_bomb_warning_is_an_error():
    data = png_header(10_000, 10_000)  # between once and twice Pillow's limit: a warning
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        assert probe_image(io.BytesIO(data), max_pixels=None) is None


def test_probe_leaves_a_file_object_open():
    stream = io.BytesIO(image_bytes("PNG", 3, 3))
    probe_image(stream)
    assert not stream.closed
