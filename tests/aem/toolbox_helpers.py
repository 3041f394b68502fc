"""Shared by the tests of AEM's toolbox (Sling's access manager, Granite's authorizables)."""
from __future__ import annotations

from xml.dom import minidom

from repository import ASSET, FOLDER, paths
from repository.accounts import Accounts


def system(app):
    return app.extensions["repository"]


def user(app, name: str, *, groups: tuple[str, ...] = ()) -> None:
    """Create the user ``name`` (and its groups) as the system."""
    repository = system(app)
    for group in groups:
        if not repository.principals.exists(group):
            repository.principals.create_group(group)
    if not repository.principals.exists(name):
        Accounts(repository).create_user(name, "pw-" + name, groups=groups)


def bearer(app, name: str, *scopes: str, tenant: str | None = None) -> dict[str, str]:
    """Headers with a new token of ``name`` (created if missing)."""
    user(app, name)
    token = Accounts(system(app)).create_token(name, scopes=scopes, tenant=tenant)
    return {"Authorization": f"Bearer {token}"}


def make_tree(app) -> None:
    """/photos/{cat.jpg, private/secret.jpg}"""
    repository = system(app)
    repository.create(("photos",), FOLDER)
    repository.create(("photos", "cat.jpg"), ASSET, blob=repository.blobs.put_bytes(b"cat"),
                      mime_type="image/jpeg")
    repository.create(("photos", "private"), FOLDER)
    repository.create(("photos", "private", "secret.jpg"), ASSET,
                      blob=repository.blobs.put_bytes(b"secret"), mime_type="image/jpeg")


def entries(app, path: str) -> list[tuple[str, int, int]]:
    """The entries set on ``path``, read as the system."""
    return [(e.principal, e.allow, e.deny)
            for e in system(app).access.entries(paths.parse(path))]


def html_field(body: str, element_id: str) -> str:
    """The text of the element with ``id`` in Sling's HTML answer, read as aem-cmd reads it
    (the page must be well-formed XML)."""
    for element in minidom.parseString(body).getElementsByTagName("*"):
        if element.getAttribute("id") == element_id:
            return "".join(node.nodeValue or "" for node in element.childNodes)
    raise AssertionError(f"no element with id {element_id!r} in {body}")
