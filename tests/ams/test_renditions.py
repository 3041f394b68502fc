"""AMS uploads get renditions like any other upload, and AMS shows the width and height
the rendition job writes into the asset's metadata (``tiff:ImageWidth`` / ``ImageLength``)."""
from __future__ import annotations

from renditions.jobs import run_pending
from repository import ASSET, RENDITION

from tests.renditions.helpers import encoded, quadrants

AEM_NAMES = ["cq5dam.thumbnail.140.100.png", "cq5dam.thumbnail.319.319.png",
             "cq5dam.thumbnail.48.48.png", "cq5dam.web.1280.1280.jpeg"]


def run_jobs(app) -> int:
    return run_pending(app.extensions["repository"], app.extensions["renditions.settings"])


def test_an_ams_upload_gets_aems_renditions(app, ams, repository):
    created = ams.upload(encoded(quadrants(900, 600), "PNG"), "shelf.png")
    assert run_jobs(app) == 1
    node = repository.get_by_id(created["id"])
    made = repository.list_children(node.path, kinds=[RENDITION], limit=None).nodes
    assert sorted(r.name for r in made) == AEM_NAMES


def test_the_size_ams_shows_is_the_one_in_the_asset_metadata(app, ams, repository):
    """An image put under /ams by another API (no probe at its upload) has no size until
    the rendition job has read it; then AMS shows it and /images serves it."""
    repository.ensure_folder(("ams",))
    node_id = "0b6f1f6e-3f0a-4c39-9a5e-2d1c6f1d2a11"
    repository.create(("ams", node_id + ".jpg"), ASSET, node_id=node_id, mime_type="image/jpeg",
                      blob=repository.blobs.put_bytes(encoded(quadrants(320, 240), "JPEG")))
    before = ams.get(f"/v1/assets/{node_id}").get_json()
    assert (before["width"], before["height"]) == (None, None)
    assert ams.get(f"/v1/images/{node_id}").status_code == 400
    run_jobs(app)
    after = ams.get(f"/v1/assets/{node_id}").get_json()
    assert (after["width"], after["height"]) == (320, 240)
    assert ams.get(f"/v1/images/{node_id}").status_code == 303


def test_the_job_agrees_with_the_size_the_upload_answered(app, ams, repository):
    created = ams.upload(encoded(quadrants(77, 55), "JPEG"), "small.jpg")
    run_jobs(app)
    again = ams.get(f"/v1/assets/{created['id']}").get_json()
    assert (created["width"], created["height"]) == (again["width"], again["height"]) == (77, 55)
