"""A real server process on loopback, for what the test client cannot show: concurrency,
a kill in the middle of an upload, the server's own memory, and how each WSGI server
(Flask's development server, gunicorn) hands a broken request body to the application."""
from __future__ import annotations

import base64
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest

from tests.postgres_server import postgres_server  # noqa: F401 (fixture)

PASSWORD = "server-test-password"
#: The Emporix tenant of ``serial_server``'s token.
TENANT = "servertenant"
AUTH = "Basic " + base64.b64encode(f"admin:{PASSWORD}".encode()).decode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One server process: ``kind`` is ``flask`` (``flask --app app run``) or ``gunicorn``.

    ``env``: its settings (``ASSETS_*`` variables) beyond the instance and password.
    ``serial`` makes it handle one request at a time (Flask's server without threads, one
    synchronous gunicorn worker): a request sent after another has been cut off is then
    answered only once the server is done with the cut one, so what it stored can be
    checked without waiting for an arbitrary time.
    """

    def __init__(self, instance: Path, env: dict[str, str] | None = None, *,
                 kind: str = "flask", database_url: str | None = None,
                 serial: bool = False) -> None:
        self.instance = instance
        self.kind = kind
        self.database_url = database_url
        self.serial = serial
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.env = env or {}

    def command(self) -> list[str]:
        if self.kind == "gunicorn":
            return [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{self.port}",
                    "--workers", "1" if self.serial else "2", "app:create_app()"]
        return [sys.executable, "-m", "flask", "--app", "app", "run", "--port", str(self.port),
                "--no-reload", "--no-debugger",
                "--without-threads" if self.serial else "--with-threads"]

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ASSETS_")}
        env.update(ASSETS_INSTANCE_PATH=str(self.instance), ASSETS_ADMIN_PASSWORD=PASSWORD,
                   **self.env)
        if self.database_url:
            env["ASSETS_DATABASE_URL"] = self.database_url
        return env

    def cli(self, *args: str) -> str:
        """Run ``flask --app app ARGS`` on this server's instance; its standard output."""
        env = {**self.environment(), "ASSETS_RENDITIONS_WORKER": "null"}
        done = subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], env=env,
                              capture_output=True, text=True, timeout=60, check=True)
        return done.stdout

    def start(self) -> "Server":
        self.process = subprocess.Popen(
            self.command(), env=self.environment(),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError("the server exited during start-up")
                time.sleep(0.05)
        raise RuntimeError("the server did not start listening within 20 s")

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def request(self, method: str, path: str, body=None, headers=None):
        conn = self.connection()
        try:
            conn.request(method, path, body=body, headers={"Authorization": AUTH, **(headers or {})})
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def peak_rss_kb(self) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
        raise RuntimeError("no VmHWM in /proc status")


@pytest.fixture
def server(tmp_path):
    running = Server(tmp_path / "instance").start()
    yield running
    running.stop()


@pytest.fixture(scope="module", params=[
    pytest.param(("flask", "sqlite"), marks=pytest.mark.sqlite, id="flask-sqlite"),
    pytest.param(("gunicorn", "sqlite"), marks=pytest.mark.sqlite, id="gunicorn-sqlite"),
    pytest.param(("flask", "postgresql"), marks=pytest.mark.postgresql, id="flask-postgresql"),
    pytest.param(("gunicorn", "postgresql"), marks=pytest.mark.postgresql,
                 id="gunicorn-postgresql"),
])
def serial_server(request, tmp_path_factory) -> Iterator[Server]:
    """A serial server (see Server) per module, for each WSGI server on each backend, with
    ``bearer`` (a token of admin) and ``emporix`` (a media.asset_manage token of TENANT)."""
    kind, backend = request.param
    instance = tmp_path_factory.mktemp(f"{kind}-{backend}") / "instance"
    if backend == "sqlite":
        yield from _running(Server(instance, kind=kind, serial=True))
    else:
        with request.getfixturevalue("postgres_server").fresh_database() as url:
            yield from _running(Server(instance, kind=kind, database_url=url, serial=True))


def _running(server: Server) -> Iterator[Server]:
    server.start()
    try:
        server.bearer = server.cli("tokens", "create", "--user", "admin").strip().splitlines()[-1]
        server.emporix = server.cli("tokens", "create", "--user", "admin", "--tenant", TENANT,
                                    "--scope", "media.asset_manage").strip().splitlines()[-1]
        yield server
    finally:
        server.stop()
