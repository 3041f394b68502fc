"""``flask --app app renditions rebuild [PATH]`` and ``renditions run``."""
from __future__ import annotations

from renditions.pipeline import STATUS
from repository import ASSET, FOLDER, RENDITION

from tests.renditions.helpers import encoded, quadrants


def _tree(repository):
    repository.create(("a",), FOLDER)
    repository.create(("a", "deep"), FOLDER)
    repository.create(("b",), FOLDER)
    made = {}
    for path, data, mime in [
        (("a", "one.png"), encoded(quadrants(300, 200), "PNG"), "image/png"),
        (("a", "deep", "two.jpg"), encoded(quadrants(200, 300), "JPEG"), "image/jpeg"),
        (("a", "deep", "notes.txt"), b"text", "text/plain"),
        (("a", "deep", "broken.png"), b"\x89PNG\r\n\x1a\nbroken", "image/png"),
        (("b", "three.png"), encoded(quadrants(50, 50), "PNG"), "image/png"),
    ]:
        made[path[-1]] = repository.create(path, ASSET, blob=repository.blobs.put_bytes(data),
                                           mime_type=mime)
    return made


def count(repository, node) -> int:
    return repository.list_children(node.path, kinds=[RENDITION], limit=None).total


def test_rebuild_makes_the_renditions_of_a_subtree_only(app):
    repository = app.extensions["repository"]
    assets = _tree(repository)
    result = app.test_cli_runner().invoke(args=["renditions", "rebuild", "/a"])
    assert result.exit_code == 0, result.output
    assert "4 assets: 2 done, 1 without renditions (not images), 1 failed" in result.output
    assert "Renditions under /a" in result.output  # the progress bar's label
    assert count(repository, assets["one.png"]) == count(repository, assets["two.jpg"]) == 4
    assert count(repository, assets["notes.txt"]) == 0
    assert count(repository, assets["three.png"]) == 0  # outside /a
    assert repository.get_by_id(assets["broken.png"].id).properties[STATUS] == "failed"


def test_a_successful_rebuild_forgets_the_assets_failed_job(app):
    repository = app.extensions["repository"]
    assets = _tree(repository)
    broken = assets["broken.png"]
    app.test_cli_runner().invoke(args=["renditions", "run"])
    assert [j.node_id for j in repository.jobs.jobs(status="failed")] == [broken.id]
    repository.update(broken.path, blob=repository.blobs.put_bytes(encoded(quadrants(9, 9), "PNG")))
    repository.jobs.finish(repository.jobs.claim_next(), failed="say it failed again")
    result = app.test_cli_runner().invoke(args=["renditions", "rebuild", "/a/deep/broken.png"])
    assert "1 done" in result.output
    assert repository.jobs.jobs(status="failed") == []


def test_rebuild_without_a_path_covers_everything_and_can_run_again(app):
    repository = app.extensions["repository"]
    assets = _tree(repository)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["renditions", "rebuild"]).exit_code == 0
    first = {n.name: n.blob for n in repository.list_children(
        assets["three.png"].path, kinds=[RENDITION], limit=None).nodes}
    result = runner.invoke(args=["renditions", "rebuild", "/b/three.png"])
    assert "1 assets: 1 done" in result.output
    again = {n.name: n.blob for n in repository.list_children(
        assets["three.png"].path, kinds=[RENDITION], limit=None).nodes}
    assert again == first and len(first) == 4


def test_rebuild_of_a_missing_path_fails_with_a_message(app):
    result = app.test_cli_runner().invoke(args=["renditions", "rebuild", "/nowhere"])
    assert result.exit_code != 0 and "does not exist" in result.output


def test_run_works_off_the_pending_jobs(app):
    repository = app.extensions["repository"]
    assets = _tree(repository)
    assert repository.jobs.count() == 5
    result = app.test_cli_runner().invoke(args=["renditions", "run"])
    assert result.exit_code == 0, result.output
    assert "ran 5 jobs, 1 failed" in result.output
    assert repository.jobs.count() == 0
    assert count(repository, assets["three.png"]) == 4
