"""The iQmetrix Asset Media Service (AMS) API: ``/v1/assets``, ``/v1/images`` (and the same
at the bare root), mapped onto asset nodes under ``/ams``. See :mod:`app.ams.views` for the
mapping and for the choices made where the vendor's page is silent.

The OpenAPI document is published by a flask-smorest :class:`~flask_smorest.Api` of its own,
configured with the ``AMS_`` prefix (``AMS_API_TITLE``, ``AMS_OPENAPI_URL_PREFIX``, ...), so
other APIs can publish their own documents next to it; it is served at
``/v1/openapi.json``.
"""
from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from renditions.probe import DEFAULT_MAX_PIXELS

from ..errors import add_routing_error_renderer
from .schemas import ErrorSchema
from .views import V1, http_error, make_blueprint

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
#: Paths whose routing errors (404, 405) answer in AMS's JSON format.
AMS_PATHS = ("/v1", "/assets", "/images")


class AmsApi(Api):
    """flask-smorest's Api, documenting AMS errors as ``{"message": ...}``.

    flask-smorest's Api registers an application-wide handler that turns every
    ``HTTPException`` (in every API, not only its own) into its JSON error format; with one
    Api per vendor API the last one would win. The AMS blueprints handle their own errors,
    so this Api registers no application-wide handler.
    """

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self) -> None:
        pass


def init_app(app: Flask) -> AmsApi:
    """Configure the AMS Api on ``app`` and register its blueprints."""
    for key, value in DEFAULT_CONFIG.items():
        app.config.setdefault(key, value)
    api = AmsApi(config_prefix=CONFIG_PREFIX)
    api.init_app(app)
    api.spec.components.security_scheme(
        "bearerAuth",
        {"type": "http", "scheme": "bearer",
         "description": "A token minted by `flask --app app tokens create --user NAME`"},
    )
    for name, prefix, serve_files in BLUEPRINTS:
        api.register_blueprint(make_blueprint(name, prefix, serve_files=serve_files))
    add_routing_error_renderer(app, _is_ams_path, http_error)
    app.extensions["ams_api"] = api
    return api


def _is_ams_path(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in AMS_PATHS)
