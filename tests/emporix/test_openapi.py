"""The OpenAPI document at /media/openapi.json: valid, and agreeing with the vendor's
document for every field the vendor defines."""
from __future__ import annotations

from typing import Any

import pytest
from openapi_spec_validator import validate as validate_spec

from .helpers import flatten, vendor_document

#: vendor component → ours, where the name differs
NAMES = {"errorMessage": "ErrorMessage"}
#: Deliberate differences: the vendor types the file part as an object of format binary,
#: which OpenAPI 3.0 does not define for uploads; ours is the standard string/binary.
DIFFERENT = {("AssetCreateMultipart", "file"): "string", ("AssetUpdateMultipart", "file"): "string"}
#: The vendor's components (``Asset`` is only a part of the others, checked through them).
COMPARED = ["RefId", "MetadataCreate", "MetadataUpdate", "MetadataGet",
            "AssetDetailsCreate", "AssetDetailsGet", "AssetCreateLink", "AssetCreateBlob",
            "AssetUpdateLink", "AssetUpdateBlob", "AssetCreateMultipart",
            "AssetUpdateMultipart", "GetAsset", "errorMessage"]




@pytest.fixture
def ours(client) -> dict[str, Any]:
    response = client.get("/media/openapi.json")  # anonymous
    assert response.status_code == 200
    return response.get_json()


def resolve(document: dict, node: dict) -> dict:
    while "$ref" in node:
        node = document["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def our_properties(document: dict, name: str) -> dict[str, Any]:
    schema = document["components"]["schemas"][name]
    found: dict[str, Any] = {}
    for part in schema.get("allOf", []):
        found.update(resolve(document, part).get("properties", {}))
    found.update(schema.get("properties", {}))
    return found


def test_document_is_valid_openapi(ours):
    validate_spec(ours)
    assert ours["info"]["title"] == "Emporix Media Service"


def test_every_vendor_operation_is_there_with_its_operation_id(ours):
    vendor = vendor_document()
    for path, operations in vendor["paths"].items():
        mine = ours["paths"][path]
        for method, operation in operations.items():
            if method == "parameters":
                continue
            assert mine[method]["operationId"] == operation["operationId"]
            for status in operation["responses"]:
                if status != "500":
                    assert status in mine[method]["responses"], (path, method, status)


@pytest.mark.parametrize("name", COMPARED)
def test_our_schemas_define_every_vendor_field_with_its_type(ours, name):
    vendor_fields = flatten(vendor_document()["components"]["schemas"][name])
    mine = our_properties(ours, NAMES.get(name, name))
    assert set(vendor_fields) - {"vendorId"} <= set(mine), set(vendor_fields) - set(mine)
    for field, spec in vendor_fields.items():
        if field not in mine:
            continue
        vendor_field = flatten(spec) if "$ref" in spec or "allOf" in spec else spec
        our_field = resolve(ours, mine[field])
        if "allOf" in our_field and len(our_field["allOf"]) == 1:
            our_field = resolve(ours, our_field["allOf"][0])
        if "type" in spec:
            expected = DIFFERENT.get((name, field), spec["type"])
            assert our_field.get("type") == expected, (name, field)
        if "enum" in spec:
            assert sorted(our_field.get("enum", [])) == sorted(spec["enum"]), (name, field)
        if isinstance(vendor_field, dict) and spec.get("$ref"):
            nested_ours = our_field.get("properties", {})
            assert set(vendor_field) <= set(nested_ours), (name, field)


def test_required_fields_agree(ours):
    schemas = vendor_document()["components"]["schemas"]
    for name in ("AssetCreateLink", "AssetCreateBlob", "AssetUpdateLink", "AssetUpdateBlob",
                 "AssetCreateMultipart", "RefId"):
        vendor_required = set(schemas[name].get("required", []))
        assert vendor_required <= set(ours["components"]["schemas"][name].get("required", []))
