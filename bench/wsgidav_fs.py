"""The WebDAV baseline: WsgiDAV's own FilesystemProvider serving a directory at ``/dav``,
run by the same WSGI server as ours (Werkzeug's, threaded), anonymous, with WsgiDAV's
in-memory lock storage.

``python -m bench.wsgidav_fs DIRECTORY PORT`` (started by ``bench/dav.py``).
"""
from __future__ import annotations

import sys

from werkzeug.serving import run_simple
from wsgidav.error_printer import ErrorPrinter
from wsgidav.http_authenticator import HTTPAuthenticator
from wsgidav.request_resolver import RequestResolver
from wsgidav.wsgidav_app import WsgiDAVApp


def make_app(directory: str) -> WsgiDAVApp:
    return WsgiDAVApp({
        "provider_mapping": {"/dav": directory},
        "simple_dc": {"user_mapping": {"*": True}},  # anonymous: no authentication cost
        "http_authenticator": {"accept_basic": True, "accept_digest": False},
        "middleware_stack": [ErrorPrinter, HTTPAuthenticator, RequestResolver],
        "block_size": 1024 * 1024,
        "verbose": 1,
        "logging": {"enable": False},
    })


if __name__ == "__main__":
    run_simple("127.0.0.1", int(sys.argv[2]), make_app(sys.argv[1]), threaded=True)
