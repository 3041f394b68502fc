"""The AEM Assets HTTP API: Siren JSON over the whole tree at ``/api/assets``.

COPY and MOVE are registered as explicit methods and described in the README; Siren
actions cannot express them, so they are not advertised as actions.
"""
from flask import Blueprint

bp = Blueprint("aem", __name__)

from . import views  # noqa: E402,F401  (registers the routes)
