"""Fixtures for the AEM Assets HTTP API tests (the shared ones are in tests/conftest.py)."""
from __future__ import annotations

import pytest


from .helpers import SIREN_SCHEMA_PATH, Api, load_siren_validator

SMALL_LIMIT = 1000


@pytest.fixture(scope="session")
def optional_siren_validator():
    """The Siren validator, or None when the schema file is not there."""
    return load_siren_validator()


@pytest.fixture
def siren_validator(optional_siren_validator):
    if optional_siren_validator is None:
        pytest.fail(f"the Siren JSON Schema is missing at {SIREN_SCHEMA_PATH}")
    return optional_siren_validator


@pytest.fixture
def api(client, token_auth, optional_siren_validator) -> Api:
    """An authenticated client; every JSON answer is checked against the Siren schema.

    It sends a Bearer token: HTTP Basic runs scrypt on every request (slow on purpose),
    which would make these tests slow; tests/aem/test_auth.py covers Basic itself.
    """
    return Api(client, token_auth, optional_siren_validator)


@pytest.fixture
def anonymous(client, optional_siren_validator) -> Api:
    return Api(client, None, optional_siren_validator)


@pytest.fixture
def blob_root(app) -> str:
    return app.config["BLOB_ROOT"]


@pytest.fixture
def small_app(make_app):
    """Like ``app``, with MAX_CONTENT_LENGTH of 1000 bytes."""
    return make_app("small", MAX_CONTENT_LENGTH=SMALL_LIMIT)


@pytest.fixture
def small_api(small_app, optional_siren_validator) -> Api:
    token = small_app.extensions["accounts"].create_token("admin")
    return Api(small_app.test_client(), {"Authorization": f"Bearer {token}"},
               optional_siren_validator)
