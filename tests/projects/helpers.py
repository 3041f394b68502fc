"""Helpers for the Projects API v2 tests: a client wrapper that sends the API key, small
real files, and a tiny HTTP server on loopback that serves them."""
from __future__ import annotations

import hashlib
import io
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

from PIL import Image

#: The page's example body (every successful example sends these fields).
SAMPLE = {
    "title": "Sample Asset",
    "description": "Sample asset from API V2",
    "category": "Sample",
    "tags": ["sample", "test"],
}
ASSET_FIELDS = [
    "id", "external_id", "parent_id", "project_id", "owner", "title", "description",
    "category", "tags", "ai_tags", "status", "media_type", "original_filename",
    "drop_folder_id", "md5_sum", "created_date", "modification_date", "deleted",
]
ID_PATTERN = r"[A-Za-z0-9_-]{20}"
DATE_PATTERN = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"
OWNER_EMAIL = "admin-user-253@example.com"


def png(width: int = 9, height: int = 7) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 120, 200)).save(out, "PNG")
    return out.getvalue()


def jpeg(width: int = 16, height: int = 12) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 60)).save(out, "JPEG")
    return out.getvalue()


def mp4_header() -> bytes:
    """The first bytes of an MP4 file (an ftyp box), enough for magic-byte sniffing."""
    return (b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00\x00\x00\x08free"
            + b"\x00" * 64)


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


class Projects:
    """The Flask test client with an X-API-KEY, and Projects API shortcuts."""

    def __init__(self, client, key: str) -> None:
        self.client = client
        self.key = key

    def headers(self, key: str | None = None) -> dict[str, str]:
        return {"X-API-KEY": self.key if key is None else key}

    def post(self, path: str, body: Any = None, **kwargs):
        return self.client.post(path, json=body, headers=self.headers(), **kwargs)

    def put(self, path: str, body: Any = None):
        return self.client.put(path, json=body, headers=self.headers())

    def get(self, path: str):
        return self.client.get(path, headers=self.headers())

    def create_project(self, project_id: str | None = None, title: str = "Sample Project") -> dict:
        body = {"title": title}
        if project_id is not None:
            body["id"] = project_id
        response = self.post("/api/v2/projects", body)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()["project"]

    def create_asset(self, project_id: str, body: dict) -> dict:
        response = self.post(f"/api/v2/projects/{project_id}/assets", body)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()["asset"]

    def asset(self, asset_id: str) -> dict:
        response = self.get(f"/api/v2/assets/{asset_id}")
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()["asset"]

    def wait_for_import(self, asset_id: str, timeout: float = 10.0) -> dict:
        """Poll GET /api/v2/assets/{id} until the media is no longer processing."""
        deadline = time.monotonic() + timeout
        while True:
            asset = self.asset(asset_id)
            if asset["media_type"] != "processing":
                return asset
            if time.monotonic() > deadline:
                raise AssertionError(f"asset {asset_id} still processing after {timeout} s")
            time.sleep(0.02)


# -- a file server on loopback -------------------------------------------------------------

Route = tuple[int, dict[str, str], bytes] | Callable[[BaseHTTPRequestHandler], None]


class FileServer:
    """``ThreadingHTTPServer`` on 127.0.0.1 with routes set by each test; records every
    request as (path, Host header)."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, str | None]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                server.requests.append((self.path, self.headers.get("Host")))
                route = server.routes.get(self.path.split("?", 1)[0])
                if route is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if callable(route):
                    route(self)
                    return
                status, headers, body = route
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                if "Content-Length" not in headers:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def serve(self, path: str, body: bytes, content_type: str = "application/octet-stream",
              status: int = 200) -> str:
        self.routes[path] = (status, {"Content-Type": content_type}, body)
        return self.url(path)

    def redirect(self, path: str, location: str, status: int = 302) -> str:
        self.routes[path] = (status, {"Location": location}, b"")
        return self.url(path)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
