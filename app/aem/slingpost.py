"""Sling's answer to a form POST, which its servlets (and Granite's, built on them) send.

Two shapes carry the same fields:

- HTML: a page whose elements have fixed ids, ``Status``, ``Message``, ``Location``,
  ``ParentLocation``, ``Path``, ``Referer`` and ``ChangeLog``. Tools read them out of it
  (aem-cmd parses the page as XML and takes the text of ``<div id="Path">``), so the page
  is well-formed XML and every value is escaped.
- JSON: ``status.code``, ``status.message``, ``title``, ``path``, ``location``,
  ``parentLocation``, ``referer``, ``changes`` (``[{"type": "modified", "argument": ...}]``),
  ``isCreate`` after a create, and ``error`` (``{"class", "message"}``) after a failure.

Which shape: the ``:accept`` parameter if sent, else an ``Accept`` header that prefers one
of the two outright, else the request's extension (``.json`` → JSON), else HTML. (Sling
lets a wildcard ``Accept: */*``, which curl and requests send, choose HTML even for
``.json``; here the extension decides then, as a caller naming ``.json`` expects.)
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from flask import Response, current_app, request
from markupsafe import escape
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

HTML = "text/html"
JSON = "application/json"

#: The JCR exception Sling names in ``error.class`` for each status we answer with.
ERROR_CLASSES = {
    400: "javax.jcr.RepositoryException",
    401: "javax.jcr.LoginException",
    403: "javax.jcr.AccessDeniedException",
    404: "org.apache.sling.api.resource.ResourceNotFoundException",
    405: "javax.jcr.UnsupportedRepositoryOperationException",
    409: "javax.jcr.ItemExistsException",
    413: "javax.jcr.RepositoryException",
    415: "javax.jcr.RepositoryException",
}

_PAGE = """<html>
<head>
<title>{title}</title>
</head>
<body>
<h1>{title}</h1>
<table>
<tbody>
<tr><td>Status</td><td><div id="Status">{status}</div></td></tr>
<tr><td>Message</td><td><div id="Message">{message}</div></td></tr>
<tr><td>Location</td><td><a href="{location}" id="Location">{location}</a></td></tr>
<tr><td>Parent Location</td><td><a href="{parent}" id="ParentLocation">{parent}</a></td></tr>
<tr><td>Path</td><td><div id="Path">{path}</div></td></tr>
<tr><td>Referer</td><td><div id="Referer">{referer}</div></td></tr>
<tr><td>ChangeLog</td><td><div id="ChangeLog">{changelog}</div></td></tr>
</tbody>
</table>
<p><a href="{location}">Modified Resource</a></p>
<p><a href="{parent}">Parent of Modified Resource</a></p>
</body>
</html>
"""


def parent_of(path: str) -> str | None:
    """The parent of a Sling resource path (``/content/dam/a`` → ``/content/dam``)."""
    if path in ("", "/"):
        return None
    head = path.rstrip("/").rsplit("/", 1)[0]
    return head or "/"


@dataclass
class PostResponse:
    """What a POST did to the resource at ``path`` (a Sling path such as
    ``/content/dam/photos`` or ``/home/users/a/alice``)."""

    path: str
    status: int = 200
    message: str = "OK"
    created: bool = False
    #: (type, arguments): ``("modified", ("alice",))``
    changes: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    #: The JCR exception class and message of a failure.
    error: tuple[str, str] | None = None

    @classmethod
    def failure(cls, path: str, status: int, message: str,
                error_class: str | None = None) -> "PostResponse":
        return cls(path, status, message,
                   error=(error_class or ERROR_CLASSES.get(status, ERROR_CLASSES[400]), message))

    def changed(self, kind: str, *arguments: str) -> "PostResponse":
        self.changes.append((kind, arguments))
        return self

    @property
    def title(self) -> str:
        if self.error is not None:
            return f"Error while processing {self.path}"
        return f"Content {'created' if self.created else 'modified'} {self.path}"

    def to_dict(self) -> dict:
        body: dict = {
            "status.code": self.status,
            "status.message": self.message,
            "title": self.title,
            "path": self.path,
            "location": self.path,
            "parentLocation": parent_of(self.path),
            "referer": request.headers.get("Referer", ""),
            "changes": [] if self.error else [
                {"type": kind, "argument": args[0] if len(args) == 1 else list(args)}
                if args else {"type": kind}
                for kind, args in self.changes
            ],
        }
        if self.created:
            body["isCreate"] = True
        if self.error is not None:
            body["error"] = {"class": self.error[0], "message": self.error[1]}
        return body

    def to_html(self) -> str:
        changelog = "<pre>" + "".join(
            f"{kind}({', '.join(json.dumps(arg, ensure_ascii=False) for arg in args)});<br/>"
            for kind, args in ([] if self.error else self.changes)) + "</pre>"
        return _PAGE.format(
            title=escape(self.title), status=self.status, message=escape(self.message),
            location=escape(self.path), parent=escape(parent_of(self.path) or ""),
            path=escape(self.path), referer=escape(request.headers.get("Referer", "")),
            changelog=escape(changelog),
        )

    def send(self, default: str = HTML) -> Response:
        """The response, shaped as the request asks (see the module docstring)."""
        if preferred_type(default) == JSON:
            response = current_app.response_class(
                json.dumps(self.to_dict(), ensure_ascii=False), status=self.status,
                mimetype=JSON)
        else:
            response = current_app.response_class(self.to_html(), status=self.status,
                                                  mimetype=HTML)
        if self.status == 201:
            response.headers["Location"] = self.path
        return response


def preferred_type(default: str) -> str:
    """HTML or JSON, as the request prefers; ``default`` comes from its extension."""
    header = request.values.get(":accept", "").strip() or request.headers.get("Accept", "")
    # Only types named outright count: a wildcard leaves the choice to the extension.
    named = {value: quality for value, quality in parse_accept_header(header, MIMEAccept)}
    html, as_json = named.get(HTML), named.get(JSON)
    if as_json is not None and (html is None or as_json > html):
        return JSON
    if html is not None and (as_json is None or html > as_json):
        return HTML
    return default
