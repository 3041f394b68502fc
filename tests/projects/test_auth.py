"""X-API-KEY on every request; the key's user is the owner."""
from __future__ import annotations

import pytest

from tests.conftest import grant

from .helpers import SAMPLE

UNAUTHORIZED = {"error": "Unauthorized"}


@pytest.fixture
def asset_id(projects, project_id):
    return projects.create_asset(project_id, SAMPLE)["id"]


def requests(project_id, asset_id):
    return [
        ("POST", "/api/v2/projects", {"title": "P"}),
        ("GET", f"/api/v2/projects/{project_id}", None),
        ("POST", f"/api/v2/projects/{project_id}/assets", SAMPLE),
        ("POST", "/api/v2/projects/not-found-id/assets", SAMPLE),
        ("GET", f"/api/v2/assets/{asset_id}", None),
        ("PUT", f"/api/v2/assets/{asset_id}", {"title": "changed"}),
    ]


@pytest.mark.parametrize("headers", [
    {},
    {"X-API-KEY": ""},
    {"X-API-KEY": "unknown"},
    {"X-API-KEY": "0123456789abcdef.not-the-secret"},
], ids=["missing", "empty", "malformed", "unknown"])
def test_every_endpoint_needs_a_known_key(client, project_id, asset_id, headers):
    for method, path, body in requests(project_id, asset_id):
        response = client.open(path, method=method, json=body, headers=headers)
        assert response.status_code == 401, (method, path)
        assert response.get_json() == UNAUTHORIZED


def test_a_wrong_secret_for_a_real_token_id_is_401(client, api_key, project_id):
    token_id = api_key.split(".")[0]
    response = client.get(f"/api/v2/projects/{project_id}",
                          headers={"X-API-KEY": f"{token_id}.wrong"})
    assert (response.status_code, response.get_json()) == (401, UNAUTHORIZED)


def test_bearer_and_basic_credentials_are_not_api_keys(client, project_id, token_auth,
                                                       admin_auth):
    for headers in (token_auth, admin_auth):
        response = client.get(f"/api/v2/projects/{project_id}", headers=headers)
        assert response.status_code == 401


def test_the_unauthorized_check_comes_before_the_project_check(client):
    response = client.post("/api/v2/projects/not-found-id/assets", json=SAMPLE)
    assert (response.status_code, response.get_json()) == (401, UNAUTHORIZED)


def test_the_owner_is_the_key_users_email(app, client, project_id):
    accounts = app.extensions["accounts"]
    accounts.create_user("someone", None, email="someone@example.org")
    grant(app, f"/projects/{project_id}", "someone", "jcr:read", "jcr:write")
    key = accounts.create_token("someone")
    response = client.post(f"/api/v2/projects/{project_id}/assets", json=SAMPLE,
                           headers={"X-API-KEY": key})
    assert response.get_json()["asset"]["owner"] == "someone@example.org"


def test_a_user_without_email_is_shown_by_name(app, client, project_id):
    accounts = app.extensions["accounts"]
    accounts.create_user("no-mail", None)
    grant(app, f"/projects/{project_id}", "no-mail", "jcr:read", "jcr:write")
    key = accounts.create_token("no-mail")
    response = client.post(f"/api/v2/projects/{project_id}/assets", json=SAMPLE,
                           headers={"X-API-KEY": key})
    assert response.get_json()["asset"]["owner"] == "no-mail"


def test_keys_made_by_the_cli_work(app, project_id):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "cli-user", "--email", "cli@example.com"],
                           input="a password\n")
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["tokens", "create", "--user", "cli-user"])
    assert result.exit_code == 0, result.output
    key = result.stdout.strip().splitlines()[-1]
    grant(app, f"/projects/{project_id}", "cli-user", "jcr:read", "jcr:write")
    response = app.test_client().post(f"/api/v2/projects/{project_id}/assets", json=SAMPLE,
                                      headers={"X-API-KEY": key})
    assert response.status_code == 200
    assert response.get_json()["asset"]["owner"] == "cli@example.com"
