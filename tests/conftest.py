"""Fixtures shared by every test: an app on a temporary instance folder, and credentials."""
from __future__ import annotations

import base64

import pytest

from app import create_app

ADMIN_PASSWORD = "correct horse battery staple"


def basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@pytest.fixture
def app(tmp_path):
    app = create_app({
        "TESTING": True,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'assets.db'}",
        "BLOB_ROOT": str(tmp_path / "blobs"),
        "ADMIN_PASSWORD": ADMIN_PASSWORD,
    })
    yield app
    app.extensions["repository"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def admin_auth() -> dict[str, str]:
    """HTTP Basic headers for the admin user."""
    return basic("admin", ADMIN_PASSWORD)


@pytest.fixture
def token_auth(app) -> dict[str, str]:
    """Bearer headers for a token of the admin user."""
    token = app.extensions["accounts"].create_token("admin")
    return {"Authorization": f"Bearer {token}"}
