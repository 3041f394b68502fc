"""A throwaway PostgreSQL server for the test session, and a fresh database per test.

The repository's contract tests run on SQLite and on PostgreSQL (DESIGN.md: "Nothing may
be SQLite-only or PostgreSQL-only without a test on both"). This module finds PostgreSQL's
binaries, starts a private server on loopback in a temporary folder, hands out an empty
database per test (a new schema, first on the search path: as clean as a new database and
a hundred times cheaper), and throws it all away at the end of the session.

Environment variables:

``ASSETS_TEST_DATABASE_URL``
    A ``postgresql://`` (or ``postgresql+psycopg://``) URL of a server to use instead of
    starting one. Each test gets a new schema in that database (dropped afterwards); if the
    role may not create schemas, every test reuses the database after dropping all of the
    tables in its current schema. If the server cannot be reached the tests fail.

``ASSETS_TEST_POSTGRES``
    ``required``: the PostgreSQL runs must happen; if the server cannot be started (or
    the binaries are missing) the tests fail with the reason. ``off`` (or ``0``/``no``/
    ``skip``): never start PostgreSQL, skip those runs. Unset (``auto``): start it when
    ``initdb``/``pg_ctl`` are installed, skip with a reason when they are not, and fail
    when they are installed but the server does not start.

Binaries are looked up through ``pg_config --bindir``, then ``/usr/lib/postgresql/*/bin``
(newest first), then ``PATH``. ``initdb`` refuses to run as root, so as root the server
runs as the ``postgres`` system user, in a 0755 folder under ``/tmp`` owned by it.
"""
from __future__ import annotations

import atexit
import contextlib
import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path
from typing import Iterator

import pytest

ENV_MODE = "ASSETS_TEST_POSTGRES"
ENV_URL = "ASSETS_TEST_DATABASE_URL"

HOW_TO_ENABLE = (
    "install PostgreSQL's server binaries (Debian/Ubuntu: apt-get install postgresql) so "
    "initdb and pg_ctl are found through pg_config, /usr/lib/postgresql/*/bin or PATH, or "
    f"set {ENV_URL}=postgresql+psycopg://user@host:port/dbname; "
    f"set {ENV_MODE}=required to make a missing PostgreSQL an error"
)


class PostgresUnavailable(Exception):
    """PostgreSQL could not be provided; ``missing`` when its binaries are not installed."""

    def __init__(self, message: str, *, missing: bool = False) -> None:
        super().__init__(message)
        self.missing = missing


def mode() -> str:
    value = os.environ.get(ENV_MODE, "").strip().lower()
    if value in ("required", "require", "1", "yes", "true"):
        return "required"
    if value in ("off", "0", "no", "false", "skip", "never"):
        return "off"
    return "auto"


# -- finding the binaries -------------------------------------------------------------------


def _version_key(path: str) -> tuple:
    match = re.search(r"/postgresql/([\d.]+)/bin", path)
    return tuple(int(p) for p in match.group(1).split(".")) if match else ()


def find_bindir() -> Path:
    """The folder holding ``initdb`` and ``pg_ctl``, or raise PostgresUnavailable."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=True
            ).stdout.strip()
            if out:
                candidates.append(Path(out))
        except (OSError, subprocess.SubprocessError):
            pass
    for found in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True):
        candidates.append(Path(found))
    initdb_on_path = shutil.which("initdb")
    if initdb_on_path:
        candidates.append(Path(initdb_on_path).resolve().parent)
    for bindir in candidates:
        if all(os.access(bindir / tool, os.X_OK) for tool in ("initdb", "pg_ctl")):
            return bindir
    raise PostgresUnavailable(
        "PostgreSQL's initdb and pg_ctl were not found", missing=True
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- the servers -----------------------------------------------------------------------------


class _DatabaseProvider:
    """Hands out a clean database for each test."""

    def fresh_database(self) -> contextlib.AbstractContextManager[str]:  # pragma: no cover
        raise NotImplementedError

    def stop(self) -> None:
        pass


def _admin_connect(url: str):
    """An autocommit psycopg connection for the SQLAlchemy URL ``url``."""
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(url)
    kwargs = {
        "host": u.host, "port": u.port, "user": u.username, "password": u.password,
        "dbname": u.database, **{k: v for k, v in u.query.items() if isinstance(v, str)},
    }
    return psycopg.connect(
        **{k: v for k, v in kwargs.items() if v is not None}, autocommit=True, connect_timeout=10
    )


class _SchemaPerTest(_DatabaseProvider):
    """A new schema per test in one database, put first on the connection's search_path.

    ``CREATE SCHEMA`` costs a millisecond where ``CREATE DATABASE`` costs a hundred, and
    the repository sees an empty database all the same: its tables, indexes and sequences
    are created in (and found through) the schema at the head of the search path.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self._admin = _admin_connect(url)

    @contextlib.contextmanager
    def fresh_database(self) -> Iterator[str]:
        schema = f"assets_test_{uuid.uuid4().hex[:16]}"
        self._admin.execute(f'CREATE SCHEMA "{schema}"')
        try:
            yield _with_search_path(self.url, schema)
        finally:
            # Terminate sessions a test may have left behind, so nothing holds a lock.
            self._admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND application_name = %s", (schema,)
            )
            self._admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._admin.close()


def _with_search_path(url: str, schema: str) -> str:
    from sqlalchemy.engine import make_url

    u = make_url(url)
    return u.update_query_dict(
        {"options": f"-csearch_path={schema}", "application_name": schema}
    ).render_as_string(hide_password=False)


class _SharedDatabase(_DatabaseProvider):
    """One given database, emptied (all tables dropped) before each test."""

    def __init__(self, url: str) -> None:
        self.url = url

    @contextlib.contextmanager
    def fresh_database(self) -> Iterator[str]:
        self._drop_all_tables()
        try:
            yield self.url
        finally:
            self._drop_all_tables()

    def _drop_all_tables(self) -> None:
        with _admin_connect(self.url) as conn:
            tables = [
                row[0]
                for row in conn.execute(
                    "SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) "
                    "FROM pg_tables WHERE schemaname = current_schema()"
                )
            ]
            if tables:
                conn.execute(f"DROP TABLE IF EXISTS {', '.join(tables)} CASCADE")


class LocalPostgres(_SchemaPerTest):
    """A private server: initdb into a temporary folder, listen on 127.0.0.1 only."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.tmp = Path(tempfile.mkdtemp(prefix="assets-test-pg-", dir="/tmp"))
        self.data = self.tmp / "data"
        self.log = self.tmp / "postgres.log"
        self.port = 0
        self._running = False
        self._run_as: dict = {}
        try:
            os.chmod(self.tmp, 0o755)
            if os.geteuid() == 0:
                # initdb refuses to run as root: run the server as the postgres user.
                try:
                    user = pwd.getpwnam("postgres")
                except KeyError:
                    raise PostgresUnavailable(
                        "running as root and there is no 'postgres' system user to run "
                        "initdb/pg_ctl as (initdb refuses to run as root)"
                    ) from None
                os.chown(self.tmp, user.pw_uid, user.pw_gid)
                self._run_as = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
            self._initdb()
            self._start()
            atexit.register(self.stop)
            server = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}"
            with _admin_connect(f"{server}/postgres") as admin:
                admin.execute("CREATE DATABASE assets_test TEMPLATE template0 ENCODING 'UTF8'")
            super().__init__(f"{server}/assets_test")
        except BaseException:
            self.stop()
            raise

    def _run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["LC_ALL"] = "C"
        try:
            return subprocess.run(
                [str(a) for a in args], cwd=self.tmp, env=env, capture_output=True, text=True,
                timeout=timeout, **self._run_as,
            )
        except (OSError, subprocess.SubprocessError) as error:
            raise PostgresUnavailable(f"{Path(str(args[0])).name} could not run: {error}") from None

    def _initdb(self) -> None:
        result = self._run(
            self.bindir / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust",
            "--encoding=UTF8", "--locale=C", "--no-sync",
        )
        if result.returncode != 0:
            raise PostgresUnavailable(
                f"initdb failed (exit {result.returncode}): {result.stderr.strip()[-2000:]}"
            )

    def _start(self) -> None:
        last_error = ""
        for _attempt in range(3):  # another process may grab the free port meanwhile
            self.port = free_port()
            options = " ".join([
                "-c listen_addresses=127.0.0.1",
                f"-p {self.port}",
                f"-c unix_socket_directories={self.tmp}",
                "-c max_connections=200",
                # Throwaway data: durability off, speed on.
                "-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off",
                "-c wal_level=minimal", "-c max_wal_senders=0",
            ])
            result = self._run(
                self.bindir / "pg_ctl", "-D", self.data, "-l", self.log, "-w", "-t", "60",
                "-o", options, "start",
            )
            if result.returncode == 0:
                self._running = True
                return
            # It may still be coming up (a timeout): make sure it is down before retrying.
            self._run(self.bindir / "pg_ctl", "-D", self.data, "stop", "-m", "immediate")
            log_tail = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            last_error = (
                f"pg_ctl start failed (exit {result.returncode}): "
                f"{result.stderr.strip()[-1000:]}\n{log_tail}"
            )
        raise PostgresUnavailable(last_error)

    def stop(self) -> None:
        super().stop()
        if self._running:
            self._running = False
            with contextlib.suppress(Exception):
                self._run(self.bindir / "pg_ctl", "-D", self.data, "stop", "-m", "immediate",
                          timeout=60)
        shutil.rmtree(self.tmp, ignore_errors=True)


def _external(url: str) -> _DatabaseProvider:
    """The server named by ASSETS_TEST_DATABASE_URL: a database per test if allowed."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    url = parsed.render_as_string(hide_password=False)
    try:
        provider = _SchemaPerTest(url)
    except Exception as error:
        raise PostgresUnavailable(f"cannot connect to {ENV_URL} ({parsed!r}): {error}") from None
    try:
        with provider.fresh_database():
            pass
        return provider
    except Exception:  # no CREATE privilege: empty the given database before each test
        provider.stop()
        return _SharedDatabase(url)


def start() -> _DatabaseProvider:
    """A database provider for this session, or raise PostgresUnavailable."""
    url = os.environ.get(ENV_URL, "").strip()
    if url.startswith("postgres"):
        return _external(url)
    return LocalPostgres(find_bindir())


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[_DatabaseProvider]:
    """The session's PostgreSQL; skips or fails as ASSETS_TEST_POSTGRES says."""
    explicit_url = os.environ.get(ENV_URL, "").strip().startswith("postgres")
    if mode() == "off" and not explicit_url:
        pytest.skip(f"PostgreSQL runs are switched off ({ENV_MODE}={os.environ[ENV_MODE]})")
    try:
        server = start()
    except PostgresUnavailable as error:
        if mode() != "required" and error.missing:
            pytest.skip(f"PostgreSQL not available: {error}; to run these tests, {HOW_TO_ENABLE}")
        if explicit_url:
            hint = f" (unset {ENV_URL} to start a throwaway server instead)"
        elif mode() == "required":
            hint = f" ({ENV_MODE}=required)"
        else:
            hint = f" (set {ENV_MODE}=off to skip the PostgreSQL runs)"
        pytest.fail(f"PostgreSQL could not be started: {error}{hint}", pytrace=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server: _DatabaseProvider) -> Iterator[str]:
    """A SQLAlchemy URL (postgresql+psycopg://...) of an empty database for one test."""
    with postgres_server.fresh_database() as url:
        yield url
