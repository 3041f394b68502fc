"""The AMS OpenAPI document at /v1/openapi.json: valid, and with schemas for the request
and every response."""
from __future__ import annotations

from typing import Any

import pytest

from .helpers import ASSET_FIELDS


@pytest.fixture
def document(client) -> dict[str, Any]:
    response = client.get("/v1/openapi.json")  # anonymous
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def resolve(document: dict, node: dict) -> dict:
    while "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/"), ref
        target: Any = document
        for part in ref[2:].split("/"):
            assert part in target, f"dangling $ref {ref}"
            target = target[part]
        node = target
    return node


def json_schema(document: dict, response: dict) -> dict:
    response = resolve(document, response)
    return resolve(document, response["content"]["application/json"]["schema"])


def all_refs(node: Any):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from all_refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from all_refs(item)


def test_document_is_openapi_3_0_3_with_title_and_version(document):
    assert document["openapi"] == "3.0.3"
    assert document["info"]["title"]
    assert document["info"]["version"] == "v1"


def test_document_lists_the_operations_under_v1_and_the_root(document):
    paths = document["paths"]
    for prefix in ("/v1", ""):
        assert "post" in paths[f"{prefix}/assets"]
        assert "get" in paths[f"{prefix}/assets/{{asset_id}}"]
        assert "get" in paths[f"{prefix}/images/{{asset_id}}"]
    assert "get" in paths["/v1/files/{filename}"]
    assert not any(path.startswith("/api") for path in paths), "AEM routes leaked in"
    operation_ids = [op["operationId"] for item in paths.values()
                     for method, op in item.items() if method != "parameters"]
    assert len(operation_ids) == len(set(operation_ids))


def test_every_ref_resolves(document):
    for ref in all_refs(document):
        resolve(document, {"$ref": ref})


def test_upload_request_is_multipart_with_a_binary_file_part(document):
    for path in ("/v1/assets", "/assets"):
        operation = document["paths"][path]["post"]
        body = operation["requestBody"]
        schema = resolve(document, body["content"]["multipart/form-data"]["schema"])
        assert schema["properties"]["Filename"] == {**schema["properties"]["Filename"],
                                                    "type": "string", "format": "binary"}
        assert operation["security"] == [{"bearerAuth": []}]
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_created_asset_schema_has_every_field_and_success(document):
    schema = json_schema(document, document["paths"]["/v1/assets"]["post"]["responses"]["201"])
    assert set(schema["properties"]) == ASSET_FIELDS | {"success"}
    assert schema["properties"]["success"]["type"] == "boolean"
    assert schema["properties"]["width"]["type"] == "integer"
    assert schema["properties"]["width"]["nullable"] is True


def test_asset_schema_has_every_field_and_no_success(document):
    schema = json_schema(document,
                         document["paths"]["/v1/assets/{asset_id}"]["get"]["responses"]["200"])
    assert set(schema["properties"]) == ASSET_FIELDS


@pytest.mark.parametrize("path, method, statuses", [
    ("/v1/assets", "post", ("400", "401", "413")),
    ("/v1/assets/{asset_id}", "get", ("404",)),
    ("/v1/images/{asset_id}", "get", ("400", "404")),
    ("/v1/files/{filename}", "get", ("404",)),
])
def test_error_responses_use_the_message_schema(document, path, method, statuses):
    responses = document["paths"][path][method]["responses"]
    for status in statuses:
        schema = json_schema(document, responses[status])
        assert schema["properties"] == {"message": {**schema["properties"]["message"],
                                                    "type": "string"}}
        assert schema["required"] == ["message"]


def test_images_documents_the_303_and_its_location(document):
    response = document["paths"]["/v1/images/{asset_id}"]["get"]["responses"]["303"]
    assert "Location" in response["headers"]


def test_document_passes_the_openapi_spec_validator(document):
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(document)
