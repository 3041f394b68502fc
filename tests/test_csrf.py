"""Cross-site request forgery: state-changing requests with ambient credentials from
another origin are refused unless they carry a CSRF token (app/csrf.py)."""
from __future__ import annotations

import io

import pytest

from tests.conftest import ADMIN_PASSWORD, basic

EVIL = {"Origin": "https://evil.example"}
TOKEN_URL = "/libs/granite/csrf/token.json"


@pytest.fixture
def admin(admin_auth):
    return admin_auth


def make_folder(client, headers, name="x"):
    return client.post(f"/api/assets/{name}", json={"class": "assetFolder"}, headers=headers)


def exists(app, *path) -> bool:
    return app.extensions["repository"].exists(path)


@pytest.mark.parametrize("send", [
    lambda c, h: c.post("/api/assets/x", json={"class": "assetFolder"}, headers=h),
    lambda c, h: c.post("/api/assets/*", headers=h,
                        data={"name": "x", "file": (io.BytesIO(b"data"), "x.txt")}),
    lambda c, h: c.put("/api/assets/m", json={"class": "assetFolder",
                                              "properties": {"dc:title": "x"}}, headers=h),
    lambda c, h: c.delete("/api/assets/m", headers=h),
    lambda c, h: c.open("/api/assets/m", method="MOVE",
                        headers={**h, "X-Destination": "/api/assets/x"}),
], ids=["create folder", "form upload", "update", "delete", "move"])
def test_a_write_with_basic_credentials_from_another_origin_is_refused(app, client, admin, send):
    app.extensions["repository"].create(("m",), "folder")
    response = send(client, {**admin, **EVIL})
    assert response.status_code == 403
    assert "CSRF-Token" in response.get_json()["error"]
    assert not exists(app, "x") and exists(app, "m")
    assert "dc:title" not in app.extensions["repository"].get(("m",)).properties


@pytest.mark.parametrize("site, status", [
    ("cross-site", 403), ("same-site", 403), ("same-origin", 201), ("none", 201)])
def test_sec_fetch_site_decides_for_browsers_that_send_it(client, admin, site, status):
    response = make_folder(client, {**admin, "Sec-Fetch-Site": site, **EVIL})
    assert response.status_code == status


def test_a_request_from_this_origin_or_from_no_browser_passes(client, admin):
    assert make_folder(client, {**admin, "Origin": "http://localhost"}, "a").status_code == 201
    assert make_folder(client, admin, "b").status_code == 201  # curl sends no Origin


def test_reads_from_another_origin_pass(client, admin):
    assert client.get("/api/assets.json", headers={**admin, **EVIL}).status_code == 200


def test_tokens_and_api_keys_are_not_ambient_and_pass(app, client, token_auth):
    assert make_folder(client, {**token_auth, **EVIL}).status_code == 201


def test_a_csrf_token_lets_a_cross_origin_write_through(client, admin):
    body = client.get(TOKEN_URL, headers=admin).get_json()
    assert set(body) == {"token"}
    response = make_folder(client, {**admin, **EVIL, "CSRF-Token": body["token"]})
    assert response.status_code == 201


def test_a_token_of_another_user_or_a_forged_one_is_refused(app, client, admin):
    app.extensions["accounts"].create_user("alice", "pw")
    alices = client.get(TOKEN_URL, headers=basic("alice", "pw")).get_json()["token"]
    for token in [alices, "forged", alices[:-2] + "xx"]:
        response = make_folder(client, {**admin, **EVIL, "CSRF-Token": token})
        assert response.status_code == 403


def test_an_expired_token_is_refused(make_app):
    app = make_app(CSRF_TOKEN_SECONDS=-1)
    client = app.test_client()
    admin = basic("admin", ADMIN_PASSWORD)
    token = client.get(TOKEN_URL, headers=admin).get_json()["token"]
    assert make_folder(client, {**admin, **EVIL, "CSRF-Token": token}).status_code == 403


def test_the_token_url_needs_credentials(client):
    response = client.get(TOKEN_URL)
    assert response.status_code == 401
    assert "WWW-Authenticate" in response.headers


def test_every_process_on_one_database_signs_alike(make_app, tmp_path):
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    first, second = make_app("one", DATABASE_URL=url), make_app("two", DATABASE_URL=url)
    admin = basic("admin", ADMIN_PASSWORD)
    token = first.test_client().get(TOKEN_URL, headers=admin).get_json()["token"]
    response = make_folder(second.test_client(), {**admin, **EVIL, "CSRF-Token": token})
    assert response.status_code == 201
