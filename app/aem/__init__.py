"""The AEM Assets HTTP API: Siren JSON over the whole tree at ``/api/assets``.

COPY and MOVE are registered as explicit methods and described in the README; Siren
actions cannot express them, so they are not advertised as actions.
"""
from flask import Blueprint
from werkzeug.routing import PathConverter

bp = Blueprint("aem", __name__)


class AnyPathConverter(PathConverter):
    """Like ``path``, but lets every character through (newlines, a leading "/"), so the
    repository's path rules, not the router, answer hostile paths with a clear 400."""

    regex = r"[\s\S]*?"
    part_isolating = False  # it matches across "/" (Werkzeug would infer True from the regex)


@bp.record_once
def _configure_routing(state) -> None:
    state.app.url_map.converters["anypath"] = AnyPathConverter
    # "/api/assets//x" must reach the path rules (400), not be redirected to "/api/assets/x".
    state.app.url_map.merge_slashes = False

from . import views  # noqa: E402,F401  (registers the routes)


def init_app(app) -> None:
    """Register the Assets HTTP API and AEM's toolbox (Sling's access manager, Granite's
    users and groups): two blueprints, each answering in its own shape."""
    from .toolbox import bp as toolbox_bp

    app.register_blueprint(bp)
    app.register_blueprint(toolbox_bp)
