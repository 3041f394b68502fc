"""Helpers for the AEM HTTP tests: an authenticated client that checks every JSON answer
against the official Siren schema, and small builders that go through HTTP only."""
from __future__ import annotations

import hashlib
import io
import json
import os
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import quote

#: The repository root is tests/aem/../..; the shared specs sit next to it.
#: The official Siren JSON Schema (MIT, see schema/LICENSE), kept with the tests so that
#: every run validates against it.
SIREN_SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "siren.schema.json"
HOST = "http://localhost"
API = "/api/assets"


def load_siren_validator():
    """A Draft-4 validator for the official Siren schema (no format checking), or None."""
    if not SIREN_SCHEMA_PATH.is_file():
        return None
    from jsonschema import Draft4Validator

    schema = json.loads(SIREN_SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft4Validator.check_schema(schema)
    return Draft4Validator(schema)  # no format_checker: "format" is not enforced


def assert_valid_siren(validator, document: Any, context: str = "") -> None:
    from jsonschema.exceptions import best_match

    errors = list(validator.iter_errors(document))
    if errors:
        best = best_match(errors)
        raise AssertionError(
            f"{context}: not a valid Siren entity: {best.message} at "
            f"{'/'.join(map(str, best.absolute_path))}\n{json.dumps(document, indent=1)[:3000]}"
        )


#: Response bodies already found valid (see Api.open).
_VALID_BODIES: set[bytes] = set()


class Api:
    """Wraps the Flask test client: adds credentials and, when the Siren schema is
    available, validates every JSON response body against it."""

    def __init__(self, client, auth: dict[str, str] | None, validator) -> None:
        self.client = client
        self.auth = auth or {}
        self.validator = validator

    def open(self, method: str, path: str, *, auth: bool = True, headers=None, **kwargs):
        sent = dict(self.auth) if auth else {}
        sent.update(headers or {})
        response = self.client.open(path, method=method, headers=sent, **kwargs)
        if self.validator is not None and response.mimetype == "application/json" and response.data:
            # Validation costs about as much as the request; identical bodies (snapshots
            # taken before and after a refused request) are checked once.
            if response.data not in _VALID_BODIES:
                assert_valid_siren(self.validator, response.get_json(), f"{method} {path}")
                if len(_VALID_BODIES) < 50_000:
                    _VALID_BODIES.add(response.data)
        return response

    def get(self, path, **kw):
        return self.open("GET", path, **kw)

    def head(self, path, **kw):
        return self.open("HEAD", path, **kw)

    def post(self, path, **kw):
        return self.open("POST", path, **kw)

    def put(self, path, **kw):
        return self.open("PUT", path, **kw)

    def delete(self, path, **kw):
        return self.open("DELETE", path, **kw)

    def copy(self, path, destination: str | None = None, headers=None, **kw):
        sent = dict(headers or {})
        if destination is not None:
            sent["X-Destination"] = destination
        return self.open("COPY", path, headers=sent, **kw)

    def move(self, path, destination: str | None = None, headers=None, **kw):
        sent = dict(headers or {})
        if destination is not None:
            sent["X-Destination"] = destination
        return self.open("MOVE", path, headers=sent, **kw)

    # -- builders ---------------------------------------------------------------------

    def make_folder(self, path: str, **properties) -> None:
        response = self.post(url(path), json={"class": "assetFolder", "properties": properties})
        assert response.status_code == 201, response.get_data(as_text=True)

    def make_asset(self, path: str, data: bytes = b"\x89PNG fake image bytes",
                   mime: str = "image/png") -> None:
        response = self.post(url(path), data=data, content_type=mime)
        assert response.status_code == 201, response.get_data(as_text=True)

    def make_rendition(self, asset: str, name: str, data: bytes = b"rendition bytes",
                       mime: str = "image/png") -> None:
        response = self.post(url(asset) + "/renditions/" + quote(name), data=data,
                             content_type=mime)
        assert response.status_code == 201, response.get_data(as_text=True)

    def entity(self, path: str, **kw) -> dict:
        response = self.get(json_url(path), **kw)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()

    def child_names(self, path: str, limit: int = 20) -> list[str]:
        """Every child name of a folder, following ``next`` links."""
        return [entity["properties"]["name"] for entity in self.iter_children(path, limit)]

    def iter_children(self, path: str, limit: int = 1000) -> Iterator[dict]:
        """Every child entity of a folder (but the root's mount folders), page by page."""
        href: str | None = json_url(path) + f"?limit={limit}"
        seen_pages = 0
        while href is not None:
            response = self.get(href)
            assert response.status_code == 200, response.get_data(as_text=True)
            body = response.get_json()
            yield from children(body)
            href = link(body, "next")
            seen_pages += 1
            assert seen_pages < 10_000, "next links never end"

    def bytes_of(self, asset: str, rendition: str = "original") -> bytes:
        response = self.get(url(asset) + "/renditions/" + quote(rendition))
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.data

    def snapshot(self, path: str = "") -> dict[str, Any]:
        """The whole tree below ``path`` as seen through HTTP (one GET per node): what a
        refused request must leave exactly as it was."""
        out: dict[str, Any] = {}
        href: str | None = json_url(path) + "?limit=1000"
        entities: list[dict] = []
        body: dict = {}
        while href is not None:
            response = self.get(href)
            assert response.status_code == 200, (path, response.get_data(as_text=True))
            body = response.get_json()
            entities += body.get("entities", [])
            href = link(body, "next")
        properties = dict(body.get("properties", {}))
        properties.pop("srn:paging", None)
        out[path or "/"] = (
            json.dumps(body.get("class"), sort_keys=True),
            json.dumps(properties, sort_keys=True),
            sorted(json.dumps([e.get("class"), e.get("properties")], sort_keys=True)
                   for e in entities),
        )
        if "assets/folder" in body.get("class", []):
            for child in entities:
                out.update(self.snapshot(f"{path}/{child['properties']['name']}"))
        return out


def url(path: str) -> str:
    """``/a/b`` → ``/api/assets/a/b`` (segments percent-encoded)."""
    segments = [quote(s, safe="") for s in path.strip("/").split("/") if s]
    return API + "".join("/" + s for s in segments)


def json_url(path: str) -> str:
    return API + ".json" if not path.strip("/") else url(path) + ".json"


def link(body: dict, rel: str) -> str | None:
    for item in body.get("links", []):
        if rel in item["rel"]:
            return item["href"]
    return None


def links(body: dict, rel: str) -> list[str]:
    return [item["href"] for item in body.get("links", []) if rel in item["rel"]]


def action(body: dict, name: str) -> dict:
    for item in body.get("actions", []):
        if item["name"] == name:
            return item
    raise AssertionError(f"no action {name!r} in {[a['name'] for a in body.get('actions', [])]}")


#: Folders the flat-ID APIs make at the root at start-up (app.mounts).
MOUNT_HREFS = {f"http://localhost/api/assets/{name}.json" for name in ("ams", "emporix", "projects")}


def children(body: dict, cls: str | None = None) -> list[dict]:
    """A listing's child entities, without the flat APIs' mount folders at the root."""
    return [e for e in body.get("entities", []) if (cls is None or cls in e.get("class", []))
            and not {link["href"] for link in e.get("links", [])} & MOUNT_HREFS]


def message(response) -> str:
    """The status message of a core/response body."""
    body = response.get_json()
    assert body is not None, f"expected a JSON body, got {response.data[:200]!r}"
    assert body["class"] == ["core/response"], body
    text = body["properties"]["status.message"]
    assert isinstance(text, str) and text.strip(), body
    return text


def blob_files(blob_root: str | os.PathLike) -> set[str]:
    """Relative paths of the blob files on disk, leaving out ``tmp/``."""
    root = Path(blob_root)
    if not root.exists():
        return set()
    found = set()
    for file in root.rglob("*"):
        relative = file.relative_to(root)
        if file.is_file() and relative.parts[0] != "tmp":
            found.add(str(relative))
    return found


def tmp_files(blob_root: str | os.PathLike) -> list[str]:
    tmp = Path(blob_root) / "tmp"
    return [p.name for p in tmp.iterdir()] if tmp.exists() else []


def multipart_file(data: bytes, filename: str, mime: str | None = None):
    if mime is None:
        return (io.BytesIO(data), filename)
    return (io.BytesIO(data), filename, mime)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
