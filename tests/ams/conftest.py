"""Fixtures for the AMS tests (the shared ones are in tests/conftest.py).

The ``app`` fixture gets the AMS API if ``create_app`` does not register it (yet), so the
tests run both before and after ``app.ams.init_app`` is wired into the factory.
"""
from __future__ import annotations

import pytest

from app.ams import init_app as init_ams

from .helpers import Ams


@pytest.fixture
def app(app):
    if "ams" not in app.blueprints:
        init_ams(app)
    return app


@pytest.fixture
def ams(client, token_auth) -> Ams:
    return Ams(client, token_auth)


@pytest.fixture
def repository(app):
    return app.extensions["repository"]


@pytest.fixture
def blob_root(app) -> str:
    return app.config["BLOB_ROOT"]
