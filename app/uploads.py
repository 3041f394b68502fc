"""Reading request bodies into the blob store, shared by every API."""
from __future__ import annotations

import io
import json
import math
import mimetypes
from typing import Any

from flask import current_app, request
from werkzeug.datastructures import FileStorage
from werkzeug.wsgi import LimitedStream

from repository import InvalidValue, StoredBlob, mediatypes
from repository.values import check_json

from . import get_repository
from .errors import ApiError

JSON_TYPES = frozenset({"application/json", "application/vnd.siren+json"})
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
#: JSON bodies are read into memory; they hold properties, never binaries.
MAX_JSON_BYTES = 1024 * 1024


def is_json() -> bool:
    return request.mimetype in JSON_TYPES or request.mimetype.endswith("+json")


def is_form() -> bool:
    return request.mimetype in FORM_TYPES


def json_body() -> Any:
    length = request.content_length
    if length is not None and length > MAX_JSON_BYTES:
        raise ApiError(413, f"a JSON body must be at most {MAX_JSON_BYTES} bytes")
    # Read to the end, not just what the first read gives: a body cut off after a
    # complete-looking JSON document must fail (see app.bodies), not count as sent. With a
    # Content-Length, to that length and no further (see store_raw_body for why).
    wanted = MAX_JSON_BYTES + 1 if length is None else length
    data = bytearray()
    while len(data) < wanted:
        chunk = request.stream.read(wanted - len(data))
        if not chunk:
            break
        data += chunk
    if len(data) > MAX_JSON_BYTES:
        raise ApiError(413, f"a JSON body must be at most {MAX_JSON_BYTES} bytes")
    return parse_json(data or b"null")


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"the number {text[:40]} is out of range")
    return number


def parse_json(data: bytes | str, what: str = "the body") -> Any:
    """Request JSON, parsed by the rules of what the repository stores (see
    :mod:`repository.values`): every API's JSON goes through here. Raises ApiError 400
    saying what to fix for text that is not JSON, for ``NaN``, ``Infinity`` and numbers
    out of range, for nesting deeper than the limit, and for strings (keys too) holding
    NUL or an unpaired surrogate such as ``"\\ud800"``."""
    try:
        value = json.loads(data, parse_constant=_refuse_constant, parse_float=_finite_float)
    except RecursionError:
        raise ApiError(400, f"{what} nests objects and arrays too deeply") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise ApiError(400, f"{what} is not valid JSON: {error}") from None
    try:
        check_json(value, "the JSON")
    except InvalidValue as error:
        raise ApiError(400, f"{what} is refused: {error}") from None
    return value


def store_raw_body(*, md5: bool = True) -> tuple[StoredBlob, str]:
    """Stream the raw request body into the blob store; returns the blob and its type.

    ``md5=False`` skips the md5 (see ``BlobStore.put``) for APIs that do not show it.
    """
    if not request.mimetype:
        raise ApiError(415, "send the file's media type in the Content-Type header")
    check_media_type(request.mimetype, "the Content-Type header")
    stream = request.stream
    if request.content_length is not None:
        # Stop at the declared length instead of reading until the stream says it ended:
        # under gunicorn (which sets wsgi.input_terminated) werkzeug caps the stream at
        # MAX_CONTENT_LENGTH and answers a read past that cap with 413, so a body of
        # exactly the limit was read whole and then refused.
        stream = LimitedStream(stream, request.content_length)
    blob = get_repository().blobs.put(
        stream, max_size=current_app.config["MAX_CONTENT_LENGTH"], md5=md5
    )
    return blob, request.mimetype


def store_file(upload: FileStorage, *, md5: bool = True) -> tuple[StoredBlob, str]:
    mime_type = media_type_of(upload)
    check_media_type(mime_type, f"the Content-Type of the part '{upload.name}'")
    blob = get_repository().blobs.put(
        upload.stream, max_size=current_app.config["MAX_CONTENT_LENGTH"], md5=md5
    )
    return blob, mime_type


def check_media_type(value: str, where: str) -> None:
    """Refuse, before any byte is stored, a media type no Content-Type header can carry
    (the repository would refuse it too, after the upload)."""
    why = mediatypes.problem(value)
    if why is not None:
        raise ApiError(400, f"{where}: {why}")


def media_type_of(upload: FileStorage) -> str:
    declared = upload.mimetype
    if declared and declared != "application/octet-stream":
        return declared
    guessed, _ = mimetypes.guess_type(upload.filename or "")
    return guessed or declared or "application/octet-stream"


def form_file(field: str) -> FileStorage | None:
    """The uploaded file in ``field``, or None when the form sends no file at all.

    A form that cannot mean what it seems is a 400 rather than a guess: a text value
    where the file belongs, a file in a field of another name (which would otherwise be
    dropped, and the request taken for something else, e.g. a folder to create), and an
    empty file input (what a browser sends when no file was chosen: no file name, no
    bytes), which is not a 0-byte file.
    """
    upload = request.files.get(field)
    if upload is not None:
        if is_empty_file_input(upload):
            raise ApiError(400, f"the field '{field}' holds no file (no file was chosen): "
                                "choose the file to upload")
        return upload
    if field in request.form:
        raise ApiError(400, f"the field '{field}' must be a file upload (multipart/form-data)")
    others = sorted(set(request.files))
    if others:
        named = ", ".join(f"'{name}'" for name in others)
        raise ApiError(400, f"the form sends a file in the field {named}; send it in the "
                            f"field named '{field}'")
    return None


def is_empty_file_input(upload: FileStorage) -> bool:
    """A file part with neither a file name nor any bytes."""
    if upload.filename:
        return False
    stream = upload.stream
    try:
        position = stream.tell()
        stream.seek(0, io.SEEK_END)
        end = stream.tell()
        stream.seek(position)
    except (AttributeError, OSError, ValueError):
        return False
    return end == 0
