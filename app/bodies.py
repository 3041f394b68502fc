"""Request bodies arrive whole or count as not sent: nothing is stored from a cut-off body.

WSGI servers disagree on what a body that ends early looks like to the application.
Flask's development server raises when a ``Content-Length`` body stops short; gunicorn
hands the application a short body whose end looks like any other, and raises its own
exception classes (not ``OSError``) for a broken chunked encoding. An upload then read
"to the end" would store the fragment as the whole file, and a PUT would replace a good
original with it.

So every request's ``wsgi.input`` is wrapped (:class:`CheckedInput`, installed by
:func:`init_app` as WSGI middleware) before any code reads it:

- a body that ends before its ``Content-Length`` raises :class:`IncompleteBody`;
- any failure of the server's own reading (a chunked body that stops before its last
  chunk, a chunk size that is no number, a chunk longer than it says) raises
  :class:`MalformedBody`.

Both are ``400 Bad Request`` (werkzeug ``HTTPException``), so every API answers them in its
own error shape, and the blob store, which streams into a temporary file, keeps nothing
when its read raises. Multipart and URL-encoded forms are parsed strictly
(:class:`StrictFormDataParser`): werkzeug's default parser answers a malformed or
truncated form with an empty one, which the AEM API would take for a folder to create.
"""
from __future__ import annotations

import io
from typing import Any, Callable, Iterable

from flask import Flask
from flask import Request as FlaskRequest
from werkzeug.exceptions import BadRequest, HTTPException
from werkzeug.formparser import FormDataParser


class IncompleteBody(BadRequest):
    """The body ended before the length its ``Content-Length`` announced."""


class MalformedBody(BadRequest):
    """The server could not read the body: a broken chunked encoding, a broken form."""


class CheckedInput(io.RawIOBase):
    """``wsgi.input`` that raises instead of ending early (see the module docstring).

    ``declared`` is the ``Content-Length`` (None for a chunked body, whose end the server
    finds). Never reads past ``declared``.
    """

    def __init__(self, stream: Any, declared: int | None) -> None:
        self._stream = stream
        self.declared = declared
        self.received = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        if self.declared is not None:
            view = view[: self.declared - self.received]
        if not len(view):
            return 0
        try:
            count = self._read(view)
        except HTTPException:
            raise
        except Exception as error:  # each server has its own classes for a broken body
            raise MalformedBody(
                f"the request body could not be read ({_describe(error)}); nothing was "
                "stored: send the whole body, with a valid chunked encoding if it is chunked"
            ) from error
        if count == 0 and self.declared is not None:
            raise IncompleteBody(
                f"the request body ended after {self.received} of the {self.declared} bytes "
                "its Content-Length announced; nothing was stored: send the whole body")
        self.received += count
        return count

    def _read(self, view: memoryview) -> int:
        # A memoryview cannot be resized: a reader that would shrink a bytearray it was
        # given (werkzeug's DechunkedInput at a cut-off chunk) raises instead.
        readinto = getattr(self._stream, "readinto", None)
        if readinto is not None:
            return readinto(view) or 0
        data = self._stream.read(len(view))
        view[: len(data)] = data
        return len(data)


def _describe(error: Exception) -> str:
    text = str(error).strip() or type(error).__name__
    return text if len(text) <= 200 else text[:200] + "..."


class CheckedBodies:
    """WSGI middleware: wraps ``wsgi.input`` of requests that carry a body."""

    def __init__(self, app: Callable) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        declared = _content_length(environ)
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if (declared or chunked) and environ.get("wsgi.input") is not None:
            environ["wsgi.input"] = CheckedInput(environ["wsgi.input"],
                                                 None if chunked else declared)
        return self.app(environ, start_response)


def _content_length(environ: dict[str, Any]) -> int | None:
    try:
        value = int(environ.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None
    return value if value >= 0 else None


class StrictFormDataParser(FormDataParser):
    """A form body that cannot be parsed is a 400, never an empty form."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["silent"] = False
        super().__init__(*args, **kwargs)

    def parse(self, stream, mimetype, content_length, options=None):  # type: ignore[override]
        try:
            return super().parse(stream, mimetype, content_length, options)
        except ValueError as error:
            raise MalformedBody(f"the form body is malformed ({_describe(error)}); nothing "
                                "was stored: send a well-formed form") from error


class Request(FlaskRequest):
    form_data_parser_class = StrictFormDataParser


def init_app(app: Flask) -> None:
    app.request_class = Request
    app.wsgi_app = CheckedBodies(app.wsgi_app)  # type: ignore[method-assign]
