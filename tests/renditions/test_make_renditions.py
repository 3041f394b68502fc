"""renditions.pipeline.make_renditions: one file in, every profile's rendition out
(load → transform → encode, no repository)."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from renditions.pipeline import Settings, make_renditions
from renditions.profiles import Profile

from .helpers import BL, BR, TL, TR, close, encoded, jpeg_with_exif, open_bytes, quadrants

AEM_SIZES_3_2 = {  # a 3:2 landscape image larger than every box
    "cq5dam.thumbnail.48.48.png": ((48, 32), "PNG"),
    "cq5dam.thumbnail.140.100.png": ((140, 93), "PNG"),
    "cq5dam.thumbnail.319.319.png": ((319, 213), "PNG"),
    "cq5dam.web.1280.1280.jpeg": ((1280, 853), "JPEG"),
}


def made(data: bytes, settings: Settings = Settings()) -> dict[str, Image.Image]:
    _loaded, files = make_renditions(io.BytesIO(data), settings)
    return {f.profile.name: open_bytes(f.data) for f in files}


def _image_of_mode(mode: str, size=(1500, 1000)) -> Image.Image:
    base = quadrants(*size)
    if mode == "RGBA":
        base = base.convert("RGBA")
    elif mode == "P":
        base = base.convert("P", palette=Image.Palette.ADAPTIVE, colors=8)
    elif mode == "CMYK":
        base = base.convert("CMYK")
    elif mode == "L":
        base = base.convert("L")
    return base


@pytest.mark.parametrize("fmt, mode", [
    ("JPEG", "RGB"), ("JPEG", "L"), ("JPEG", "CMYK"),
    ("PNG", "RGB"), ("PNG", "RGBA"), ("PNG", "P"), ("PNG", "L"),
    ("GIF", "P"), ("WEBP", "RGB"), ("WEBP", "RGBA"),
    ("TIFF", "RGB"), ("TIFF", "CMYK"), ("BMP", "RGB"),
])
def test_every_input_kind_gets_aems_four_sizes_and_formats(fmt, mode):
    renditions = made(encoded(_image_of_mode(mode), fmt))
    assert {name: (image.size, image.format) for name, image in renditions.items()} == AEM_SIZES_3_2


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "TIFF"])
def test_the_picture_survives_the_trip(fmt):
    renditions = made(encoded(quadrants(1500, 1000), fmt))
    for name, image in renditions.items():
        w, h = image.size
        rgb = image.convert("RGB")
        corners = [rgb.getpixel((2, 2)), rgb.getpixel((w - 3, 2)), rgb.getpixel((2, h - 3)),
                   rgb.getpixel((w - 3, h - 3))]
        assert all(close(c, e) for c, e in zip(corners, (TL, TR, BL, BR))), (name, corners)


def test_a_small_image_is_not_enlarged():
    renditions = made(encoded(quadrants(100, 60), "PNG"))
    assert {n: i.size for n, i in renditions.items()} == {
        "cq5dam.thumbnail.48.48.png": (48, 29), "cq5dam.thumbnail.140.100.png": (100, 60),
        "cq5dam.thumbnail.319.319.png": (100, 60), "cq5dam.web.1280.1280.jpeg": (100, 60)}


def test_a_portrait_image_fits_by_its_height():
    renditions = made(encoded(quadrants(1000, 1500), "JPEG"))
    assert renditions["cq5dam.thumbnail.140.100.png"].size == (67, 100)
    assert renditions["cq5dam.web.1280.1280.jpeg"].size == (853, 1280)


@pytest.mark.parametrize("orientation, corners", [
    # what the top-left, top-right, bottom-left, bottom-right corners show once applied
    (1, (TL, TR, BL, BR)),
    (2, (TR, TL, BR, BL)),
    (3, (BR, BL, TR, TL)),
    (6, (BL, TL, BR, TR)),  # rotate 90° clockwise to view
    (8, (TR, BR, TL, BL)),  # rotate 90° counter-clockwise to view
])
def test_exif_orientation_is_applied_to_every_rendition(orientation, corners):
    data = jpeg_with_exif(quadrants(1500, 1000), ifd0={0x0112: orientation})
    renditions = made(data)
    for name, image in renditions.items():
        w, h = image.size
        assert (w > h) == (orientation not in (6, 8)), name
        rgb = image.convert("RGB")
        seen = [rgb.getpixel((2, 2)), rgb.getpixel((w - 3, 2)), rgb.getpixel((2, h - 3)),
                rgb.getpixel((w - 3, h - 3))]
        assert all(close(s, e) for s, e in zip(seen, corners)), (name, seen)
    assert renditions["cq5dam.web.1280.1280.jpeg"].size == \
        ((853, 1280) if orientation in (6, 8) else (1280, 853))


def test_png_thumbnails_keep_transparency_and_the_jpeg_lies_on_white():
    image = Image.new("RGBA", (600, 400), (0, 0, 0, 0))
    image.paste((255, 0, 0, 255), (0, 0, 300, 400))
    renditions = made(encoded(image, "PNG"))
    thumb = renditions["cq5dam.thumbnail.319.319.png"]
    assert thumb.mode == "RGBA"
    assert thumb.getpixel((300, 100))[3] == 0 and thumb.getpixel((10, 100))[3] == 255
    web = renditions["cq5dam.web.1280.1280.jpeg"].convert("RGB")
    assert close(web.getpixel((590, 200)), (255, 255, 255), 8)
    assert close(web.getpixel((10, 200)), (255, 0, 0))


def test_the_profiles_decide_what_is_made():
    settings = Settings(profiles=(Profile("square.webp", 50, 50, "WEBP", 60),
                                  Profile("wide.jpg", 200, 20, "JPEG")))
    renditions = made(encoded(quadrants(400, 300), "PNG"), settings)
    assert {n: (i.size, i.format) for n, i in renditions.items()} == {
        "square.webp": ((50, 38), "WEBP"), "wide.jpg": ((27, 20), "JPEG")}
