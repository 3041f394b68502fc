"""Media imported in the background (URL or S3) gets renditions like any other upload."""
from __future__ import annotations

from renditions.jobs import run_pending
from repository import RENDITION

from tests.renditions.helpers import encoded, quadrants

from .helpers import SAMPLE


def test_an_imported_image_gets_renditions(app, projects, project_id, file_server, repository):
    url = file_server.serve("/photo.jpg", encoded(quadrants(600, 400), "JPEG"), "image/jpeg")
    asset = projects.create_asset(project_id, {**SAMPLE, "url": {"file_url": url,
                                                                 "filename": "photo.jpg"}})
    assert projects.wait_for_import(asset["id"])["media_type"] == "image"
    assert run_pending(repository, app.extensions["renditions.settings"]) == 1
    node = repository.get_by_id(asset["id"])
    made = repository.list_children(node.path, kinds=[RENDITION], limit=None).nodes
    assert len(made) == 4
    assert repository.get_by_id(asset["id"]).properties["tiff:ImageWidth"] == 600
