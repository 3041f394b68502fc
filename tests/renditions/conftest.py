"""A Repository on SQLite in tmp_path, for the tests that store renditions (no app)."""
from __future__ import annotations

import pytest

from repository import FOLDER, Repository


@pytest.fixture
def repo(tmp_path):
    repository = Repository(f"sqlite:///{tmp_path / 'assets.db'}", str(tmp_path / "blobs"))
    repository.create_schema()
    repository.create(("f",), FOLDER)
    yield repository
    repository.dispose()
