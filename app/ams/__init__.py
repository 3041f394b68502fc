"""The iQmetrix Asset Media Service (AMS) API: ``/v1/assets``, ``/v1/images`` (and the same
at the bare root), mapped onto asset nodes under ``/ams``. See :mod:`app.ams.views` for the
mapping and for the choices made where the vendor's page is silent.

The OpenAPI document (:mod:`app.openapi`, settings prefixed ``AMS_``) is served at
``/v1/openapi.json``.
"""
from __future__ import annotations

from flask import Flask

from renditions.probe import DEFAULT_MAX_PIXELS

from ..auth import AMS
from ..mounts import prepare_mount
from ..openapi import VendorApi, publish
from .schemas import ErrorSchema
from .views import AMS_FOLDER, V1, http_error, make_blueprint

CONFIG_PREFIX = "AMS_"

DEFAULT_CONFIG = {
    "AMS_API_TITLE": "iQmetrix Asset Media Service (AMS)",
    "AMS_API_VERSION": "v1",
    "AMS_OPENAPI_VERSION": "3.0.3",
    "AMS_OPENAPI_URL_PREFIX": "/v1",
    "AMS_OPENAPI_JSON_PATH": "openapi.json",
    #: Images with more pixels are stored without a size and are no images for /images
    #: (possible decompression bombs; see renditions.probe).
    "AMS_MAX_IMAGE_PIXELS": DEFAULT_MAX_PIXELS,
}

#: (blueprint name, URL prefix, serves the file URLs that ``href`` names)
BLUEPRINTS = ((V1, "/v1", True), ("ams_root", "", False))
#: The stored AMS fields (see app.ams.views): only AMS uploads (and the server's own
#: rendition job) write them on nodes under /ams.
AMS_OWNED_PROPERTIES = ("jcr:title", "tiff:ImageWidth", "tiff:ImageLength")
#: Paths whose routing errors (404, 405) answer in AMS's JSON format.
AMS_PATHS = ("/v1", "/assets", "/images")


def init_app(app: Flask) -> VendorApi:
    """Configure the AMS Api on ``app`` and register its blueprints."""
    api = publish(
        app, config_prefix=CONFIG_PREFIX, defaults=DEFAULT_CONFIG, error_schema=ErrorSchema,
        security=("bearerAuth", {
            "type": "http", "scheme": "bearer",
            "description": "A token minted by `flask --app app tokens create --user NAME`"}),
        owns_path=_is_ams_path, render_routing_error=http_error,
    )
    for name, prefix, serve_files in BLUEPRINTS:
        api.register_blueprint(make_blueprint(name, prefix, serve_files=serve_files))
    repository = app.extensions["repository"]
    prepare_mount(app, AMS_FOLDER, "iQmetrix AMS")
    repository.own_properties(AMS, keys=AMS_OWNED_PROPERTIES, under=AMS_FOLDER)
    return api


def _is_ams_path(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in AMS_PATHS)
