"""Every /api route needs credentials: HTTP Basic or a Bearer token; without them 401 with a
WWW-Authenticate challenge, and nothing happens."""
from __future__ import annotations

import base64
import io

import pytest

from ..conftest import ADMIN_PASSWORD, basic
from .helpers import json_url, message, url


@pytest.fixture
def tree(api):
    api.make_folder("f")
    api.make_asset("f/a.png", b"secret bytes", "image/png")
    api.make_rendition("f/a.png", "web", b"web", "image/png")
    response = api.post(url("f/a.png") + "/comments/*", data={"message": "hi"})
    return {"comment": response.headers["Location"]}


#: (method, path, request arguments) for every route and method of the AEM API.
ROUTES = {
    "GET service document": ("GET", "/api.json", {}),
    "HEAD service document": ("HEAD", "/api.json", {}),
    "GET root json": ("GET", "/api/assets.json", {}),
    "HEAD root json": ("HEAD", "/api/assets.json", {}),
    "GET root": ("GET", "/api/assets", {}),
    "GET folder": ("GET", "/api/assets/f.json", {}),
    "HEAD folder": ("HEAD", "/api/assets/f.json", {}),
    "GET missing": ("GET", "/api/assets/missing.json", {}),
    "GET asset": ("GET", "/api/assets/f/a.png.json", {}),
    "GET original": ("GET", "/api/assets/f/a.png/renditions/original", {}),
    "HEAD original": ("HEAD", "/api/assets/f/a.png/renditions/original", {}),
    "GET rendition": ("GET", "/api/assets/f/a.png/renditions/web", {}),
    "POST folder json": ("POST", "/api/assets/f/new", {"json": {"class": "assetFolder"}}),
    "POST folder form": ("POST", "/api/assets/f/*", {"data": {"name": "new"}}),
    "POST root form": ("POST", "/api/assets/*", {"data": {"name": "new"}}),
    "POST asset raw": ("POST", "/api/assets/f/new.png",
                       {"data": b"x", "content_type": "image/png"}),
    "POST asset multipart": ("POST", "/api/assets/f/*",
                             {"data": {"file": (io.BytesIO(b"x"), "new.png")}}),
    "POST rendition": ("POST", "/api/assets/f/a.png/renditions/new",
                       {"data": b"x", "content_type": "image/png"}),
    "POST comment": ("POST", "/api/assets/f/a.png/comments/*", {"data": {"message": "m"}}),
    "PUT binary": ("PUT", "/api/assets/f/a.png", {"data": b"x", "content_type": "image/png"}),
    "PUT metadata": ("PUT", "/api/assets/f/a.png",
                     {"json": {"class": "asset", "properties": {"dc:title": "x"}}}),
    "PUT rendition": ("PUT", "/api/assets/f/a.png/renditions/web",
                      {"data": b"x", "content_type": "image/png"}),
    "DELETE folder": ("DELETE", "/api/assets/f", {}),
    "DELETE asset": ("DELETE", "/api/assets/f/a.png", {}),
    "DELETE rendition": ("DELETE", "/api/assets/f/a.png/renditions/web", {}),
    "DELETE root": ("DELETE", "/api/assets", {}),
    "COPY": ("COPY", "/api/assets/f", {"headers": {"X-Destination": "/api/assets/g"}}),
    "MOVE": ("MOVE", "/api/assets/f", {"headers": {"X-Destination": "/api/assets/g"}}),
    "COPY without destination": ("COPY", "/api/assets/f", {}),
    "bad path": ("GET", "/api/assets/f/../x.json", {}),
}


def assert_challenge(response) -> None:
    assert response.status_code == 401
    challenge = response.headers.get("WWW-Authenticate", "")
    assert "Basic" in challenge
    assert "Bearer" in challenge


def test_every_route_without_credentials_is_401_with_a_challenge(api, anonymous, tree):
    before = api.snapshot()
    failures = []
    for route, (method, path, kwargs) in ROUTES.items():
        response = anonymous.open(method, path, auth=False, **kwargs)
        challenge = response.headers.get("WWW-Authenticate", "")
        if response.status_code != 401 or "Basic" not in challenge or "Bearer" not in challenge:
            failures.append(f"{route}: {response.status_code} {challenge!r}")
        elif method != "HEAD" and "auth" not in message(response).lower():
            failures.append(f"{route}: the message does not mention authentication")
    assert failures == []
    assert api.snapshot() == before


def test_a_comment_needs_credentials_to_read(anonymous, tree):
    assert_challenge(anonymous.get(tree["comment"]))


BAD_CREDENTIALS = {
    "wrong password": basic("admin", "wrong password"),
    "empty password": basic("admin", ""),
    "unknown user": basic("nobody", ADMIN_PASSWORD),
    "password of another case": basic("ADMIN", ADMIN_PASSWORD),
    "bad token": {"Authorization": "Bearer not-a-real-token"},
    "empty bearer": {"Authorization": "Bearer "},
    "garbage basic": {"Authorization": "Basic !!!not-base64!!!"},
    "basic without colon": {"Authorization": "Basic " + base64.b64encode(b"admin").decode()},
    "unknown scheme": {"Authorization": "Digest username=admin"},
}


def test_bad_credentials_are_401(anonymous, api, tree):
    for case, headers in BAD_CREDENTIALS.items():
        assert anonymous.get(json_url("f"), headers=headers).status_code == 401, case
        assert_challenge(anonymous.get(json_url("f"), headers=headers))
        assert_challenge(anonymous.delete(url("f"), headers=headers))
    assert api.get(json_url("f")).status_code == 200


def test_wrong_password_is_401(anonymous, tree):
    assert_challenge(anonymous.get(json_url("f"), headers=basic("admin", "wrong password")))


def test_a_bad_token_is_401(anonymous, tree):
    assert_challenge(anonymous.get(json_url("f"),
                                   headers={"Authorization": "Bearer not-a-real-token"}))


def test_an_altered_token_is_401(anonymous, token_auth, tree):
    good = token_auth["Authorization"]
    altered = good[:-1] + ("A" if good[-1] != "A" else "B")
    assert_challenge(anonymous.get(json_url("f"), headers={"Authorization": altered}))


def test_basic_credentials_work(anonymous, admin_auth, tree):
    response = anonymous.get(json_url("f"), headers=admin_auth)
    assert response.status_code == 200
    created = anonymous.post(url("f/by-basic"), json={"class": "assetFolder"}, headers=admin_auth)
    assert created.status_code == 201


def test_bearer_token_works_for_reads_and_writes(anonymous, token_auth, tree):
    assert anonymous.get("/api.json", headers=token_auth).status_code == 200
    assert anonymous.get(json_url("f"), headers=token_auth).status_code == 200
    response = anonymous.post(url("f/by-token.png"), data=b"t", content_type="image/png",
                              headers=token_auth)
    assert response.status_code == 201
    copy = anonymous.open("COPY", url("f/by-token.png"), headers={
        **token_auth, "X-Destination": "/api/assets/f/copy.png"})
    assert copy.status_code == 201
    download = anonymous.get(url("f/copy.png") + "/renditions/original", headers=token_auth)
    assert download.data == b"t"


def test_bearer_scheme_is_case_insensitive(anonymous, token_auth, tree):
    token = token_auth["Authorization"].split(" ", 1)[1]
    assert anonymous.get(json_url("f"), headers={"Authorization": f"bearer {token}"}).status_code == 200


def test_an_unsupported_method_on_the_service_document_is_a_siren_405(anonymous):
    response = anonymous.open("COPY", "/api.json")
    assert response.status_code == 405
    assert response.json["class"] == ["core/response"]
    assert "GET" in response.headers["Allow"] and "COPY" not in response.headers["Allow"]


def test_a_token_bound_to_a_tenant_cannot_use_the_whole_tree(app, anonymous):
    token = app.extensions["accounts"].create_token(
        "admin", scopes=["media.asset_manage"], tenant="acme")
    headers = {"Authorization": f"Bearer {token}"}
    for method, path in [("GET", "/api.json"), ("GET", "/api/assets.json"),
                         ("DELETE", "/api/assets/anything")]:
        response = anonymous.open(method, path, auth=False, headers=headers)
        assert response.status_code == 403, (method, path)
        assert "tenant" in response.json["properties"]["status.message"]
