"""Fixtures of the hostile-input tests: one app per backend, and a client of each API.

What a database can store differs (PostgreSQL's JSON refuses ``\\u0000``, SQLite keeps an
unpaired surrogate it can then not give back), so every test here runs on both."""
from __future__ import annotations

import pytest

from tests.aem.helpers import Api
from tests.conftest import grant
from tests.emporix.helpers import MANAGE, bearer
from tests.postgres_server import postgres_server, postgres_url  # noqa: F401 (fixtures)
from tests.projects.helpers import Projects


@pytest.fixture(params=[pytest.param("sqlite", marks=pytest.mark.sqlite),
                        pytest.param("postgresql", marks=pytest.mark.postgresql)])
def backend(request) -> str:
    return request.param


@pytest.fixture
def app(backend, make_app, request):
    if backend == "sqlite":
        return make_app()
    return make_app(DATABASE_URL=request.getfixturevalue("postgres_url"))


@pytest.fixture
def repository(app):
    return app.extensions["repository"]


@pytest.fixture
def aem(client, token_auth) -> Api:
    return Api(client, token_auth, None)


@pytest.fixture
def emporix(app) -> dict[str, str]:
    """Headers of a token of the Emporix tenant ``mytenant`` that may manage its media."""
    return bearer(app, MANAGE)


@pytest.fixture
def projects(app, client) -> Projects:
    """A Projects API client whose key's user may create projects."""
    accounts = app.extensions["accounts"]
    accounts.create_user("projects-user", None, email="owner@example.com")
    grant(app, "/projects", "everyone", "jcr:addChildNodes", node_only=True)
    return Projects(client, accounts.create_token("projects-user"))
