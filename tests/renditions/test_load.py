"""renditions.load: one safe, cheap decode; modes normalised; hostile files refused."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from renditions.load import ImageRejected, NotAnImage, load_image, normalise_mode

from tests.ams.helpers import png_header

from .helpers import encoded, jpeg_with_exif, quadrants


def test_a_big_jpeg_is_decoded_in_draft_mode_no_smaller_than_the_box():
    data = encoded(quadrants(4000, 3000), "JPEG")
    loaded = load_image(io.BytesIO(data), box=(480, 480))
    assert loaded.size == (4000, 3000)  # the file's size is kept for the metadata
    assert loaded.image.size == (500, 375)  # 1/8 scale: the smallest that covers 480 x 360
    assert load_image(io.BytesIO(data), box=(1280, 1280)).image.size == (2000, 1500)


def test_without_a_box_the_jpeg_is_decoded_whole():
    loaded = load_image(io.BytesIO(encoded(quadrants(800, 600), "JPEG")))
    assert loaded.image.size == (800, 600)


def test_draft_mode_accounts_for_a_rotating_exif_orientation():
    """3000 wide x 600 high, shown rotated (600 x 3000): fitting 480 x 480 needs 96 x 480
    shown, i.e. 480 x 96 stored; a 1/4 decode (750 x 150) covers it, 1/8 (375 x 75) not."""
    data = jpeg_with_exif(quadrants(3000, 600), ifd0={0x0112: 6})
    loaded = load_image(io.BytesIO(data), box=(480, 480))
    assert loaded.orientation == 6
    assert loaded.image.size == (750, 150)


def test_a_path_is_read_and_the_pixels_stay_usable(tmp_path):
    target = tmp_path / "picture.png"
    target.write_bytes(encoded(quadrants(20, 10), "PNG"))
    loaded = load_image(target)
    assert loaded.image.getpixel((0, 0)) == (255, 0, 0)
    assert (loaded.format, loaded.mime_type) == ("PNG", "image/png")


def test_only_the_first_frame_of_an_animation_is_used():
    frames = [Image.new("RGB", (16, 16), c) for c in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100)
    loaded = load_image(io.BytesIO(out.getvalue()))
    assert loaded.image.convert("RGB").getpixel((8, 8)) == (255, 0, 0)


@pytest.mark.parametrize("make, mode", [
    (lambda: Image.new("RGBA", (8, 8), (10, 20, 30, 0)), "RGBA"),
    (lambda: Image.new("LA", (8, 8), (10, 128)), "RGBA"),
    (lambda: Image.new("L", (8, 8), 77), "L"),
    (lambda: Image.new("1", (8, 8), 1), "L"),
    (lambda: Image.new("CMYK", (8, 8), (0, 255, 255, 0)), "RGB"),
    (lambda: Image.new("P", (8, 8), 3), "RGB"),
    (lambda: Image.new("YCbCr", (8, 8), (100, 128, 128)), "RGB"),
])
def test_modes_are_normalised_to_l_rgb_or_rgba(make, mode):
    assert normalise_mode(make()).mode == mode


def test_a_palette_image_with_transparency_keeps_it_as_alpha():
    image = Image.new("P", (8, 8), 0)
    image.putpalette([255, 0, 0, 0, 255, 0] + [0] * 762)
    image.info["transparency"] = 0
    normal = normalise_mode(image)
    assert normal.mode == "RGBA" and normal.getpixel((0, 0))[3] == 0


def test_cmyk_becomes_the_right_rgb():
    assert normalise_mode(Image.new("CMYK", (2, 2), (0, 255, 255, 0))).getpixel((0, 0)) == (255, 0, 0)


@pytest.mark.parametrize("fmt", ["PNG", "TIFF"])
def test_sixteen_bit_grey_is_scaled_not_clipped_to_white(fmt):
    image = Image.new("I;16", (8, 8), 32768)  # left half mid-grey, right half black
    image.paste(Image.new("I;16", (4, 8), 0), (4, 0))
    loaded = load_image(io.BytesIO(encoded(image, fmt)))
    assert loaded.original_mode.startswith("I")
    assert loaded.image.mode == "L"
    assert 120 <= loaded.image.getpixel((0, 0)) <= 135
    assert loaded.image.getpixel((7, 0)) == 0


@pytest.mark.parametrize("data", [b"", b"plain text", b"%PDF-1.7\n%\xe2\xe3\n"])
def test_a_file_pillow_does_not_recognise_is_not_an_image(data):
    with pytest.raises(NotAnImage):
        load_image(io.BytesIO(data))


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_a_truncated_image_is_rejected_with_a_reason(fmt):
    data = encoded(Image.effect_noise((300, 300), 50).convert("RGB"), fmt)
    with pytest.raises(ImageRejected) as raised:
        load_image(io.BytesIO(data[: len(data) // 2]))
    assert "cannot be decoded" in raised.value.reason


def test_corrupt_pixel_data_is_rejected():
    with pytest.raises(ImageRejected):
        load_image(io.BytesIO(png_header(64, 64)))


def test_more_pixels_than_the_limit_is_refused_before_decoding():
    bomb = png_header(30_000, 30_000)  # a few dozen bytes claiming 900 megapixels
    with pytest.raises(ImageRejected) as raised:
        load_image(io.BytesIO(bomb), max_pixels=None)  # Pillow's own limit still holds
    assert "decompression bomb" in raised.value.reason
    with pytest.raises(ImageRejected, match="more than the limit of 100"):
        load_image(io.BytesIO(encoded(quadrants(20, 10), "PNG")), max_pixels=100)
    assert load_image(io.BytesIO(encoded(quadrants(20, 10), "PNG")), max_pixels=200)
