"""A real server process on 127.0.0.1 with a throw-away instance folder, and an HTTP client.

The server is ``python -m flask --app app run --no-reload --no-debugger`` started directly
(no shell), so the process id we hold is the process that serves requests: memory figures
read from ``/proc/<pid>/status`` are the server's own.
"""
from __future__ import annotations

import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterable, Iterator
from urllib.parse import quote, urlsplit

PROJECT = Path(__file__).resolve().parent.parent
API = "/api/assets"
START_TIMEOUT = 60.0
HTTP_TIMEOUT = 900.0


class BenchError(RuntimeError):
    """The server answered something a benchmark cannot go on from."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def asset_url(*names: str, json_suffix: bool = False) -> str:
    url = API + "".join("/" + quote(name, safe="") for name in names)
    return url + ".json" if json_suffix else url


class Response:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body)


class Client:
    """One keep-alive HTTP/1.1 connection with a Bearer token."""

    def __init__(self, port: int, token: str) -> None:
        self.port, self.token = port, token
        self.conn: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=HTTP_TIMEOUT)
        return self.conn

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(
        self,
        method: str,
        url: str,
        body: bytes | Iterable[bytes] | None = None,
        headers: dict[str, str] | None = None,
        expect: Iterable[int] | None = None,
    ) -> Response:
        all_headers = {"Authorization": f"Bearer {self.token}", **(headers or {})}
        for attempt in (1, 2):
            conn = self._connection()
            try:
                conn.request(method, url, body=body, headers=all_headers)
                raw = conn.getresponse()
                data = raw.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # A kept-alive connection the server closed: retry once on a new one, but
                # only when the body can be sent again.
                self.close()
                if attempt == 2 or not (body is None or isinstance(body, bytes)):
                    raise
        response = Response(raw.status, {k.lower(): v for k, v in raw.getheaders()}, data)
        if raw.getheader("connection", "").lower() == "close":
            self.close()
        if expect is not None and response.status not in tuple(expect):
            raise BenchError(f"{method} {url} answered {response.status}: {data[:300]!r}")
        return response

    # -- conveniences used by several benchmarks --------------------------------------

    def create_folder(self, *names: str) -> None:
        self.request("POST", asset_url(*names), body=b'{"class": "assetFolder"}',
                     headers={"Content-Type": "application/json"}, expect=[201])

    def upload(self, names: tuple[str, ...], chunks: Iterable[bytes], size: int) -> Response:
        """POST a raw body streamed from ``chunks`` (never joined in memory)."""
        return self.request(
            "POST", asset_url(*names), body=iter(chunks),
            headers={"Content-Type": "application/octet-stream", "Content-Length": str(size)},
            expect=[201],
        )

    def delete(self, *names: str) -> None:
        self.request("DELETE", asset_url(*names), expect=[200])


def file_chunks(path: Path, chunk_size: int = 1 << 20) -> Iterator[bytes]:
    with open(path, "rb") as source:
        while chunk := source.read(chunk_size):
            yield chunk


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS, VmHWM, ... of a process, in bytes."""
    values: dict[str, int] = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, rest = line.partition(":")
            parts = rest.split()
            if key.startswith("Vm") and len(parts) == 2 and parts[1] == "kB":
                values[key] = int(parts[0]) * 1024
    return values


def reset_peak_rss(pid: int) -> bool:
    """Reset VmHWM to the current RSS (``echo 5 > /proc/<pid>/clear_refs``, Linux ≥ 4.0)."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as refs:
            refs.write("5")
        return True
    except OSError:
        return False


class Server:
    """``with Server(workdir, "listing") as server:`` → a running server and a token."""

    def __init__(self, workdir: Path, label: str, gunicorn: list[str] | None = None) -> None:
        """``gunicorn``: serve with ``python -m gunicorn <these arguments>`` (bound to a free
        loopback port) instead of Flask's server; its pid is then the master's."""
        self.gunicorn = gunicorn
        self.dir = Path(tempfile.mkdtemp(prefix=f"{label}-", dir=workdir))
        self.instance = self.dir / "instance"
        self.blob_root = self.instance / "blobs"
        self.database_url = f"sqlite:///{self.instance / 'assets.db'}"
        self.password = secrets.token_urlsafe(18)
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("ASSETS_", "FLASK_"))}
        self.env.update({
            "ASSETS_INSTANCE_PATH": str(self.instance),
            "ASSETS_ADMIN_PASSWORD": self.password,
            "PYTHONUNBUFFERED": "1",
            # gunicorn ≥ 25.1 opens a control socket there, else in $HOME/.gunicorn
            "XDG_RUNTIME_DIR": str(self.dir),
        })
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self.token = ""
        self._log = None

    # -- life cycle ---------------------------------------------------------------------

    def __enter__(self) -> "Server":
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def flask(self, *args: str, timeout: float = 120) -> str:
        """Run a ``flask --app app ...`` command against this instance; returns stdout."""
        done = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "app", *args], cwd=PROJECT, env=self.env,
            capture_output=True, text=True, timeout=timeout,
        )
        if done.returncode != 0:
            raise BenchError(f"flask {' '.join(args)} failed: {done.stderr.strip()[-500:]}")
        return done.stdout

    def start(self) -> None:
        self.port = free_port()
        self._log = open(self.dir / "server.log", "wb")
        if self.gunicorn is not None:
            command = ["-m", "gunicorn", *self.gunicorn, "--bind", f"127.0.0.1:{self.port}"]
        else:
            command = ["-m", "flask", "--app", "app", "run", "--host", "127.0.0.1",
                       "--port", str(self.port), "--no-reload", "--no-debugger", "--with-threads"]
        self.proc = subprocess.Popen(
            [sys.executable, *command], cwd=PROJECT, env=self.env, stdout=self._log,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
        self._wait_until_listening()
        if self.gunicorn is None:
            self._check_single_process()
        lines = [line for line in self.flask("tokens", "create", "--user", "admin").splitlines()
                 if line.strip()]
        if not lines:
            raise BenchError("flask tokens create printed no token")
        self.token = lines[-1].strip()
        with self.client() as client:
            client.request("GET", "/api.json", expect=[200])

    def _wait_until_listening(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"the server exited with {self.proc.returncode}: {self.log_tail()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/api.json")
                conn.getresponse().read()
                conn.close()
                return
            except OSError:
                time.sleep(0.1)
        raise BenchError(f"the server did not answer within {START_TIMEOUT:.0f} s: {self.log_tail()}")

    def children(self) -> list[int]:
        """The server process's children (gunicorn's workers)."""
        children = []
        for task in Path(f"/proc/{self.proc.pid}/task").iterdir():
            try:
                children += (task / "children").read_text().split()
            except OSError:
                pass
        return [int(pid) for pid in children]

    def _check_single_process(self) -> None:
        """The pid must be the serving process itself: no reloader parent/child pair."""
        children = self.children()
        if children:
            raise BenchError(f"the server process {self.proc.pid} has children {children}; "
                             "is a reloader running?")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            workers = self.children() if self.gunicorn is not None else []
            if self.gunicorn is not None:
                self.proc.send_signal(signal.SIGINT)  # gunicorn: quick shutdown
            else:
                self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                for pid in workers:  # gunicorn's master kills these, but it is stuck
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except OSError:
                        pass
                self.proc.kill()
                self.proc.wait(timeout=15)
        if self._log is not None:
            self._log.close()
            self._log = None
        shutil.rmtree(self.dir, ignore_errors=True)

    def log_tail(self, n_bytes: int = 800) -> str:
        try:
            return (self.dir / "server.log").read_bytes()[-n_bytes:].decode(errors="replace")
        except OSError:
            return ""

    # -- helpers ------------------------------------------------------------------------

    @property
    def pid(self) -> int:
        return self.proc.pid

    def client(self) -> "_ClientContext":
        return _ClientContext(Client(self.port, self.token))

    def repository(self):
        """A Repository on the server's own database and blob store (for bulk set-up)."""
        from repository import Repository

        return Repository(self.database_url, str(self.blob_root))

    def blob_bytes(self) -> tuple[int, int]:
        """(bytes, files) in the blob store, not counting ``tmp/``."""
        total = files = 0
        for top in self.blob_root.iterdir():
            if top.name == "tmp" or not top.is_dir():
                continue
            for dirpath, _dirs, names in os.walk(top):
                for name in names:
                    total += os.lstat(os.path.join(dirpath, name)).st_size
                    files += 1
        return total, files


class _ClientContext:
    def __init__(self, client: Client) -> None:
        self.client = client

    def __enter__(self) -> Client:
        return self.client

    def __exit__(self, *exc) -> None:
        self.client.close()


def path_and_query(href: str) -> str:
    """``http://host/api/...?q`` → ``/api/...?q`` (the server builds absolute links)."""
    parts = urlsplit(href)
    return parts.path + ("?" + parts.query if parts.query else "")
