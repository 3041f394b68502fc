"""Sending stored bytes: the one place every API's downloads go through.

What a stored file may do in a browser is decided here, whatever API uploaded it (an
AMS token may upload ``evil.html``; an administrator may open its AEM URL):

- every answer carries ``X-Content-Type-Options: nosniff`` (no guessing a type the
  server did not send) and ``Content-Security-Policy: sandbox`` (a page runs no script
  and has no origin, so no credentials of this server's);
- types a browser would run or render as a document with script (HTML, XHTML, SVG, XML,
  JavaScript, see :func:`is_active`) are sent as attachments (``Content-Disposition:
  attachment``), unless ``SERVE_ACTIVE_CONTENT_INLINE`` is set;
- the file name goes out in RFC 6266's ``filename*=UTF-8''...`` form with an ASCII
  ``filename=`` fallback, so any name (non-ASCII, a quote, even a CR/LF stored by an
  older version) gives a valid header;
- a stored media type that is not a valid one (an older version accepted
  ``text/\\u56fe``) is sent as ``application/octet-stream``: no stored value can make a
  download fail;
- ``Range``: one satisfiable range is a 206 (werkzeug), a range that cannot be satisfied
  a 416; several ranges, a malformed header or an unknown unit are ignored and the whole
  body is sent (200), as RFC 9110 (section 14.2) allows.
"""
from __future__ import annotations

import os
import unicodedata
from datetime import datetime
from typing import Any
from urllib.parse import quote

from flask import Response, current_app, request
from werkzeug.http import parse_range_header
from werkzeug.utils import send_file

from repository.mediatypes import is_media_type

FALLBACK_TYPE = "application/octet-stream"
#: Media types a browser runs, or renders as a document that can run script.
ACTIVE_TYPES = frozenset({
    "text/html", "application/xhtml+xml", "image/svg+xml", "text/xml", "application/xml",
    "text/xsl", "application/xslt+xml", "application/mathml+xml", "application/rdf+xml",
    "text/javascript", "application/javascript", "application/x-javascript",
    "text/ecmascript", "application/ecmascript", "text/jscript", "text/livescript",
    "text/vbscript", "text/x-javascript",
})
#: RFC 5987 attr-char, besides letters and digits: what stays unescaped in filename*.
_ATTR_CHARS = "!#$&+-.^_`|~"


def send_stored(path: str | os.PathLike, *, mime_type: str | None, etag: str,
                last_modified: datetime | None, file_name: str | None) -> Response:
    """The stored file at ``path`` as a response to the current request (conditional,
    with ranges as described above)."""
    mimetype = sendable_type(mime_type)
    environ = _without_ignored_range(request.environ, os.path.getsize(path))
    response = send_file(
        path, environ, mimetype=mimetype, conditional=True, etag=etag,
        last_modified=last_modified, max_age=0,
        use_x_sendfile=current_app.config.get("USE_X_SENDFILE", False),
        response_class=current_app.response_class,
    )
    attachment = is_active(mimetype) and not current_app.config.get(
        "SERVE_ACTIVE_CONTENT_INLINE", False)
    response.headers["Content-Disposition"] = content_disposition(
        file_name, attachment=attachment)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox"
    return response


def sendable_type(mime_type: str | None) -> str:
    """The stored media type when a Content-Type header can carry it, else the fallback."""
    return mime_type if mime_type and is_media_type(mime_type) else FALLBACK_TYPE


def is_active(mime_type: str) -> bool:
    essence = mime_type.split(";", 1)[0].strip().lower()
    return essence in ACTIVE_TYPES or essence.endswith("+xml")


def content_disposition(file_name: str | None, *, attachment: bool) -> str:
    """``inline`` or ``attachment`` with the name in both of RFC 6266's forms."""
    kind = "attachment" if attachment else "inline"
    if not file_name:
        return kind
    encoded = quote(file_name.encode("utf-8", "replace"), safe=_ATTR_CHARS)
    return f"{kind}; filename=\"{ascii_fallback(file_name)}\"; filename*=UTF-8''{encoded}"


def ascii_fallback(file_name: str) -> str:
    """A printable-ASCII stand-in for clients that do not read ``filename*``: accents
    dropped, anything else unsafe in a quoted string (or percent signs, which some
    clients decode) replaced by ``_``."""
    decomposed = unicodedata.normalize("NFKD", file_name)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    safe = "".join(ch if " " <= ch <= "~" and ch not in '"\\%' else "_" for ch in plain)
    return safe.strip() or "download"


def _without_ignored_range(environ: dict[str, Any], size: int) -> dict[str, Any]:
    """The WSGI environment for werkzeug's conditional handling: without ``Range`` when
    the header is to be ignored (werkzeug would answer 416 to all of these)."""
    header = environ.get("HTTP_RANGE")
    if header is None:
        return environ
    parsed = parse_range_header(header)
    if parsed is not None and parsed.units == "bytes":
        if len(parsed.ranges) == 1:
            return environ  # werkzeug: 206, or 416 when it cannot be satisfied
        if not any(_satisfiable(start, size) for start, _stop in parsed.ranges):
            return environ  # none can be satisfied: 416
    return {key: value for key, value in environ.items() if key != "HTTP_RANGE"}


def _satisfiable(start: int, size: int) -> bool:
    return size > 0 if start < 0 else start < size  # start < 0: a suffix range
