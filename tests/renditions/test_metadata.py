"""renditions.metadata: what the image says, under AEM's namespaced names."""
from __future__ import annotations

import io

from PIL.TiffImagePlugin import IFDRational

from renditions.load import load_image
from renditions.metadata import KEYS, image_metadata

from .helpers import encoded, jpeg_with_exif, quadrants


def metadata_of(data: bytes) -> dict:
    return image_metadata(load_image(io.BytesIO(data), box=(48, 48)))


def test_size_and_format_of_any_image():
    assert metadata_of(encoded(quadrants(64, 40), "PNG")) == {
        "tiff:ImageWidth": 64, "tiff:ImageLength": 40, "dc:format": "image/png"}
    assert metadata_of(encoded(quadrants(64, 40), "GIF"))["dc:format"] == "image/gif"


def test_the_size_is_the_files_not_the_draft_decoded_one():
    found = metadata_of(encoded(quadrants(2400, 1600), "JPEG"))
    assert (found["tiff:ImageWidth"], found["tiff:ImageLength"]) == (2400, 1600)


def test_exif_facts_worth_having():
    data = jpeg_with_exif(
        quadrants(60, 40),
        ifd0={0x0112: 6, 0x010F: "Canon\x00", 0x0110: " EOS R5 ", 0x0131: "Firmware 1.8"},
        exif={0x9003: "2024:05:17 14:03:09", 0x9011: "+02:00",
              0x829A: IFDRational(1, 250), 0x829D: IFDRational(28, 10), 0x8827: 400,
              0x920A: IFDRational(50, 1), 0xA434: "RF50mm F1.8 STM"},
    )
    found = metadata_of(data)
    assert found == {
        "tiff:ImageWidth": 60, "tiff:ImageLength": 40, "dc:format": "image/jpeg",
        "tiff:Orientation": 6, "tiff:Make": "Canon", "tiff:Model": "EOS R5",
        "tiff:Software": "Firmware 1.8", "exif:DateTimeOriginal": "2024-05-17T14:03:09+02:00",
        "exif:ExposureTime": "1/250", "exif:FNumber": 2.8, "exif:ISOSpeedRatings": 400,
        "exif:FocalLength": 50, "exifEX:LensModel": "RF50mm F1.8 STM",
    }
    assert set(found) <= set(KEYS)


def test_a_capture_date_without_offset_and_junk_values_are_handled():
    data = jpeg_with_exif(quadrants(60, 40), ifd0={0x0112: 42, 0x010F: ""},
                          exif={0x9003: "2021:01:02 03:04:05", 0x829A: IFDRational(0, 0)})
    found = metadata_of(data)
    assert found["exif:DateTimeOriginal"] == "2021-01-02T03:04:05"
    assert "tiff:Orientation" not in found  # 42 is no orientation
    assert "tiff:Make" not in found and "exif:ExposureTime" not in found


def test_an_unset_capture_date_is_left_out():
    data = jpeg_with_exif(quadrants(60, 40), exif={0x9003: "0000:00:00 00:00:00"})
    assert "exif:DateTimeOriginal" not in metadata_of(data)
