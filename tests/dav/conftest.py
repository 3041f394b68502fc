"""Fixtures for the WebDAV tests: an app, and a client that speaks WebDAV to /dav/."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

import pytest

from repository import ASSET, FOLDER

D = "{DAV:}"


@dataclass
class PropStat:
    """One resource of a multistatus answer: its properties by status."""

    href: str
    found: dict[str, ET.Element]
    missing: dict[str, str]


class Dav:
    """The Flask test client with credentials, and WebDAV helpers."""

    def __init__(self, app, headers: dict[str, str]) -> None:
        self.app = app
        self.client = app.test_client()
        self.headers = headers
        self.repository = app.extensions["repository"]

    def request(self, method: str, path: str, *, headers=None, data=None, auth: bool = True):
        sent = {**(self.headers if auth else {}), **(headers or {})}
        return self.client.open(path, method=method, headers=sent, data=data)

    def propfind(self, path: str, depth: str = "1", body: str | None = None,
                 headers=None) -> dict[str, PropStat]:
        response = self.request("PROPFIND", path, headers={"Depth": depth, **(headers or {})},
                                data=body)
        assert response.status_code == 207, response.get_data(as_text=True)
        return parse_multistatus(response.get_data())

    def names(self, path: str) -> list[str]:
        """Hrefs of a folder's members (Depth 1, without the folder itself)."""
        found = self.propfind(path)
        return sorted(href for href in found if href.rstrip("/") != path.rstrip("/"))

    def make(self, *paths: str, data: bytes = b"bytes") -> None:
        """Folders (ending in /) and assets, made directly in the repository."""
        blob = self.repository.blobs.put_bytes(data)
        for text in paths:
            path = tuple(text.strip("/").split("/"))
            if text.endswith("/"):
                self.repository.create(path, FOLDER)
            else:
                self.repository.create(path, ASSET, blob=blob, mime_type="text/plain")


def parse_multistatus(body: bytes) -> dict[str, PropStat]:
    found: dict[str, PropStat] = {}
    for response in ET.fromstring(body).iter(f"{D}response"):
        stat = PropStat(response.findtext(f"{D}href"), {}, {})
        for propstat in response.iter(f"{D}propstat"):
            status = propstat.findtext(f"{D}status").split(" ", 2)[1]
            for prop in propstat.find(f"{D}prop"):
                if status == "200":
                    stat.found[prop.tag] = prop
                else:
                    stat.missing[prop.tag] = status
        found[stat.href] = stat
    return found


def prop_body(*names: str) -> str:
    """A PROPFIND body asking for ``names`` (Clark notation)."""
    props = "".join(f'<x:{n.split("}")[1]} xmlns:x="{n[1:].split("}")[0]}"/>' for n in names)
    return f'<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop>{props}</D:prop></D:propfind>'


@pytest.fixture
def dav(app, token_auth) -> Dav:
    return Dav(app, token_auth)


@pytest.fixture
def dav_for(app):
    """A Dav client for a user with a token (``scopes=`` narrows it)."""

    def make(user: str, **token_options) -> Dav:
        token = app.extensions["accounts"].create_token(user, **token_options)
        return Dav(app, {"Authorization": f"Bearer {token}"})

    return make
