"""Contract: a property that must be unique among siblings (the Projects API's external
id). The database enforces it for every write — create, update, copy, move — and for
concurrent writers, on every backend."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from repository import ASSET, FOLDER, AlreadyExists, Node, PropertyTaken, Repository
from repository.models import SIBLING_UNIQUE_PROPERTY as KEY

from .helpers import run_in_threads, snapshot


@pytest.fixture
def project(repo):
    repo.create(("p",), FOLDER)
    repo.create(("p", "a1"), ASSET, properties={KEY: "sku-1", "title": "first"})
    repo.create(("other",), FOLDER)
    return ("p",)


def test_a_second_child_with_the_same_value_is_refused_and_nothing_is_stored(repo, project):
    before = snapshot(repo)
    with pytest.raises(PropertyTaken, match="sku-1"):
        repo.create(("p", "a2"), ASSET, properties={KEY: "sku-1"})
    assert snapshot(repo) == before
    assert issubclass(PropertyTaken, AlreadyExists)


def test_other_parents_empty_strings_and_non_strings_are_not_constrained(repo, project):
    repo.create(("other", "a1"), ASSET, properties={KEY: "sku-1"})
    for name in ("e1", "e2"):
        repo.create(("p", name), ASSET, properties={KEY: ""})
    for name in ("n1", "n2"):
        repo.create(("p", name), ASSET, properties={KEY: 7})
    assert repo.list_children(("p",)).total == 5


def test_updating_to_a_taken_value_is_refused_and_leaves_the_node(repo, project):
    repo.create(("p", "a2"), ASSET, properties={KEY: "sku-2"})
    before = repo.get(("p", "a2"))
    with pytest.raises(PropertyTaken):
        repo.update(("p", "a2"), properties={KEY: "sku-1", "title": "changed"})
    assert repo.get(("p", "a2")) == before


def test_updating_a_node_that_keeps_its_value_is_fine(repo, project):
    node = repo.update(("p", "a1"), properties={KEY: "sku-1", "title": "renamed"})
    assert node.properties == {KEY: "sku-1", "title": "renamed"}
    assert repo.update(("p", "a1"), properties={KEY: None}).properties == {"title": "renamed"}
    repo.create(("p", "a2"), ASSET, properties={KEY: "sku-1"})  # free again


def test_a_copy_beside_its_source_is_refused_a_copy_elsewhere_is_fine(repo, project):
    before = snapshot(repo)
    with pytest.raises(PropertyTaken):
        repo.copy(("p", "a1"), ("p", "a1-copy"))
    assert snapshot(repo) == before
    repo.copy(("p", "a1"), ("other", "a1-copy"))
    repo.copy(("p",), ("p-copy",))  # the children land in a new parent
    assert repo.get(("p-copy", "a1")).properties[KEY] == "sku-1"


def test_a_move_next_to_a_holder_is_refused_a_rename_in_place_is_fine(repo, project):
    repo.create(("other", "b"), ASSET, properties={KEY: "sku-1"})
    before = snapshot(repo)
    with pytest.raises(PropertyTaken):
        repo.move(("other", "b"), ("p", "b"))
    assert snapshot(repo) == before
    repo.move(("p", "a1"), ("p", "renamed"))
    assert repo.get(("p", "renamed")).properties[KEY] == "sku-1"


def test_concurrent_creates_of_one_value_have_exactly_one_winner(repo, project):
    barrier = threading.Barrier(6)

    def create(i):
        def run():
            barrier.wait(10)
            return repo.create(("p", f"racer-{i}"), ASSET, properties={KEY: "contested"})
        return run

    results = run_in_threads(*[create(i) for i in range(6)])
    assert sum(isinstance(r, Node) for r in results) == 1, results
    assert sum(isinstance(r, PropertyTaken) for r in results) == 5, results


def test_create_schema_adds_the_index_to_a_database_made_without_it(repo, project,
                                                                    database_url, blob_root):
    with repo.engine.begin() as connection:
        connection.execute(text("DROP INDEX uq_nodes_sibling_property"))
    repo.create(("p", "dup"), ASSET, properties={KEY: "sku-9"})
    repo.delete(("p", "dup"))
    again = Repository(database_url, str(blob_root))
    try:
        again.create_schema()
        again.create(("p", "a9"), ASSET, properties={KEY: "sku-9"})
        with pytest.raises(PropertyTaken):
            again.create(("p", "a10"), ASSET, properties={KEY: "sku-9"})
    finally:
        again.dispose()
