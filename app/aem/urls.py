"""Absolute URLs of repository paths in the AEM API, built from the request's host."""
from __future__ import annotations

from urllib.parse import quote, urlencode

from flask import request

from repository.paths import RepoPath

API_ROOT = "/api/assets"
SERVICE_DOCUMENT = "/api.json"


def _base() -> str:
    return request.host_url.rstrip("/")


def _quoted(path: RepoPath) -> str:
    return "".join("/" + quote(name, safe="!$&'()*+,;=:@") for name in path)


def resource(path: RepoPath, *extra: str) -> str:
    """The URL of a resource for writes and actions (no ``.json``)."""
    return _base() + API_ROOT + _quoted(path + tuple(extra))


def entity(path: RepoPath, query: dict | None = None) -> str:
    """The URL of a node's Siren representation (ends in ``.json``)."""
    url = _base() + API_ROOT + _quoted(path) + ".json"
    return url + "?" + urlencode(query) if query else url


def parent_entity(path: RepoPath) -> str:
    return service_document() if not path else entity(path[:-1])


def service_document() -> str:
    return _base() + SERVICE_DOCUMENT


def rendition(asset_path: RepoPath, name: str) -> str:
    return resource(asset_path, "renditions", name)


def comment(asset_path: RepoPath, name: str) -> str:
    return resource(asset_path, "comments", name) + ".json"
