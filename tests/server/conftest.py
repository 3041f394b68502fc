"""A real server process on loopback, for what the test client cannot show: concurrency,
a kill in the middle of an upload, and the server's own memory."""
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

import pytest

PASSWORD = "server-test-password"
AUTH = "Basic " + base64.b64encode(f"admin:{PASSWORD}".encode()).decode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, instance: Path, env: dict[str, str] | None = None) -> None:
        self.instance = instance
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        #: Settings of this server (``ASSETS_*`` variables) beyond the instance and password.
        self.env = env or {}

    def start(self) -> "Server":
        env = {k: v for k, v in os.environ.items() if not k.startswith("ASSETS_")}
        env.update(ASSETS_INSTANCE_PATH=str(self.instance), ASSETS_ADMIN_PASSWORD=PASSWORD,
                   **self.env)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "app", "run", "--port", str(self.port),
             "--no-reload", "--no-debugger", "--with-threads"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
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
