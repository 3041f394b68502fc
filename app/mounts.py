"""The folders the flat-ID APIs keep their data in (``/ams``, ``/emporix``, ``/projects``).

Made by the server at start-up, so that an operator can grant rights on them at once, and
protected: only administrators may move, rename or delete them, or the folders an API
makes directly inside (a tenant's, a project's).
"""
from __future__ import annotations

from flask import Flask

from repository import AlreadyExists, Repository
from repository.paths import RepoPath, to_text


def prepare_mount(app: Flask, path: RepoPath, title: str, *, children_too: bool = False) -> None:
    """Create the folder ``path`` (titled ``title``) unless it exists, and protect it (and,
    with ``children_too``, every folder directly inside it)."""
    repository: Repository = app.extensions["repository"]
    try:
        repository.ensure_folder(path, properties={"jcr:title": title})
    except AlreadyExists as error:  # the API answers a clear error when it needs the folder
        app.logger.warning("%s should be a folder for its API: %s", to_text(path), error)
    repository.protect_mount(path)
    if children_too:
        repository.protect_mount(path + ("*",))
