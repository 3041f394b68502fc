"""The Emporix Media API (``/media/{tenant}/assets``), mapped onto the tree under
``/emporix/{tenant}``. See :mod:`app.emporix.views` for the routes and the choices made
where the vendor is silent, :mod:`app.emporix.documents` for the field mapping,
:mod:`app.emporix.auth` for tokens, tenants and scopes, and :mod:`repository.query` for the
``q`` and ``sort`` language.

The OpenAPI document (:mod:`app.openapi`, settings prefixed ``EMPORIX_``) is served at
``/media/openapi.json``.

Settings (``instance/config.py`` or ``ASSETS_EMPORIX_*`` environment variables):

``EMPORIX_MAX_FILE_SIZE``   largest file of a BLOB asset, in bytes (default 10 MiB; see
                            ``app/config.py``); larger → 413 and nothing is stored
``EMPORIX_MAX_PAGE_SIZE``   largest ``pageSize`` of a listing (1000)
"""
from __future__ import annotations

from flask import Flask

from ..auth import EMPORIX
from ..mounts import prepare_mount
from ..openapi import VendorApi, publish
from .documents import DOC, EMPORIX_FOLDER
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


def init_app(app: Flask) -> VendorApi:
    """Configure the Emporix Media API on ``app``: settings, OpenAPI document, blueprint."""
    api = publish(
        app, config_prefix=CONFIG_PREFIX, defaults=DEFAULT_CONFIG,
        error_schema=ErrorMessageSchema,
        security=("bearerAuth", {
            "type": "http", "scheme": "bearer",
            "description": "A token bound to the tenant, with the scope media.asset_read or "
                           "media.asset_manage: `flask --app app tokens create --user NAME "
                           "--tenant TENANT --scope media.asset_manage`"}),
        owns_path=owns_path, render_routing_error=http_error,
    )
    api.register_blueprint(make_blueprint())
    repository = app.extensions["repository"]
    prepare_mount(app, EMPORIX_FOLDER, "Emporix Media", children_too=True)
    # The stored document: only this API (with its rules) writes it.
    repository.own_properties(EMPORIX, keys=(DOC,))
    return api
