"""Fixtures shared by every test: an app on a temporary instance folder, and credentials."""
from __future__ import annotations

import base64

import pytest

from app import create_app
from app.renditions import stop_worker

ADMIN_PASSWORD = "correct horse battery staple"


def basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashes():
    """Passwords the tests' own processes hash cost scrypt's n = 2**8 instead of 2**14: the
    permission matrix alone makes thousands of users. Hashes record their cost, so they
    verify alike; servers the tests start as processes keep the real cost
    (tests/test_password_hashing.py checks it)."""
    from repository import accounts

    real = dict(accounts._SCRYPT)
    accounts._SCRYPT["n"] = 2**8
    yield
    accounts._SCRYPT.update(real)


@pytest.fixture
def make_app(tmp_path):
    """Build an app on its own database and blob folder in tmp_path, with extra settings."""
    made = []

    def make(name: str = "assets", **settings):
        app = create_app({
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{tmp_path / (name + '.db')}",
            "BLOB_ROOT": str(tmp_path / f"{name}-blobs" if name != "assets" else tmp_path / "blobs"),
            "ADMIN_PASSWORD": ADMIN_PASSWORD,
            # Rendition jobs stay pending unless a test runs them (or asks for the thread).
            "RENDITIONS_WORKER": None,
            # Likewise media imports (the Projects tests ask for import threads).
            "PROJECTS_IMPORT_WORKERS": 0,
            **settings,
        })
        made.append(app)
        return app

    yield make
    for app in made:
        stop_worker(app)
        app.extensions["projects_importer"].shutdown(timeout=10)
        app.extensions["repository"].dispose()


@pytest.fixture
def app(make_app):
    return make_app()


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


def grant(app, path: str, principal: str, *privileges: str, node_only: bool = False) -> None:
    """Allow ``principal`` the JCR ``privileges`` on the node at ``path`` (as the system)."""
    from repository import paths
    from repository.access import privilege_bits

    app.extensions["repository"].access.modify(paths.parse(path), principal,
                                               granted=privilege_bits(privileges),
                                               node_only=node_only)


def deny(app, path: str, principal: str, *privileges: str) -> None:
    """Deny ``principal`` the JCR ``privileges`` on the node at ``path`` (as the system)."""
    from repository import paths
    from repository.access import privilege_bits

    app.extensions["repository"].access.modify(paths.parse(path), principal,
                                               denied=privilege_bits(privileges))
