"""The Emporix Media API (``/media/{tenant}/assets``), mapped onto the tree under
``/emporix/{tenant}``. See :mod:`app.emporix.views` for the routes and the choices made
where the vendor is silent, :mod:`app.emporix.documents` for the field mapping,
:mod:`app.emporix.auth` for tokens, tenants and scopes, and :mod:`repository.query` for the
``q`` and ``sort`` language.

The OpenAPI document is published by a flask-smorest :class:`~flask_smorest.Api` of its
own, configured with the ``EMPORIX_`` prefix, at ``/media/openapi.json``.

Settings (``instance/config.py`` or ``ASSETS_EMPORIX_*`` environment variables):

``EMPORIX_MAX_FILE_SIZE``   largest file of a BLOB asset, in bytes (default 10 MiB; see
                            ``app/config.py``); larger → 413 and nothing is stored
``EMPORIX_MAX_PAGE_SIZE``   largest ``pageSize`` of a listing (1000)
"""
from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from ..errors import add_routing_error_renderer
from .schemas import ErrorMessageSchema
from .views import http_error, make_blueprint, owns_path

CONFIG_PREFIX = "EMPORIX_"

DEFAULT_CONFIG = {
    "EMPORIX_API_TITLE": "Emporix Media Service",
    "EMPORIX_API_VERSION": "v1",
    "EMPORIX_OPENAPI_VERSION": "3.0.3",
    "EMPORIX_OPENAPI_URL_PREFIX": "/media",
    "EMPORIX_OPENAPI_JSON_PATH": "openapi.json",
    "EMPORIX_MAX_PAGE_SIZE": 1000,
}


class EmporixApi(Api):
    """flask-smorest's Api, documenting errors in the vendor's ``errorMessage`` shape.

    flask-smorest would register an application-wide handler for every ``HTTPException``
    (in every API); the Emporix blueprint handles its own errors, so this Api registers none.
    """

    ERROR_SCHEMA = ErrorMessageSchema

    def _register_error_handlers(self) -> None:
        pass


def init_app(app: Flask) -> EmporixApi:
    """Configure the Emporix Media API on ``app``: settings, OpenAPI document, blueprint."""
    for key, value in DEFAULT_CONFIG.items():
        app.config.setdefault(key, value)
    api = EmporixApi(config_prefix=CONFIG_PREFIX)
    api.init_app(app)
    api.spec.components.security_scheme(
        "bearerAuth",
        {"type": "http", "scheme": "bearer",
         "description": "A token bound to the tenant, with the scope media.asset_read or "
                        "media.asset_manage: `flask --app app tokens create --user NAME "
                        "--tenant TENANT --scope media.asset_manage`"},
    )
    api.register_blueprint(make_blueprint())
    add_routing_error_renderer(app, owns_path, http_error)
    app.extensions["emporix_api"] = api
    return api
