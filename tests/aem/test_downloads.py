"""Downloading renditions: ETag (sha256 of the bytes), If-None-Match, Range and
If-Modified-Since, the way Werkzeug's conditional responses behave."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from werkzeug.http import http_date, parse_date

from .helpers import sha256, url

DATA = bytes(range(256)) * 4  # 1024 bytes, every byte value
ORIGINAL = url("f/a.bin") + "/renditions/original"


@pytest.fixture
def asset(api):
    api.make_folder("f")
    api.make_asset("f/a.bin", DATA, "application/octet-stream")
    return ORIGINAL


def etag_of(response) -> str:
    value = response.headers["ETag"]
    assert value.startswith('"') and value.endswith('"'), value
    return value.strip('"')


def test_etag_is_the_sha256_of_the_bytes(api, asset):
    response = api.get(asset)
    assert response.status_code == 200
    assert response.data == DATA
    assert etag_of(response) == sha256(DATA)


def test_rendition_etag_is_the_sha256_of_its_bytes(api, asset):
    api.make_rendition("f/a.bin", "web.png", b"web rendition", "image/png")
    response = api.get(url("f/a.bin") + "/renditions/web.png")
    assert etag_of(response) == sha256(b"web rendition")


def test_if_none_match_with_the_etag_is_304_without_a_body(api, asset):
    etag = api.get(asset).headers["ETag"]
    response = api.get(asset, headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.data == b""
    assert response.headers["ETag"] == etag


def test_if_none_match_with_another_etag_is_200(api, asset):
    response = api.get(asset, headers={"If-None-Match": '"' + "0" * 64 + '"'})
    assert response.status_code == 200
    assert response.data == DATA


def test_if_none_match_star_is_304(api, asset):
    assert api.get(asset, headers={"If-None-Match": "*"}).status_code == 304


def test_after_an_update_the_old_etag_no_longer_matches(api, asset):
    old = api.get(asset).headers["ETag"]
    api.put(url("f/a.bin"), data=b"changed", content_type="application/octet-stream")
    response = api.get(asset, headers={"If-None-Match": old})
    assert response.status_code == 200
    assert response.data == b"changed"
    assert etag_of(response) == sha256(b"changed")


RANGES = [("bytes=0-0", 0, 0), ("bytes=10-19", 10, 19), ("bytes=1000-", 1000, 1023),
          ("bytes=-24", 1000, 1023), ("bytes=1020-5000", 1020, 1023)]


def test_range_gives_206_with_the_right_slice(api, asset):
    for header, start, end in RANGES:
        response = api.get(asset, headers={"Range": header})
        assert response.status_code == 206, header
        assert response.data == DATA[start:end + 1], header
        assert response.headers["Content-Range"] == f"bytes {start}-{end}/{len(DATA)}"
        assert response.headers["Content-Length"] == str(end - start + 1)


def test_range_past_the_end_is_416(api, asset):
    response = api.get(asset, headers={"Range": "bytes=5000-6000"})
    assert response.status_code == 416


def test_downloads_advertise_byte_ranges(api, asset):
    assert api.get(asset).headers.get("Accept-Ranges") == "bytes"


def test_if_modified_since_the_last_modification_is_304(api, asset):
    last_modified = api.get(asset).headers["Last-Modified"]
    response = api.get(asset, headers={"If-Modified-Since": last_modified})
    assert response.status_code == 304
    assert response.data == b""


def test_if_modified_since_a_later_time_is_304(api, asset):
    last_modified = parse_date(api.get(asset).headers["Last-Modified"])
    later = http_date(last_modified + timedelta(days=1))
    assert api.get(asset, headers={"If-Modified-Since": later}).status_code == 304


def test_if_modified_since_an_earlier_time_is_200(api, asset):
    last_modified = parse_date(api.get(asset).headers["Last-Modified"])
    earlier = http_date(last_modified - timedelta(seconds=5))
    response = api.get(asset, headers={"If-Modified-Since": earlier})
    assert response.status_code == 200
    assert response.data == DATA


def test_unparsable_if_modified_since_is_ignored(api, asset):
    response = api.get(asset, headers={"If-Modified-Since": "not a date"})
    assert response.status_code == 200
    assert response.data == DATA


def test_if_none_match_takes_precedence_over_if_modified_since(api, asset):
    far_future = http_date(datetime.now(timezone.utc) + timedelta(days=365))
    response = api.get(asset, headers={"If-None-Match": '"nope"', "If-Modified-Since": far_future})
    assert response.status_code == 200


def test_last_modified_is_close_to_now(api, asset):
    last_modified = parse_date(api.get(asset).headers["Last-Modified"])
    assert abs((datetime.now(timezone.utc) - last_modified).total_seconds()) < 120
