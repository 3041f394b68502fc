"""Fixtures of the repository's contract suite: one suite, run against every backend.

As in Kinto's storage tests, every test that takes ``repo`` runs once per backend:
SQLite (the embedded default) and PostgreSQL (a throwaway server, see
:mod:`tests.postgres_server`). Select one with ``-k sqlite`` / ``-k postgresql`` or
``-m "not postgresql"``; ``ASSETS_TEST_POSTGRES=required`` turns a PostgreSQL that cannot
be started into a failure instead of a skip.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from repository import Repository
from tests.postgres_server import postgres_server, postgres_url  # noqa: F401  (fixtures)

BACKENDS = [
    pytest.param("sqlite", marks=pytest.mark.sqlite),
    pytest.param("postgresql", marks=pytest.mark.postgresql),
]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite: runs the repository on SQLite")
    config.addinivalue_line("markers", "postgresql: runs the repository on PostgreSQL")


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The name of the database backend this run of the test uses."""
    return request.param


@pytest.fixture
def database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """The SQLAlchemy URL of an empty database on ``backend``."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'repository.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def blob_root(tmp_path: Path) -> Path:
    return tmp_path / "blobs"


@pytest.fixture
def repo(database_url: str, blob_root: Path) -> Iterator[Repository]:
    """A fresh Repository with its schema (and root folder) created."""
    repository = Repository(database_url, str(blob_root))
    repository.create_schema()
    try:
        yield repository
    finally:
        repository.dispose()


@pytest.fixture
def xfail_on(request: pytest.FixtureRequest, backend: str):
    """``xfail_on("postgresql", reason)``: a strict xfail for a bug one backend has."""

    def mark(*backends: str, reason: str) -> None:
        if backend in backends:
            request.applymarker(pytest.mark.xfail(strict=True, reason=reason))

    return mark
