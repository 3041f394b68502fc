"""Password logins: remembered briefly, throttled when they fail (app/logins.py)."""
from __future__ import annotations

import time

import pytest

import repository.accounts as accounts_module
from repository.access import READ
from tests.conftest import ADMIN_PASSWORD, basic

ROOT = "/api/assets.json"


@pytest.fixture
def strict(make_app):
    """An app that refuses after 3 failures per address or per user within 1 s."""
    app = make_app(LOGIN_MAX_FAILURES_PER_ADDRESS=3, LOGIN_MAX_FAILURES_PER_USER=3,
                   LOGIN_FAILURE_WINDOW=1)
    app.extensions["accounts"].create_user("alice", "right")
    app.extensions["repository"].access.modify((), "alice", granted=READ)
    return app


def get(client, user, password, address="10.0.0.1"):
    return client.get(ROOT, headers=basic(user, password),
                      environ_base={"REMOTE_ADDR": address})


@pytest.fixture
def scrypt_calls(monkeypatch):
    calls = []
    real = accounts_module.check_password

    def counting(stored, password):
        calls.append(password)
        return real(stored, password)

    monkeypatch.setattr(accounts_module, "check_password", counting)
    return calls


def test_a_password_checked_once_is_not_checked_again_for_a_while(client, scrypt_calls):
    for _ in range(5):
        assert get(client, "admin", ADMIN_PASSWORD).status_code == 200
    assert len(scrypt_calls) == 1


def test_failed_logins_from_one_address_lead_to_429_with_retry_after(strict):
    client = strict.test_client()
    for _ in range(3):
        assert get(client, "alice", "wrong").status_code == 401
    response = get(client, "alice", "wrong")
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 1
    assert response.get_json()["class"] == ["core/response"]  # the API's own error shape
    assert get(client, "admin", "also wrong").status_code == 429  # the address, any user


def test_failed_logins_for_one_user_from_many_addresses_lead_to_429(strict):
    client = strict.test_client()
    for i in range(3):
        assert get(client, "alice", "wrong", f"10.0.1.{i}").status_code == 401
    assert get(client, "alice", "right", "10.0.2.1").status_code == 429  # not even checked
    assert get(client, "admin", ADMIN_PASSWORD, "10.0.2.1").status_code == 200


def test_a_remembered_login_passes_during_a_flood(strict, scrypt_calls):
    client = strict.test_client()
    assert get(client, "alice", "right").status_code == 200
    for _ in range(10):
        get(client, "alice", "wrong")
    assert get(client, "alice", "right").status_code == 200
    assert len(scrypt_calls) == 1 + 3  # the good login and the failures under the limit


def test_the_throttle_lifts_when_the_window_has_passed(strict):
    client = strict.test_client()
    for _ in range(4):
        get(client, "alice", "wrong")
    assert get(client, "alice", "right").status_code == 429
    time.sleep(1.1)
    assert get(client, "alice", "right").status_code == 200


def test_a_deleted_user_or_a_changed_password_stops_a_remembered_login_at_once(app, client):
    accounts = app.extensions["accounts"]
    accounts.create_user("bob", "first")
    assert get(client, "bob", "first").status_code == 404  # authenticated; no rights at /
    accounts.set_password("bob", "second")
    assert get(client, "bob", "first").status_code == 401
    assert get(client, "bob", "second").status_code == 404
    accounts.delete_user("bob")
    assert get(client, "bob", "second").status_code == 401
