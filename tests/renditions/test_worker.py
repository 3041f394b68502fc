"""renditions.jobs.Worker: the background thread, with the job table behind it."""
from __future__ import annotations

import time

from renditions.jobs import Worker
from renditions.pipeline import DONE, STATUS, Settings
from repository import ASSET, RENDITION, Repository

from tests.polling import wait_for

from .helpers import encoded, quadrants


def upload(repo, name="a.png"):
    return repo.create(("f", name), ASSET, blob=repo.blobs.put_bytes(encoded(quadrants(300, 200), "PNG")),
                       mime_type="image/png")


def rendition_count(repo, asset) -> int:
    return repo.list_children(asset.path, kinds=[RENDITION], limit=None).total


def test_the_worker_thread_makes_renditions_soon_after_an_upload(repo):
    worker = Worker(repo, Settings(), poll_seconds=30)  # it must wake up, not poll
    worker.start()
    try:
        asset = upload(repo)
        wait_for(lambda: repo.get(asset.path).properties.get(STATUS) == DONE, timeout=10)
        assert rendition_count(repo, asset) == 4
        # the job's row goes just after the asset says done
        wait_for(lambda: repo.jobs.jobs() == [], timeout=10)
    finally:
        worker.stop()
    assert not worker.running


def test_pending_jobs_survive_a_restart(tmp_path, repo):
    asset = upload(repo)  # the job is stored; no worker runs in this "process"
    repo.dispose()
    restarted = Repository(f"sqlite:///{tmp_path / 'assets.db'}", str(tmp_path / "blobs"))
    restarted.create_schema()
    worker = Worker(restarted, Settings(), poll_seconds=0.05)
    worker.start()
    try:
        wait_for(lambda: rendition_count(restarted, asset) == 4)
    finally:
        worker.stop()
        restarted.dispose()


def test_a_job_whose_worker_died_is_taken_up_again_when_its_lease_ran_out(repo):
    asset = upload(repo)
    repo.jobs.lease_seconds = 0.2
    abandoned = repo.jobs.claim_next()  # claimed by a worker that then vanished
    worker = Worker(repo, Settings(), poll_seconds=0.05)
    worker.start()
    try:
        wait_for(lambda: rendition_count(repo, asset) == 4)
    finally:
        worker.stop()
    assert abandoned.attempts == 1 and repo.jobs.jobs() == []


def test_stop_ends_an_idle_worker_promptly(repo):
    worker = Worker(repo, Settings(), poll_seconds=60)
    worker.start()
    time.sleep(0.05)
    started = time.monotonic()
    worker.stop()
    assert not worker.running and time.monotonic() - started < 5
