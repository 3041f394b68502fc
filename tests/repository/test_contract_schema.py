"""Contract: creating the schema is safe when several processes start at once.

Server workers and CLI commands each call ``create_schema`` when they start; on a new
database they may all do so at the same moment. Each Repository here has its own engine
(its own connections), as separate processes would.
"""
from __future__ import annotations

import threading

from repository import FOLDER, Repository
from repository.models import ROOT_ID

from .helpers import run_in_threads

STARTERS = 6


def test_concurrent_schema_creation_on_a_new_database_all_succeed(database_url, blob_root):
    repositories = [Repository(database_url, str(blob_root)) for _ in range(STARTERS)]
    barrier = threading.Barrier(STARTERS)

    def start(repository: Repository):
        def run():
            barrier.wait(10)
            repository.create_schema()
        return run

    try:
        results = run_in_threads(*[start(r) for r in repositories])
        assert results == [None] * STARTERS, results
        for repository in repositories:  # every process sees one tree with one root
            assert repository.get(()).id == ROOT_ID
        repositories[0].create(("made-by-one",), FOLDER)
        assert [n.name for n in repositories[-1].list_children(()).nodes] == ["made-by-one"]
    finally:
        for repository in repositories:
            repository.dispose()


def test_creating_the_schema_again_keeps_what_is_stored(repo, database_url, blob_root):
    repo.create(("kept",), FOLDER, properties={"title": "Kept"})
    again = Repository(database_url, str(blob_root))
    try:
        again.create_schema()
        assert again.get(("kept",)).properties == {"title": "Kept"}
    finally:
        again.dispose()
