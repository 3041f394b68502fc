"""The permission matrix's world: one app per test, on SQLite and on PostgreSQL, with a
small tree and one principal of every kind the matrix asks about.

Tree (made as the system)::

    /m/a.txt  /m/sub/b.txt  /m/locked/c.txt  /dest/

Callers, by the name the tests use:

==============  ========================================================================
``admin``       the built-in administrator (HTTP Basic)
``norights``    a user with no entry anywhere and no group
``reader``      ``jcr:read`` on ``/``
``writer``      ``jcr:read`` and ``jcr:removeChildNodes`` on ``/``, ``jcr:write`` on ``/m``
                and ``/dest``
``denied``      as writer, plus a deny of ``jcr:all`` on ``/m/locked``
``member``      no entry of its own; a member of ``editors``, which has writer's entries
``scoped``      writer's user, through a token with the scope ``assets.read`` only
``tenant``      writer's user, through a token bound to the Emporix tenant ``other``
``revoked``     writer's user, through a token revoked after it was made
``expired``     writer's user, through a token whose lifetime has passed
==============  ========================================================================
"""
from __future__ import annotations

import base64
import time
from datetime import timedelta

import pytest

from repository import ASSET, FOLDER
from repository.access import READ, REMOVE_CHILD_NODES, WRITE, privilege_bits
from tests.postgres_server import postgres_server, postgres_url  # noqa: F401 (fixtures)

PASSWORD = "a password"
CALLERS = ["admin", "norights", "reader", "writer", "denied", "member", "scoped", "tenant",
           "revoked", "expired"]


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(params=[pytest.param("sqlite", marks=pytest.mark.sqlite),
                        pytest.param("postgresql", marks=pytest.mark.postgresql)])
def app(request, make_app):
    if request.param == "sqlite":
        return make_app()
    return make_app(DATABASE_URL=request.getfixturevalue("postgres_url"))


@pytest.fixture
def repository(app):
    return app.extensions["repository"]


class World:
    """The tree, the principals, and each caller's credentials."""

    def __init__(self, app) -> None:
        self.app = app
        self.repository = repo = app.extensions["repository"]
        accounts = app.extensions["accounts"]
        blob = repo.blobs.put_bytes(b"bytes")
        for path, kind in [(("m",), FOLDER), (("m", "a.txt"), ASSET), (("m", "sub"), FOLDER),
                           (("m", "sub", "b.txt"), ASSET), (("m", "locked"), FOLDER),
                           (("m", "locked", "c.txt"), ASSET), (("dest",), FOLDER)]:
            repo.create(path, kind, blob=blob if kind == ASSET else None,
                        mime_type="text/plain" if kind == ASSET else None)
        repo.principals.create_group("editors")
        for name in ["norights", "reader", "writer", "denied", "member"]:
            accounts.create_user(name, PASSWORD, email=f"{name}@example.com",
                                 groups=["editors"] if name == "member" else ())
        for principal in ["reader", "writer", "denied", "editors"]:
            repo.access.modify((), principal, granted=READ)
        for principal in ["writer", "denied", "editors"]:
            repo.access.modify((), principal, granted=REMOVE_CHILD_NODES)
            for path in [("m",), ("dest",)]:
                repo.access.modify(path, principal, granted=WRITE)
        repo.access.modify(("m", "locked"), "denied", denied=privilege_bits(["jcr:all"]))
        revoked = accounts.create_token("writer")
        accounts.revoke_token(revoked.split(".")[0])
        expired = accounts.create_token("writer", expires_in=timedelta(milliseconds=1))
        time.sleep(0.01)
        self.headers = {
            "admin": basic("admin", app.config["ADMIN_PASSWORD"]),
            **{name: basic(name, PASSWORD)
               for name in ["norights", "reader", "writer", "denied", "member"]},
            "scoped": bearer(accounts.create_token("writer", scopes=["assets.read"])),
            "tenant": bearer(accounts.create_token("writer", scopes=["media.asset_manage"],
                                                   tenant="other")),
            "revoked": bearer(revoked),
            "expired": bearer(expired),
        }

    def bearer_for(self, user: str, **kwargs) -> dict[str, str]:
        """Headers of a new token of ``user`` (``scopes=``, ``tenant=``)."""
        return bearer(self.app.extensions["accounts"].create_token(user, **kwargs))

    def snapshot(self) -> dict:
        """Everything stored in the tree, as the system sees it."""
        found = {}

        def walk(path):
            for node in self.repository.list_children(path, limit=None).nodes:
                found[node.path] = (node.kind, node.properties, node.blob, node.mime_type,
                                    node.version)
                walk(node.path)

        walk(())
        return found


@pytest.fixture
def world(app) -> World:
    return World(app)


@pytest.fixture
def client(app):
    return app.test_client()
