"""Shared by the Emporix Media tests: tokens, requests that make assets, the vendor's schemas."""
from __future__ import annotations

import io
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

#: The repository root is tests/emporix/../..; the shared specs sit next to it.
SPEC = (Path(__file__).resolve().parents[2] / ".." / "shared" / "spec" /
        "emporix-media-api.yml").resolve()
TENANT = "mytenant"
MANAGE = "media.asset_manage"
READ = "media.asset_read"


@lru_cache(maxsize=1)
def _load_vendor_document() -> dict[str, Any] | None:
    return yaml.safe_load(SPEC.read_text()) if SPEC.is_file() else None


def vendor_document() -> dict[str, Any]:
    document = _load_vendor_document()
    if document is None:
        pytest.skip(f"the vendor's OpenAPI document is missing at {SPEC} "
                    "(expected in shared/spec/ next to the repository)")
    return document


def validate(instance: Any, schema_name: str) -> None:
    """Validate against a component schema of the vendor's document.

    Without the document (a checkout without shared/spec) this checks nothing, so that
    the behaviour the calling test asserts is still checked; the schema tests of
    test_openapi.py skip then, saying why.
    """
    document = _load_vendor_document()
    if document is None:
        return
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": document["components"]}
    jsonschema.Draft4Validator(schema).validate(instance)


def vendor_properties(schema_name: str) -> dict[str, Any]:
    """Every property a vendor component defines, allOf parts included."""
    return flatten(vendor_document()["components"]["schemas"][schema_name])


def flatten(schema: dict[str, Any]) -> dict[str, Any]:
    schemas = vendor_document()["components"]["schemas"]
    if "$ref" in schema:
        return flatten(schemas[schema["$ref"].rsplit("/", 1)[1]])
    found: dict[str, Any] = {}
    for part in schema.get("allOf", []):
        found.update(flatten(part))
    found.update(schema.get("properties", {}))
    return found


def assert_vendor_fields(body: dict[str, Any], schema_name: str) -> None:
    """Every field we return is one the vendor defines (at the top and one level down);
    nothing to check without the vendor's document (see :func:`validate`)."""
    if _load_vendor_document() is None:
        return
    known = vendor_properties(schema_name)
    assert set(body) <= set(known), set(body) - set(known)
    for name in ("details", "metadata"):
        if name in body:
            nested = flatten(known[name])
            assert set(body[name]) <= set(nested), set(body[name]) - set(nested)


def bearer(app, *scopes: str, tenant: str | None = TENANT) -> dict[str, str]:
    token = app.extensions["accounts"].create_token("admin", scopes=scopes, tenant=tenant)
    return {"Authorization": f"Bearer {token}"}


def blob_form(body: dict[str, Any], data: bytes = b"hello", filename: str = "hello.txt",
              content_type: str = "text/plain") -> dict[str, Any]:
    return {"file": (io.BytesIO(data), filename, content_type), "body": json.dumps(body)}


def create_blob(client, headers, tenant: str = TENANT, data: bytes = b"hello",
                **fields: Any) -> str:
    body = {"type": "BLOB", "access": "PRIVATE", **fields}
    response = client.post(f"/media/{tenant}/assets", headers=headers,
                           data=blob_form(body, data))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def create_link(client, headers, tenant: str = TENANT, **fields: Any) -> str:
    body = {"type": "LINK", "access": "PUBLIC", "url": "https://example.com/a.html", **fields}
    response = client.post(f"/media/{tenant}/assets", headers=headers, json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def error_body(response) -> dict[str, Any]:
    body = response.get_json()
    validate(body, "errorMessage")
    return body
