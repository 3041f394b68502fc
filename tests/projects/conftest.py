"""Fixtures for the Projects API v2 tests (the shared ones are in tests/conftest.py).

The ``app`` fixture runs import threads (``PROJECTS_IMPORT_WORKERS``), which other tests'
apps do not; ``pending_imports`` turns them off for a test that only looks at what was
stored.

No test sends traffic beyond loopback: ``guard_network`` (autouse) lets the media fetcher
connect to 127.0.0.1 only and resolve only address literals and ``localhost``.
"""
from __future__ import annotations

import ipaddress
import socket
from typing import Callable

import pytest

from app.projects import fetch
from app.projects.importer import ImportJob, settings_from_config
from app.projects.jobs import IMPORT, ImportWorker, import_job
from repository.jobs import PENDING
from tests.conftest import grant
from tests.postgres_server import postgres_server, postgres_url  # noqa: F401 (fixtures)

from .helpers import OWNER_EMAIL, FileServer, Projects

#: Settings every Projects test app gets (tests change app.config for variants; the
#: import settings are read for each import).
TEST_SETTINGS = {
    "PROJECTS_FETCH_ALLOW": ["127.0.0.1"],
    "PROJECTS_FETCH_TIMEOUT": 5,
    "PROJECTS_FETCH_TOTAL_TIMEOUT": 10,
    # Imports run in the app's threads (other tests' apps run none).
    "PROJECTS_IMPORT_WORKERS": 4,
}


@pytest.fixture(params=[pytest.param("sqlite", marks=pytest.mark.sqlite),
                        pytest.param("postgresql", marks=pytest.mark.postgresql)])
def database_url(request, tmp_path) -> str:
    """A database that several apps (``start_server``) share, on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'shared.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def start_server(make_app, database_url):
    """Start an app on the shared database, with the Projects test settings and more: each
    is one "server process" (make_app stops its import threads at teardown)."""

    def start(**settings):
        return make_app("shared", DATABASE_URL=database_url, **{**TEST_SETTINGS, **settings})

    return start


@pytest.fixture
def app(make_app):
    """An app with import threads (started by its first request, stopped at teardown,
    before the database goes away)."""
    return make_app(**TEST_SETTINGS)


@pytest.fixture
def repository(app):
    return app.extensions["repository"]


@pytest.fixture
def api_key(app) -> str:
    """A key of a user who may create projects (as the README's set-up allows every user)."""
    accounts = app.extensions["accounts"]
    accounts.create_user("admin-user", None, email=OWNER_EMAIL)
    grant(app, "/projects", "everyone", "jcr:addChildNodes", node_only=True)
    return accounts.create_token("admin-user")


@pytest.fixture
def projects(client, api_key) -> Projects:
    return Projects(client, api_key)


@pytest.fixture
def project_id(projects) -> str:
    return projects.create_project()["id"]


@pytest.fixture
def file_server():
    server = FileServer()
    yield server
    server.close()


class NetworkLog:
    def __init__(self) -> None:
        self.connections: list[tuple[str, int]] = []
        self.resolved: list[str] = []


@pytest.fixture(autouse=True)
def guard_network(monkeypatch) -> NetworkLog:
    """Record what the fetcher resolves and connects to; allow loopback 127.0.0.1 only."""
    log = NetworkLog()
    real_open, real_resolve = fetch._open_socket, fetch.resolve

    def open_socket(address, port, timeout):
        log.connections.append((str(address), port))
        if address != ipaddress.ip_address("127.0.0.1"):
            raise OSError(f"test guard: no connections to {address}")
        return real_open(address, port, timeout)

    def resolve(host, port):
        log.resolved.append(host)
        try:
            ipaddress.ip_address(host)
        except ValueError:
            if host != "localhost":
                raise fetch.FetchError(f"test guard: no DNS lookups ({host})") from None
        return real_resolve(host, port)

    monkeypatch.setattr(fetch, "_open_socket", open_socket)
    monkeypatch.setattr(fetch, "resolve", resolve)
    return log


@pytest.fixture
def pending_imports(app) -> Callable[[], list[ImportJob]]:
    """Run no import threads; the imports the requests stored, read from the job table."""
    repository = app.extensions["repository"]
    real = app.extensions["projects_importer"]
    # An earlier request of the test (making the project) may have started the app's own
    # threads; they would take the jobs this fixture is there to read.
    real.shutdown(timeout=10)
    app.extensions["projects_importer"] = ImportWorker(
        repository, lambda: settings_from_config(app.config), threads=0)

    def pending() -> list[ImportJob]:
        return [import_job(record)
                for record in repository.jobs.jobs(kind=IMPORT, status=PENDING)]

    yield pending
    app.extensions["projects_importer"] = real


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def s3_endpoint():
    """A real S3-compatible server on loopback: moto in server mode."""
    moto_server = pytest.importorskip("moto.server", reason="needs moto[server]")
    pytest.importorskip("boto3", reason="needs boto3")
    port = free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()
