"""The background media import: fetch → store the blob → classify → update the asset.

:func:`run_import` is the work. It takes plain values (an :class:`ImportJob`, the
Repository, :class:`ImportSettings`) and needs no Flask application or request, so any
process can run it: :mod:`app.projects.jobs` stores each import as a job in the
database's job queue and runs it in worker threads of whichever server process claims it
(or in ``flask --app app projects run-imports``).

What the asset shows (see :mod:`app.projects.views` for the mapping onto node
properties):

- while the job runs: ``media_type`` "processing", ``original_filename`` as the client
  gave it, ``md5_sum`` null;
- done: the binary is the node's blob (md5 from the blob store), ``media_type`` "image"
  (Pillow identifies a raster image within ``PROJECTS_MAX_IMAGE_PIXELS``), "video" (a
  ``video/*`` Content-Type, or the magic bytes of MP4/QuickTime, WebM/Matroska, AVI, FLV,
  MPEG-PS/TS, ASF), otherwise "document"; the node's media type is the sniffed one (the
  declared Content-Type, or one guessed from the file name, for documents);
- failed: ``media_type`` back to "placeholder" and ``media_error`` says why (e.g.
  "refused to fetch from 127.0.0.1: it resolves to 127.0.0.1, a loopback address").

An import lost with its process (a restart while the download runs) is not lost for
good: its job is still in the table and runs again (see :mod:`app.projects.jobs`).
"""
from __future__ import annotations

import logging
import mimetypes
import re
from dataclasses import dataclass
from typing import Any, Mapping

from PIL import Image

from repository import NotFound, Repository, StoredBlob
from repository.blobs import BlobTooLarge

from .fetch import FetchError, FetchPolicy, open_url, parse_allow
from .s3 import S3Settings, open_object

log = logging.getLogger(__name__)

#: Property names on the asset node (see views.py for the whole mapping).
MEDIA_TYPE = "projects:media_type"
MEDIA_ERROR = "projects:media_error"
ORIGINAL_FILENAME = "projects:original_filename"

URL = "url"
S3 = "s3"
#: Pillow's default limit (a possible decompression bomb is no image here).
DEFAULT_MAX_PIXELS = 89_478_485
_MIME = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}")


@dataclass(frozen=True)
class ImportJob:
    """One media import, as plain data (a queue could serialise it)."""

    asset_id: str
    source: str  # URL or S3
    location: str  # the URL, or the S3 key
    filename: str


@dataclass(frozen=True)
class ImportSettings:
    fetch: FetchPolicy
    s3: S3Settings
    max_bytes: int
    max_image_pixels: int | None = DEFAULT_MAX_PIXELS


def settings_from_config(config: Mapping[str, Any]) -> ImportSettings:
    """The import settings from the ``PROJECTS_*`` configuration."""
    max_bytes = int(config["PROJECTS_FETCH_MAX_BYTES"])
    timeout = float(config["PROJECTS_FETCH_TIMEOUT"])
    return ImportSettings(
        fetch=FetchPolicy(
            allow=parse_allow(config.get("PROJECTS_FETCH_ALLOW")),
            timeout=timeout,
            total_timeout=float(config["PROJECTS_FETCH_TOTAL_TIMEOUT"]),
            max_redirects=int(config["PROJECTS_FETCH_MAX_REDIRECTS"]),
            max_bytes=max_bytes,
        ),
        s3=S3Settings(
            bucket=config.get("PROJECTS_S3_BUCKET"),
            endpoint_url=config.get("PROJECTS_S3_ENDPOINT_URL"),
            access_key_id=config.get("PROJECTS_S3_ACCESS_KEY_ID"),
            secret_access_key=config.get("PROJECTS_S3_SECRET_ACCESS_KEY"),
            region=config.get("PROJECTS_S3_REGION"),
            addressing_style=config.get("PROJECTS_S3_ADDRESSING_STYLE") or "auto",
            timeout=timeout,
        ),
        max_bytes=max_bytes,
        max_image_pixels=config.get("PROJECTS_MAX_IMAGE_PIXELS"),
    )


# -- the job ------------------------------------------------------------------------------------

def run_import(job: ImportJob, repository: Repository, settings: ImportSettings) -> str | None:
    """Import the media of one asset; never raises (failures are shown on the asset).
    Returns why the import failed, or None when the asset has its media."""
    try:
        blob, declared = _download(job, repository, settings)
    except BlobTooLarge:
        return record_failure(repository, job.asset_id,
                              f"the file is larger than the limit of {settings.max_bytes} bytes")
    except FetchError as error:
        return record_failure(repository, job.asset_id, str(error))
    except Exception:
        log.exception("importing the media of asset %s failed", job.asset_id)
        return record_failure(repository, job.asset_id,
                              "the media could not be imported (internal error)")
    try:
        media_type, mime_type = classify(repository.blobs.path_of(blob.sha256), declared,
                                         job.filename, max_pixels=settings.max_image_pixels)
        _update(repository, job.asset_id, blob=blob, mime_type=mime_type, properties={
            MEDIA_TYPE: media_type, MEDIA_ERROR: None, ORIGINAL_FILENAME: job.filename,
        })
        log.info("imported the media of asset %s: %s, %s bytes", job.asset_id, media_type,
                 blob.size)
        return None
    except Exception:
        log.exception("storing the media of asset %s failed", job.asset_id)
        return record_failure(repository, job.asset_id,
                              "the media could not be stored (internal error)")


def _download(job: ImportJob, repository: Repository,
              settings: ImportSettings) -> tuple[StoredBlob, str | None]:
    if job.source == URL:
        opener = open_url(job.location, settings.fetch)
    elif job.source == S3:
        opener = open_object(job.location, settings.s3, settings.max_bytes)
    else:
        raise FetchError(f"unknown media source {job.source!r}")
    with opener as fetched:
        blob = repository.blobs.put(fetched.stream, max_size=settings.max_bytes)
        return blob, fetched.content_type


def record_failure(repository: Repository, asset_id: str, why: str) -> str:
    """Show on the asset that its import failed (``placeholder`` and ``media_error``);
    never raises. Returns ``why``."""
    log.info("the media of asset %s was not imported: %s", asset_id, why)
    try:
        _update(repository, asset_id, properties={MEDIA_TYPE: "placeholder", MEDIA_ERROR: why})
    except Exception:
        log.exception("marking asset %s as failed did not work", asset_id)
    return why


def _update(repository: Repository, asset_id: str, **changes: Any) -> None:
    """Update the asset wherever it is now; nothing when it was deleted meanwhile."""
    for _attempt in range(3):
        try:
            node = repository.get_by_id(asset_id)
        except NotFound:
            return
        try:
            repository.update(node.path, **changes)
            return
        except NotFound:
            continue  # moved between the two calls: look it up again


# -- what the bytes are ----------------------------------------------------------------------------

def normal_mime(value: str | None) -> str | None:
    """``"Image/PNG; charset=x"`` → ``"image/png"``; None for nothing usable."""
    if not value:
        return None
    main = value.split(";", 1)[0].strip().lower()
    return main if _MIME.fullmatch(main) else None


def _video_by_magic(head: bytes) -> str | None:
    if len(head) >= 12 and head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand == b"qt  ":
            return "video/quicktime"
        if brand in (b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B "):
            return None  # audio
        if brand in (b"heic", b"heix", b"mif1", b"msf1", b"avif", b"avis"):
            return None  # still images in the same container
        if brand.startswith(b"3g"):
            return "video/3gpp"
        return "video/mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm" if b"webm" in head[:64] else "video/x-matroska"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "video/x-msvideo"
    if head.startswith(b"FLV\x01"):
        return "video/x-flv"
    if head.startswith(b"\x00\x00\x01\xba") or head.startswith(b"\x00\x00\x01\xb3"):
        return "video/mpeg"
    if len(head) > 376 and head[0] == 0x47 and head[188] == 0x47 and head[376] == 0x47:
        return "video/mp2t"
    if head.startswith(b"\x30\x26\xb2\x75\x8e\x66\xcf\x11"):
        return "video/x-ms-asf"
    return None


def _image(path, max_pixels: int | None) -> str | None:
    """The image's media type when Pillow identifies a raster image we accept."""
    try:
        with Image.open(path) as image:
            width, height = image.size
            mime = Image.MIME.get(image.format or "")
    except Exception:  # not an image, a broken header, or a decompression bomb
        return None
    if not mime or not mime.startswith("image/") or width <= 0 or height <= 0:
        return None
    if max_pixels is not None and width * height > max_pixels:
        return None
    return mime


def classify(path, declared: str | None, filename: str,
             *, max_pixels: int | None = DEFAULT_MAX_PIXELS) -> tuple[str, str]:
    """(``media_type``, the node's media type) for the stored file at ``path``."""
    declared_mime = normal_mime(declared)
    with open(path, "rb") as stream:
        head = stream.read(512)
    image = _image(path, max_pixels)
    if image is not None:
        return "image", image
    video = _video_by_magic(head)
    if video is not None:
        return "video", video
    if declared_mime and declared_mime.startswith("video/"):
        return "video", declared_mime
    if head.startswith(b"%PDF-"):
        return "document", "application/pdf"
    if declared_mime and declared_mime != "application/octet-stream":
        return "document", declared_mime
    guessed = normal_mime(mimetypes.guess_type(filename or "", strict=False)[0])
    return "document", guessed or "application/octet-stream"
