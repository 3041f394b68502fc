"""Helpers for the AMS tests: small real images made with Pillow, a crafted decompression
bomb header, and a client wrapper that uploads through the AMS API."""
from __future__ import annotations

import io
import os
import struct
import zlib
from pathlib import Path

from PIL import Image

HOST = "http://localhost"
GUID_PATTERN = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
PREFIXES = ("/v1", "")
ASSET_FIELDS = {"id", "name", "height", "width", "href", "md5Checksum", "mimeType"}

NOT_FOUND = {"message": "Asset Media Service Error: Resource not found"}
NOT_AN_IMAGE = {"message": "Bad Request: Ensure the Asset is of the correct type for the "
                           "action (i.e. an image for /images endpoints)"}
ONE_AT_A_TIME = {"message": "Bad Request: Ensure you are only uploading one Asset at a time"}
NO_FILE = {"message": "Bad Request: Ensure file was attached to request"}


def image_bytes(fmt: str, width: int, height: int, color=(200, 30, 60)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, fmt)
    return out.getvalue()


def png(width: int = 7, height: int = 5) -> bytes:
    return image_bytes("PNG", width, height)


def jpeg(width: int = 24, height: int = 13) -> bytes:
    return image_bytes("JPEG", width, height)


def png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` pixels (a few dozen bytes): what a
    decompression bomb looks like to a header-only probe."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


def file_part(data: bytes, filename: str, mime: str | None = None):
    if mime is None:
        return (io.BytesIO(data), filename)
    return (io.BytesIO(data), filename, mime)


class Ams:
    """The Flask test client with a Bearer token, and AMS shortcuts."""

    def __init__(self, client, auth: dict[str, str]) -> None:
        self.client = client
        self.auth = auth

    def post_files(self, data: dict, prefix: str = "/v1", auth: dict | None = None):
        return self.client.post(f"{prefix}/assets", data=data,
                                headers=self.auth if auth is None else auth,
                                content_type="multipart/form-data")

    def upload(self, data: bytes, filename: str, mime: str | None = None,
               prefix: str = "/v1", part: str = "Filename") -> dict:
        response = self.post_files({part: file_part(data, filename, mime)}, prefix)
        assert response.status_code == 201, response.get_data(as_text=True)
        return response.get_json()

    def get(self, path: str, **kwargs):
        return self.client.get(path, **kwargs)


def blob_files(blob_root: str | os.PathLike) -> set[str]:
    """Relative paths of the stored blob files, leaving out ``tmp/``."""
    root = Path(blob_root)
    if not root.exists():
        return set()
    return {str(p.relative_to(root)) for p in root.rglob("*")
            if p.is_file() and p.relative_to(root).parts[0] != "tmp"}


def fetch(client, url: str, **kwargs):
    """GET ``url``, read the body and close the response (a file response holds the file
    open until closed, as a WSGI server would do)."""
    response = client.get(url, **kwargs)
    response.get_data()
    response.close()
    return response
