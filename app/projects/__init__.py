"""The Projects API v2 (MediaPocket's ``/api/v2/projects/{project_id}/assets`` and the
project and asset endpoints its users expect), mapped onto the tree under ``/projects``.
See :mod:`app.projects.views` for the mapping and the choices made where the vendor's page
is silent, :mod:`app.projects.importer` for the background media import,
:mod:`app.projects.jobs` for how imports are queued and run, and
:mod:`app.projects.fetch` for the rules on which URLs are fetched.

The OpenAPI document (:mod:`app.openapi`, settings prefixed ``PROJECTS_``) is served at
``/api/v2/openapi.json``.

Settings (defaults below; override in ``instance/config.py`` or with ``ASSETS_PROJECTS_*``
environment variables, e.g. ``ASSETS_PROJECTS_FETCH_ALLOW='["10.1.0.0/16"]'``):

``PROJECTS_FETCH_ALLOW``          addresses/networks that URL imports may reach although
                                  they are loopback, private, link-local, ... (default: none)
``PROJECTS_FETCH_TIMEOUT``        seconds for connecting and for each read (30)
``PROJECTS_FETCH_TOTAL_TIMEOUT``  seconds for a whole download (600)
``PROJECTS_FETCH_MAX_BYTES``      largest media file imported (100 MiB)
``PROJECTS_FETCH_MAX_REDIRECTS``  redirects followed (5)
``PROJECTS_IMPORT_WORKERS``       import threads per server process (4); 0: none, the
                                  process only stores import jobs for others to run
``PROJECTS_IMPORT_POLL_SECONDS``  how often idle import threads look for jobs other
                                  processes stored (2; their own wake them at once)
``PROJECTS_IMPORT_MAX_ATTEMPTS``  runs of an import lost with their process (its job's
                                  lease ran out, see ``JOBS_LEASE_SECONDS``) before the
                                  import fails (3)
``PROJECTS_MAX_IMAGE_PIXELS``     larger images count as documents (Pillow's default)
``PROJECTS_S3_BUCKET``            the bucket ``s3[s3_key]`` reads from (unset: no S3 import)
``PROJECTS_S3_ENDPOINT_URL``      an S3-compatible endpoint (unset: AWS)
``PROJECTS_S3_REGION``, ``PROJECTS_S3_ACCESS_KEY_ID``, ``PROJECTS_S3_SECRET_ACCESS_KEY``
                                  (unset: boto3's usual credential chain)
``PROJECTS_S3_ADDRESSING_STYLE``  ``auto``, ``path`` or ``virtual`` (auto)

S3 imports need boto3 (the ``s3`` extra); without it the server runs and answers S3
imports with a 400 that says so.

Imports are jobs in the database (:mod:`app.projects.jobs`), so they survive a restart and
are shared by all server processes. A process starts its import threads at its first
request, not in ``create_app``: ``create_app`` also runs for every ``flask`` CLI command,
which must not take jobs it would abandon when it exits, and a server that forks after
loading the app (``gunicorn --preload``) gets the threads in each worker process.
``flask --app app projects run-imports`` runs the pending imports in the CLI process.
"""
from __future__ import annotations

from flask import Flask

from ..auth import PROJECTS
from ..mounts import prepare_mount
from ..openapi import VendorApi, publish
from .cli import cli
from .importer import DEFAULT_MAX_PIXELS, settings_from_config
from .jobs import ImportWorker
from .schemas import ErrorSchema
from .views import PROJECTS_FOLDER, make_blueprint, owns_path, routing_error

CONFIG_PREFIX = "PROJECTS_"
BLUEPRINT = "projects"

DEFAULT_CONFIG = {
    "PROJECTS_API_TITLE": "Projects API v2",
    "PROJECTS_API_VERSION": "v2",
    "PROJECTS_OPENAPI_VERSION": "3.0.3",
    "PROJECTS_OPENAPI_URL_PREFIX": "/api/v2",
    "PROJECTS_OPENAPI_JSON_PATH": "openapi.json",
    "PROJECTS_FETCH_ALLOW": [],
    "PROJECTS_FETCH_TIMEOUT": 30,
    "PROJECTS_FETCH_TOTAL_TIMEOUT": 600,
    "PROJECTS_FETCH_MAX_BYTES": 100 * 1024 * 1024,
    "PROJECTS_FETCH_MAX_REDIRECTS": 5,
    "PROJECTS_IMPORT_WORKERS": 4,
    "PROJECTS_IMPORT_POLL_SECONDS": 2.0,
    "PROJECTS_IMPORT_MAX_ATTEMPTS": 3,
    "PROJECTS_MAX_IMAGE_PIXELS": DEFAULT_MAX_PIXELS,
    "PROJECTS_S3_BUCKET": None,
    "PROJECTS_S3_ENDPOINT_URL": None,
    "PROJECTS_S3_REGION": None,
    "PROJECTS_S3_ACCESS_KEY_ID": None,
    "PROJECTS_S3_SECRET_ACCESS_KEY": None,
    "PROJECTS_S3_ADDRESSING_STYLE": "auto",
}


def init_app(app: Flask) -> VendorApi:
    """Configure the Projects API on ``app``: settings, OpenAPI document, blueprint, the
    import threads (``app.extensions["projects_importer"]``) and the CLI."""
    api = publish(
        app, config_prefix=CONFIG_PREFIX, defaults=DEFAULT_CONFIG, error_schema=ErrorSchema,
        security=("apiKey", {
            "type": "apiKey", "in": "header", "name": "X-API-KEY",
            "description": "A token minted by `flask --app app tokens create --user NAME`"}),
        owns_path=owns_path, render_routing_error=routing_error,
    )
    # Fail at start-up, not at the first import, on a malformed allow-list.
    from .fetch import parse_allow

    parse_allow(app.config["PROJECTS_FETCH_ALLOW"])
    api.register_blueprint(make_blueprint(BLUEPRINT))
    repository = app.extensions["repository"]
    prepare_mount(app, PROJECTS_FOLDER, "Projects", children_too=True)
    repository.own_properties(PROJECTS, prefix="projects:")
    app.extensions["projects_importer"] = ImportWorker(
        app.extensions["repository"],
        lambda: settings_from_config(app.config),
        threads=int(app.config["PROJECTS_IMPORT_WORKERS"] or 0),
        poll_seconds=float(app.config["PROJECTS_IMPORT_POLL_SECONDS"]),
        max_attempts=int(app.config["PROJECTS_IMPORT_MAX_ATTEMPTS"]),
    )
    app.cli.add_command(cli)

    @app.before_request
    def _start_importer() -> None:
        # Looked up each time: a test may put a worker of its own in its place.
        app.extensions["projects_importer"].start()

    return api
