"""renditions.pipeline.process_asset and renditions.jobs.run_pending against a real
Repository: what lands in the tree, what is recorded, what is left alone."""
from __future__ import annotations

import pytest
from PIL import Image

from renditions.jobs import run_pending
from renditions.pipeline import DONE, ERROR, FAILED, SKIPPED, STATUS, Settings, process_asset
from renditions.profiles import Profile
from renditions.store import GENERATED, SOURCE
from repository import ASSET, RENDITION
from repository.jobs import FAILED as JOB_FAILED

from tests.ams.helpers import png_header

from .helpers import encoded, jpeg_with_exif, open_bytes, quadrants

AEM_NAMES = ["cq5dam.thumbnail.140.100.png", "cq5dam.thumbnail.319.319.png",
             "cq5dam.thumbnail.48.48.png", "cq5dam.web.1280.1280.jpeg"]
SETTINGS = Settings()


def upload(repo, name: str, data: bytes, mime: str = "image/jpeg"):
    return repo.create(("f", name), ASSET, blob=repo.blobs.put_bytes(data), mime_type=mime)


def renditions(repo, asset) -> dict:
    return {r.name: r for r in repo.list_children(asset.path, kinds=[RENDITION], limit=None).nodes}


def pixels_of(repo, node) -> Image.Image:
    with repo.blobs.open(node.blob.sha256) as f:
        return open_bytes(f.read())


def test_an_image_gets_its_renditions_marked_as_generated(repo):
    asset = upload(repo, "a.jpg", encoded(quadrants(1500, 1000), "JPEG"))
    assert process_asset(repo, asset.id, SETTINGS).status == DONE
    made = renditions(repo, asset)
    assert sorted(made) == AEM_NAMES
    thumb = made["cq5dam.thumbnail.140.100.png"]
    assert thumb.mime_type == "image/png"
    assert thumb.properties == {GENERATED: True, SOURCE: asset.blob.sha256}
    assert pixels_of(repo, thumb).size == (140, 93)
    assert made["cq5dam.web.1280.1280.jpeg"].mime_type == "image/jpeg"


def test_the_asset_gains_the_images_metadata_and_a_status(repo):
    data = jpeg_with_exif(quadrants(1500, 1000), ifd0={0x0112: 8, 0x010F: "Nikon"})
    asset = upload(repo, "a.jpg", data, mime="application/octet-stream")
    process_asset(repo, asset.id, SETTINGS)
    properties = repo.get(asset.path).properties
    assert properties["tiff:ImageWidth"] == 1500 and properties["tiff:ImageLength"] == 1000
    assert properties["dc:format"] == "image/jpeg"  # what the bytes are, not what was declared
    assert properties["tiff:Orientation"] == 8 and properties["tiff:Make"] == "Nikon"
    assert properties[STATUS] == DONE and ERROR not in properties


def test_replacing_the_binary_replaces_generated_renditions_and_keeps_hand_made_ones(repo):
    asset = upload(repo, "a.jpg", encoded(quadrants(1500, 1000), "JPEG"))
    repo.create(asset.path + ("mine.png",), RENDITION, blob=repo.blobs.put_bytes(b"by hand"))
    repo.create(asset.path + ("cq5dam.thumbnail.48.48.png",), RENDITION,
                blob=repo.blobs.put_bytes(b"my own thumbnail"), mime_type="image/png")
    process_asset(repo, asset.id, SETTINGS)
    first = renditions(repo, asset)
    repo.update(asset.path, blob=repo.blobs.put_bytes(encoded(quadrants(600, 900), "PNG")),
                mime_type="image/png")
    process_asset(repo, asset.id, SETTINGS)
    second = renditions(repo, asset)
    assert sorted(second) == sorted(AEM_NAMES + ["mine.png"])
    assert second["mine.png"].blob == first["mine.png"].blob
    assert second["cq5dam.thumbnail.48.48.png"].blob == first["cq5dam.thumbnail.48.48.png"].blob
    assert not second["cq5dam.thumbnail.48.48.png"].properties.get(GENERATED)
    replaced = second["cq5dam.thumbnail.319.319.png"]
    assert replaced.blob != first["cq5dam.thumbnail.319.319.png"].blob
    assert pixels_of(repo, replaced).size == (213, 319)
    assert repo.get(asset.path).properties["tiff:ImageWidth"] == 600


def test_generated_renditions_no_profile_makes_any_more_go(repo):
    asset = upload(repo, "a.jpg", encoded(quadrants(400, 300), "JPEG"))
    process_asset(repo, asset.id, SETTINGS)
    process_asset(repo, asset.id, Settings(profiles=(Profile("only.png", 10, 10),)))
    assert sorted(renditions(repo, asset)) == ["only.png"]


def test_a_non_image_gets_nothing_and_no_error_and_no_new_version(repo):
    asset = upload(repo, "doc.pdf", b"%PDF-1.7\n...", mime="application/pdf")
    outcome = process_asset(repo, asset.id, SETTINGS)
    assert outcome.status == SKIPPED
    after = repo.get(asset.path)
    assert renditions(repo, asset) == {} and after.properties == {}
    assert after.version == asset.version


def test_svg_is_no_raster_image_and_no_failure(repo):
    svg = b"<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'/>"
    asset = upload(repo, "logo.svg", svg, mime="image/svg+xml")
    assert process_asset(repo, asset.id, SETTINGS).status == SKIPPED
    assert STATUS not in repo.get(asset.path).properties


def test_replacing_an_image_by_a_non_image_removes_what_was_made_for_it(repo):
    asset = upload(repo, "a.jpg", encoded(quadrants(400, 300), "JPEG"))
    process_asset(repo, asset.id, SETTINGS)
    repo.update(asset.path, blob=repo.blobs.put_bytes(b"just text"), mime_type="text/plain",
                properties={"dc:title": "kept"})
    process_asset(repo, asset.id, SETTINGS)
    assert renditions(repo, asset) == {}
    assert repo.get(asset.path).properties == {"dc:title": "kept"}


@pytest.mark.parametrize("data, mime, why", [
    (encoded(Image.effect_noise((400, 400), 60).convert("RGB"), "JPEG")[:5000], "image/jpeg",
     "cannot be decoded"),
    (png_header(64, 64), "image/png", "cannot be decoded"),
    (png_header(20_000, 20_000), "image/png", "decompression bomb"),
    (b"\x00\x01garbage that claims to be an image", "image/jpeg", "no image"),
    (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", "image/heic", "no image"),
])
def test_a_hostile_or_unreadable_image_fails_with_a_reason_and_the_asset_stays(repo, data, mime, why):
    asset = upload(repo, "bad", data, mime=mime)
    outcome = process_asset(repo, asset.id, SETTINGS)
    assert outcome.status == FAILED and why in outcome.reason
    after = repo.get(asset.path)
    assert after.blob == asset.blob
    assert after.properties[STATUS] == FAILED and why in after.properties[ERROR]
    assert renditions(repo, asset) == {}


def test_the_pixel_limit_is_a_setting(repo):
    asset = upload(repo, "a.png", encoded(quadrants(100, 100), "PNG"), mime="image/png")
    outcome = process_asset(repo, asset.id, Settings(max_pixels=9_999))
    assert outcome.status == FAILED and "limit of 9,999" in outcome.reason
    assert process_asset(repo, asset.id, Settings(max_pixels=10_000)).status == DONE
    after = repo.get(asset.path).properties
    assert after[STATUS] == DONE and ERROR not in after


def test_a_failure_replaces_the_renditions_of_the_earlier_binary(repo):
    asset = upload(repo, "a.jpg", encoded(quadrants(400, 300), "JPEG"))
    process_asset(repo, asset.id, SETTINGS)
    repo.update(asset.path, blob=repo.blobs.put_bytes(b"broken"), mime_type="image/jpeg")
    process_asset(repo, asset.id, SETTINGS)
    assert renditions(repo, asset) == {}
    properties = repo.get(asset.path).properties
    assert properties[STATUS] == FAILED and "tiff:ImageWidth" not in properties


def test_a_deleted_or_binary_less_node_is_skipped(repo):
    asset = upload(repo, "a.jpg", encoded(quadrants(40, 30), "JPEG"))
    repo.delete(asset.path)
    assert process_asset(repo, asset.id, SETTINGS).status == SKIPPED
    empty = repo.create(("f", "empty"), ASSET)
    assert process_asset(repo, empty.id, SETTINGS).status == SKIPPED


def test_nothing_is_written_when_the_binary_changes_during_the_job(repo, monkeypatch):
    asset = upload(repo, "a.jpg", encoded(quadrants(400, 300), "JPEG"))
    import renditions.pipeline as pipeline

    real = pipeline.make_renditions

    def and_meanwhile_a_new_upload(*args, **kwargs):
        result = real(*args, **kwargs)
        repo.update(asset.path, blob=repo.blobs.put_bytes(b"newer"), mime_type="text/plain")
        return result

    monkeypatch.setattr(pipeline, "make_renditions", and_meanwhile_a_new_upload)
    assert process_asset(repo, asset.id, SETTINGS).status == SKIPPED
    assert renditions(repo, asset) == {}
    assert STATUS not in repo.get(asset.path).properties


def test_run_pending_runs_every_job_and_one_bad_image_harms_no_other(repo):
    good = [upload(repo, f"good{i}.png", encoded(quadrants(300 + i, 200), "PNG"), "image/png")
            for i in range(3)]
    bad = upload(repo, "bad.png", png_header(64, 64), "image/png")
    text = upload(repo, "notes.txt", b"hello", "text/plain")
    assert run_pending(repo, SETTINGS) == 5
    for asset in good:
        assert sorted(renditions(repo, asset)) == AEM_NAMES
    assert renditions(repo, text) == {}
    [failed] = repo.jobs.jobs()
    assert (failed.node_id, failed.status) == (bad.id, JOB_FAILED)
    assert "cannot be decoded" in failed.reason
    assert run_pending(repo, SETTINGS) == 0  # a failed job is not retried


def test_an_unexpected_error_fails_the_job_and_run_pending_goes_on(repo, monkeypatch):
    first = upload(repo, "1.png", encoded(quadrants(30, 20), "PNG"), "image/png")
    second = upload(repo, "2.png", encoded(quadrants(30, 20), "PNG"), "image/png")
    import renditions.jobs as jobs

    real = jobs.process_asset

    def explode_once(repository, node_id, settings):
        if node_id == first.id:
            raise RuntimeError("boom")
        return real(repository, node_id, settings)

    monkeypatch.setattr(jobs, "process_asset", explode_once)
    assert run_pending(repo, SETTINGS) == 2
    [job] = repo.jobs.jobs()
    assert job.node_id == first.id and "RuntimeError: boom" in job.reason
    assert "RuntimeError: boom" in repo.get(first.path).properties[ERROR]
    assert sorted(renditions(repo, second)) == AEM_NAMES
