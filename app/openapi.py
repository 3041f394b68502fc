"""What the flat-ID APIs (AMS, Emporix, Projects) share: each publishes its own OpenAPI
document through a flask-smorest :class:`~flask_smorest.Api` of its own, configured with
its own settings prefix (``AMS_``, ``EMPORIX_``, ``PROJECTS_``: title, version, URL prefix,
...), and answers routing errors (404, 405) on its paths in its vendor's error format.
"""
from __future__ import annotations

from typing import Any, Callable

from flask import Flask
from flask_smorest import Api
from marshmallow import Schema
from werkzeug.exceptions import HTTPException

from .errors import add_routing_error_renderer


class VendorApi(Api):
    """flask-smorest's Api, documenting errors with the vendor's own error schema.

    flask-smorest's Api registers an application-wide handler that turns every
    ``HTTPException`` (in every API, not only its own) into its JSON error format; with one
    Api per vendor API the last one would win. Each vendor blueprint handles its own errors,
    so this Api registers no application-wide handler.
    """

    def __init__(self, *, config_prefix: str, error_schema: type[Schema]) -> None:
        self.ERROR_SCHEMA = error_schema  # read by flask-smorest when documenting errors
        super().__init__(config_prefix=config_prefix)

    def _register_error_handlers(self) -> None:
        pass


def publish(
    app: Flask,
    *,
    config_prefix: str,
    defaults: dict[str, Any],
    error_schema: type[Schema],
    security: tuple[str, dict[str, Any]],
    owns_path: Callable[[str], bool],
    render_routing_error: Callable[[HTTPException], object],
) -> VendorApi:
    """Set ``defaults`` where the app's config has no value, and start a :class:`VendorApi`
    on ``app`` with one security scheme (name, definition); the caller registers its
    blueprints on it. Routing errors on paths ``owns_path`` claims go to
    ``render_routing_error``."""
    for key, value in defaults.items():
        app.config.setdefault(key, value)
    api = VendorApi(config_prefix=config_prefix, error_schema=error_schema)
    api.init_app(app)
    api.spec.components.security_scheme(*security)
    add_routing_error_renderer(app, owns_path, render_routing_error)
    return api
