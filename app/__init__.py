"""The Flask application: ``flask --app app run`` or ``gunicorn 'app:create_app()'``."""
from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g

from repository import AlreadyExists, Repository
from repository.access import ANONYMOUS
from repository.accounts import Accounts
from repository.blobs import make_private_dirs
from repository.keys import server_key

from . import config as default_config


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    instance_path = os.environ.get("ASSETS_INSTANCE_PATH")
    app = Flask(
        __name__,
        instance_path=os.path.abspath(instance_path) if instance_path else None,
        instance_relative_config=True,
    )
    app.config.from_object(default_config)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("ASSETS")
    else:
        app.config.from_mapping(test_config)
    make_private_dirs(Path(app.instance_path))  # data of the users: 0700

    repository = Repository(
        app.config["DATABASE_URL"] or f"sqlite:///{Path(app.instance_path) / 'assets.db'}",
        app.config["BLOB_ROOT"] or str(Path(app.instance_path) / "blobs"),
        listing_budget=app.config["LISTING_TIME_BUDGET"],
        job_lease_seconds=float(app.config["JOBS_LEASE_SECONDS"]),
    )
    repository.create_schema()
    app.extensions["repository"] = repository
    app.extensions["accounts"] = Accounts(repository)
    app.secret_key = app.config.get("SECRET_KEY") or server_key(repository, "signing")
    _bootstrap_admin(app)
    _guard_logins(app)

    from . import aem, ams, bodies, cli, csrf, dav, emporix, projects, renditions

    bodies.init_app(app)
    csrf.init_app(app)  # first: its check runs before any API's
    aem.init_app(app)
    ams.init_app(app)
    projects.init_app(app)
    emporix.init_app(app)
    renditions.init_app(app)
    dav.init_app(app)
    cli.register(app)
    return app


def get_repository() -> Repository:
    """The repository acting for the request's caller (set by the API's authentication,
    :mod:`app.auth`); a request that set none acts as nobody and may do nothing."""
    view = g.get("_repository")
    caller = g.get("caller", ANONYMOUS)
    if view is None or view.caller is not caller:
        view = g._repository = system_repository().acting_for(caller, one_request=True)
    return view


def system_repository() -> Repository:
    """The repository acting for the server itself: for start-up, background work, the
    command line, and an API's own mount folders; never for what a request asks."""
    return current_app.extensions["repository"]


def get_accounts() -> Accounts:
    """Users and tokens, managed as the request's caller may (administrators only)."""
    return Accounts(get_repository())


def system_accounts() -> Accounts:
    return current_app.extensions["accounts"]


def _guard_logins(app: Flask) -> None:
    from flask import jsonify

    from .logins import LoginGuard, TooManyLogins

    config = app.config
    app.extensions["logins"] = LoginGuard(
        app.extensions["accounts"], str(app.secret_key).encode(),
        cache_seconds=float(config["LOGIN_CACHE_SECONDS"]),
        window_seconds=float(config["LOGIN_FAILURE_WINDOW"]),
        max_per_address=int(config["LOGIN_MAX_FAILURES_PER_ADDRESS"]),
        max_per_user=int(config["LOGIN_MAX_FAILURES_PER_USER"]),
    )

    @app.errorhandler(TooManyLogins)
    def _too_many(error: TooManyLogins):  # APIs with an error format of their own override it
        response = jsonify(error=error.message)
        response.status_code = 429
        response.headers.update(error.headers)
        return response


def _bootstrap_admin(app: Flask) -> None:
    """There is never a built-in password: take one from the settings, or make one up."""
    accounts: Accounts = app.extensions["accounts"]
    password = app.config.get("ADMIN_PASSWORD")
    if password:
        accounts.ensure_user("admin", str(password))
        return
    if accounts.count_users() > 0:
        return
    # The password reaches the disk before admin exists: a start that cannot write it
    # creates no admin (the next start tries again), and one that dies after creating
    # admin leaves the password in the temporary file beside admin-password.txt.
    password = secrets.token_urlsafe(18)
    target = Path(app.instance_path) / "admin-password.txt"
    fd, pending = tempfile.mkstemp(dir=app.instance_path, prefix=".admin-password-")
    created = False
    try:
        with os.fdopen(fd, "w") as out:  # mkstemp makes it readable only by its owner
            out.write(password + "\n")
            out.flush()
            os.fsync(out.fileno())
        try:
            accounts.create_user("admin", password)
        except AlreadyExists:  # another process starting at the same moment made it
            return
        created = True
        os.replace(pending, target)
    finally:
        if not created and os.path.exists(pending):
            os.unlink(pending)
    app.logger.warning("Created the user 'admin'; its password is in %s (readable only by you)",
                       target)
