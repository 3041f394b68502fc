"""AEM's standard renditions, made off the request path, as the AEM API shows them: rendition
entities, the ``thumbnail`` link, the image's metadata, and what a broken upload shows."""
from __future__ import annotations

import io
import threading
import time

import pytest
from PIL import Image

from renditions.jobs import run_pending

from tests.renditions.helpers import encoded, quadrants

from .helpers import HOST, Api, children, link

AEM_NAMES = ["cq5dam.thumbnail.140.100.png", "cq5dam.thumbnail.319.319.png",
             "cq5dam.thumbnail.48.48.png", "cq5dam.web.1280.1280.jpeg"]
PHOTO = "photos/photo.jpg"


def rendition_names(api, path) -> list[str]:
    return sorted(e["properties"]["name"] for e in children(api.entity(path), "assets/rendition")
                  if e["properties"]["name"] != "original")


def run_jobs(app) -> int:
    return run_pending(app.extensions["repository"], app.extensions["renditions.settings"])


@pytest.fixture
def photo(api):
    api.make_folder("photos")
    api.make_asset(PHOTO, encoded(quadrants(1500, 1000), "JPEG"), "image/jpeg")
    return PHOTO


def test_an_image_upload_gets_aems_renditions_and_a_thumbnail_link(app, api, photo):
    assert run_jobs(app) == 1
    body = api.entity(photo)
    assert rendition_names(api, photo) == AEM_NAMES
    assert link(body, "thumbnail") == \
        HOST + "/api/assets/photos/photo.jpg/renditions/cq5dam.thumbnail.140.100.png"
    thumbnail = api.get(link(body, "thumbnail"))
    assert thumbnail.status_code == 200 and thumbnail.mimetype == "image/png"
    assert Image.open(io.BytesIO(thumbnail.data)).size == (140, 93)
    web = Image.open(io.BytesIO(api.bytes_of(photo, "cq5dam.web.1280.1280.jpeg")))
    assert (web.format, web.size) == ("JPEG", (1280, 853))


def test_the_asset_metadata_shows_what_the_image_says(app, api, photo):
    run_jobs(app)
    metadata = api.entity(photo)["properties"]["metadata"]
    assert (metadata["tiff:ImageWidth"], metadata["tiff:ImageLength"]) == (1500, 1000)
    assert metadata["dc:format"] == "image/jpeg"
    assert metadata["dam:renditionsStatus"] == "done"


def test_before_the_job_runs_there_is_no_thumbnail_link(api, photo):
    body = api.entity(photo)
    assert link(body, "thumbnail") is None and rendition_names(api, photo) == []


def test_replacing_the_binary_replaces_them_and_keeps_a_hand_made_rendition(app, api, photo):
    api.make_rendition(photo, "my-crop.png", encoded(quadrants(10, 10), "PNG"))
    run_jobs(app)
    before = api.bytes_of(photo, "cq5dam.thumbnail.319.319.png")
    response = api.put("/api/assets/" + photo, data=encoded(quadrants(500, 1000), "PNG"),
                       content_type="image/png")
    assert response.status_code == 200
    assert run_jobs(app) == 1
    after = api.bytes_of(photo, "cq5dam.thumbnail.319.319.png")
    assert after != before and Image.open(io.BytesIO(after)).size == (160, 319)
    assert rendition_names(api, photo) == sorted(AEM_NAMES + ["my-crop.png"])
    assert api.entity(photo)["properties"]["metadata"]["tiff:ImageWidth"] == 500


def test_a_corrupt_image_is_stored_and_its_failure_shown(app, api):
    api.make_folder("photos")
    data = encoded(quadrants(400, 300), "PNG")[:200]
    api.make_asset("photos/broken.png", data, "image/png")
    run_jobs(app)
    assert api.bytes_of("photos/broken.png") == data
    metadata = api.entity("photos/broken.png")["properties"]["metadata"]
    assert metadata["dam:renditionsStatus"] == "failed"
    assert metadata["dam:renditionsError"]
    assert rendition_names(api, "photos/broken.png") == []


def test_a_non_image_gets_no_renditions_and_no_error(app, api):
    api.make_folder("docs")
    api.make_asset("docs/readme.txt", b"plain text", "text/plain")
    run_jobs(app)
    body = api.entity("docs/readme.txt")
    assert rendition_names(api, "docs/readme.txt") == []
    assert "dam:renditionsStatus" not in body["properties"]["metadata"]


def test_an_upload_answers_before_its_renditions_exist(make_app, optional_siren_validator,
                                                       monkeypatch):
    """With the real worker thread: the job is held at its start until the upload has
    answered, then let go; the renditions appear afterwards."""
    import renditions.pipeline as pipeline

    release, started = threading.Event(), threading.Event()
    real = pipeline.make_renditions

    def held(*args, **kwargs):
        started.set()
        assert release.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "make_renditions", held)
    app = make_app("threaded", RENDITIONS_WORKER="thread", RENDITIONS_POLL_SECONDS=0.05)
    token = app.extensions["accounts"].create_token("admin")
    api = Api(app.test_client(), {"Authorization": f"Bearer {token}"}, optional_siren_validator)
    api.make_folder("photos")
    api.make_asset(PHOTO, encoded(quadrants(1500, 1000), "JPEG"), "image/jpeg")  # 201 here
    assert started.wait(10), "the worker thread never took the job"
    assert rendition_names(api, PHOTO) == []
    release.set()
    deadline = time.monotonic() + 15
    while rendition_names(api, PHOTO) != AEM_NAMES:
        assert time.monotonic() < deadline, "the renditions never appeared"
        time.sleep(0.05)
    assert link(api.entity(PHOTO), "thumbnail").endswith("cq5dam.thumbnail.140.100.png")
