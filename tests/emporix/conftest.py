"""Fixtures of the Emporix Media tests: the app on each backend, tokens bound to the
tenant ``mytenant``."""
from __future__ import annotations

import pytest

from tests.postgres_server import postgres_server, postgres_url  # noqa: F401 (fixtures)

from .helpers import MANAGE, READ, bearer


@pytest.fixture(params=[pytest.param("sqlite", marks=pytest.mark.sqlite),
                        pytest.param("postgresql", marks=pytest.mark.postgresql)])
def app(request, make_app):
    """The app on SQLite and on PostgreSQL: listings run the q/sort language as SQL, and
    JSON documents round-trip through each database's own JSON type."""
    if request.param == "sqlite":
        return make_app()
    return make_app(DATABASE_URL=request.getfixturevalue("postgres_url"))


@pytest.fixture
def manage(app) -> dict[str, str]:
    """Headers of a token of ``mytenant`` with media.asset_manage."""
    return bearer(app, MANAGE)


@pytest.fixture
def read(app) -> dict[str, str]:
    """Headers of a token of ``mytenant`` with media.asset_read only."""
    return bearer(app, READ)
