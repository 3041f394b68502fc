"""Contract: the job queue the repository fills when an asset's binary changes."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import text, update

from repository import ASSET, COMMENT, FOLDER, RENDITION
from repository.models import Job
from repository.jobs import BINARY_CHANGED, FAILED, PENDING, RUNNING

from .helpers import fail_statement, run_in_threads


@pytest.fixture
def folder(repo):
    return repo.create(("f",), FOLDER)


def _asset(repo, name="a.jpg", data=b"bytes"):
    return repo.create(("f", name), ASSET, blob=repo.blobs.put_bytes(data), mime_type="image/jpeg")


def test_creating_an_asset_with_a_binary_enqueues_one_pending_job(repo, folder):
    asset = _asset(repo)
    [job] = repo.jobs.jobs()
    assert (job.node_id, job.kind, job.status, job.attempts) == (asset.id, BINARY_CHANGED, PENDING, 0)


def test_nodes_without_a_new_asset_binary_enqueue_nothing(repo, folder):
    repo.create(("f", "empty"), ASSET)
    asset = repo.create(("f", "a"), ASSET)
    repo.create(("f", "a", "r.png"), RENDITION, blob=repo.blobs.put_bytes(b"r"))
    repo.create(("f", "a", "c"), COMMENT, properties={"message": "hi"})
    repo.update(asset.path, properties={"x": 1})
    repo.update(("f", "a", "r.png"), blob=repo.blobs.put_bytes(b"r2"))
    assert repo.jobs.jobs() == []


def test_replacing_or_clearing_a_binary_enqueues_a_job(repo, folder):
    asset = repo.create(("f", "a"), ASSET)
    repo.update(asset.path, blob=repo.blobs.put_bytes(b"new"), mime_type="image/png")
    assert [j.node_id for j in repo.jobs.jobs()] == [asset.id]
    job = repo.jobs.claim_next()
    repo.jobs.finish(job)
    repo.update(asset.path, clear_blob=True)
    assert [(j.node_id, j.status) for j in repo.jobs.jobs()] == [(asset.id, PENDING)]


def test_a_second_change_while_one_is_pending_adds_no_job(repo, folder):
    asset = _asset(repo)
    repo.update(asset.path, blob=repo.blobs.put_bytes(b"second"))
    repo.update(asset.path, blob=repo.blobs.put_bytes(b"third"))
    assert len(repo.jobs.jobs()) == 1


def test_a_change_while_a_job_runs_adds_a_pending_one(repo, folder):
    asset = _asset(repo)
    running = repo.jobs.claim_next()
    repo.update(asset.path, blob=repo.blobs.put_bytes(b"second"))
    jobs = repo.jobs.jobs(asset.id)
    assert [(j.id == running.id, j.status) for j in jobs] == [(True, RUNNING), (False, PENDING)]


def test_the_job_is_part_of_the_transaction_of_the_change(repo, folder):
    with fail_statement(repo.engine, "INSERT INTO jobs"), pytest.raises(Exception):
        _asset(repo)
    assert not repo.exists(("f", "a.jpg"))
    assert repo.jobs.jobs() == []


def test_claim_takes_the_oldest_pending_job_and_marks_it_running(repo, folder):
    first, second = _asset(repo, "1"), _asset(repo, "2", b"other")
    job = repo.jobs.claim_next()
    assert (job.node_id, job.status, job.attempts) == (first.id, RUNNING, 1)
    assert job.started is not None
    assert repo.jobs.claim_next().node_id == second.id
    assert repo.jobs.claim_next() is None


def test_claim_with_a_kind_takes_only_that_kind(repo, folder):
    asset = _asset(repo)
    assert repo.jobs.claim_next("something-else") is None
    assert repo.jobs.claim_next(BINARY_CHANGED).node_id == asset.id


def test_concurrent_claims_never_take_the_same_job(repo, folder):
    for index in range(6):
        _asset(repo, f"a{index}", f"data{index}".encode())
    claimed = run_in_threads(*[repo.jobs.claim_next for _ in range(8)])
    taken = [job.id for job in claimed if job is not None]
    assert not [c for c in claimed if isinstance(c, Exception)]
    assert len(taken) == 6 and len(set(taken)) == 6


def test_a_finished_job_leaves_the_table(repo, folder):
    _asset(repo)
    repo.jobs.finish(repo.jobs.claim_next())
    assert repo.jobs.jobs() == []


def test_a_failed_job_stays_with_its_reason_and_is_not_claimed_again(repo, folder):
    asset = _asset(repo)
    repo.jobs.finish(repo.jobs.claim_next(), failed="the file is truncated")
    [job] = repo.jobs.jobs(asset.id)
    assert (job.status, job.reason) == (FAILED, "the file is truncated")
    assert repo.jobs.claim_next() is None


def test_a_new_change_supersedes_a_failed_job(repo, folder):
    asset = _asset(repo)
    repo.jobs.finish(repo.jobs.claim_next(), failed="broken")
    repo.update(asset.path, blob=repo.blobs.put_bytes(b"fixed"))
    assert [j.status for j in repo.jobs.jobs(asset.id)] == [PENDING]


def test_stale_running_jobs_go_back_to_pending(repo, folder):
    _asset(repo)
    job = repo.jobs.claim_next()
    assert repo.jobs.requeue_stale(older_than=3600) == 0
    assert repo.jobs.requeue_stale(older_than=0) == 1
    again = repo.jobs.claim_next()
    assert (again.id, again.attempts) == (job.id, 2)


def test_a_job_that_keeps_losing_its_worker_fails_instead_of_running_forever(repo, folder):
    _asset(repo)
    repo.jobs.claim_next()
    repo.jobs.requeue_stale(older_than=0, max_attempts=2)
    assert repo.jobs.jobs()[0].status == PENDING
    repo.jobs.claim_next()
    repo.jobs.requeue_stale(older_than=0, max_attempts=2)
    [job] = repo.jobs.jobs()
    assert job.status == FAILED and "2 attempts" in job.reason
    assert repo.jobs.claim_next() is None


def test_deleting_the_asset_deletes_its_jobs(repo, folder):
    _asset(repo)
    repo.delete(("f",))
    assert repo.jobs.jobs() == []


def test_enqueue_adds_a_job_for_an_existing_node(repo, folder):
    asset = repo.create(("f", "a"), ASSET)
    repo.jobs.enqueue(asset.id)
    repo.jobs.enqueue(asset.id)
    assert [(j.node_id, j.status) for j in repo.jobs.jobs()] == [(asset.id, PENDING)]
    assert repo.jobs.count(PENDING) == 1


def test_the_wakeup_is_set_when_a_job_is_committed(repo, folder):
    repo.jobs.wakeup.clear()
    repo.create(("f", "plain"), ASSET)
    assert not repo.jobs.wakeup.is_set()
    _asset(repo)
    assert repo.jobs.wakeup.is_set()


def test_discard_failed_forgets_only_the_failed_jobs_of_that_node(repo, folder):
    first, second = _asset(repo, "1"), _asset(repo, "2", b"other")
    repo.jobs.finish(repo.jobs.claim_next(), failed="broken")
    repo.jobs.finish(repo.jobs.claim_next(), failed="broken too")
    repo.update(second.path, properties={"x": 1})
    repo.jobs.discard_failed(first.id)
    assert [(j.node_id, j.status) for j in repo.jobs.jobs()] == [(second.id, FAILED)]


def test_a_copy_made_before_the_work_is_done_gets_a_job_of_its_own(repo, folder):
    done = _asset(repo, "done.png", b"done")
    repo.jobs.finish(repo.jobs.claim_next())
    waiting = _asset(repo, "waiting.png", b"waiting")
    repo.copy(("f",), ("copy",))

    pending = {job.node_id for job in repo.jobs.jobs(status=PENDING)}
    copied_waiting = repo.get(("copy", "waiting.png")).id
    assert pending == {waiting.id, copied_waiting}
    assert repo.get(("copy", "done.png")).id not in pending and done.id not in pending


def test_a_job_carries_its_payload_to_whoever_claims_it(repo, folder):
    asset = repo.create(("f", "a"), ASSET)
    repo.jobs.enqueue(asset.id, "import", payload={"source": "url", "tags": ["a", "ü"]})
    [listed] = repo.jobs.jobs()
    claimed = repo.jobs.claim_next("import")
    assert listed.payload == claimed.payload == {"source": "url", "tags": ["a", "ü"]}


def test_a_job_without_a_payload_has_none(repo, folder):
    _asset(repo)
    assert repo.jobs.claim_next().payload is None


def test_a_second_enqueue_while_pending_replaces_the_payload(repo, folder):
    asset = repo.create(("f", "a"), ASSET)
    repo.jobs.enqueue(asset.id, "import", payload={"n": 1})
    repo.jobs.enqueue(asset.id, "import", payload={"n": 2})
    assert [j.payload for j in repo.jobs.jobs(asset.id)] == [{"n": 2}]


def test_create_enqueues_the_jobs_it_is_given_in_its_transaction(repo, folder):
    asset = repo.create(("f", "a"), ASSET, jobs={"import": {"n": 1}})
    assert [(j.node_id, j.kind, j.status, j.payload) for j in repo.jobs.jobs()] \
        == [(asset.id, "import", PENDING, {"n": 1})]
    with fail_statement(repo.engine, "INSERT INTO jobs"), pytest.raises(Exception):
        repo.create(("f", "b"), ASSET, jobs={"import": {"n": 2}})
    assert not repo.exists(("f", "b"))
    assert len(repo.jobs.jobs()) == 1


def test_jobs_and_count_can_be_limited_to_one_kind(repo, folder):
    asset = _asset(repo)
    repo.jobs.enqueue(asset.id, "import")
    assert [j.kind for j in repo.jobs.jobs(kind="import")] == ["import"]
    assert [j.kind for j in repo.jobs.jobs(asset.id, status=PENDING, kind=BINARY_CHANGED)] \
        == [BINARY_CHANGED]
    assert (repo.jobs.count(PENDING, kind="import"), repo.jobs.count(PENDING)) == (1, 2)


def test_requeue_stale_of_one_kind_leaves_the_others_running(repo, folder):
    asset = _asset(repo)
    repo.jobs.enqueue(asset.id, "import")
    repo.jobs.claim_next(BINARY_CHANGED)
    repo.jobs.claim_next("import")
    assert repo.jobs.requeue_stale(older_than=0, kind="import") == 1
    assert {(j.kind, j.status) for j in repo.jobs.jobs()} \
        == {(BINARY_CHANGED, RUNNING), ("import", PENDING)}


def test_requeue_stale_without_max_attempts_never_gives_up(repo, folder):
    _asset(repo)
    for _ in range(5):
        repo.jobs.claim_next()
        assert repo.jobs.requeue_stale(older_than=0, max_attempts=None) == 1
    [job] = repo.jobs.jobs()
    assert (job.status, job.attempts) == (PENDING, 5)


def test_a_waiting_worker_wakes_when_a_job_is_committed(repo, folder):
    seen = repo.jobs.generation
    assert not repo.jobs.wait_for_jobs(seen, 0.01)
    woke = run_in_threads(lambda: repo.jobs.wait_for_jobs(seen, 10), lambda: _asset(repo))
    assert woke[0] is True
    assert repo.jobs.generation != seen


def test_a_rolled_back_job_wakes_nobody(repo, folder):
    seen = repo.jobs.generation
    with fail_statement(repo.engine, "INSERT INTO jobs"), pytest.raises(Exception):
        _asset(repo)
    assert repo.jobs.generation == seen


def test_a_copy_gets_the_unfinished_work_of_its_original_with_its_payload(repo, folder):
    asset = repo.create(("f", "a"), ASSET, jobs={"import": {"n": 1}})
    repo.jobs.claim_next("import")
    repo.jobs.enqueue(asset.id, "import", payload={"n": 2})
    repo.copy(("f", "a"), ("f", "b"))
    copy = repo.get(("f", "b"))
    assert [(j.kind, j.status, j.payload) for j in repo.jobs.jobs(copy.id)] \
        == [("import", PENDING, {"n": 2})]


def test_a_claimed_job_is_claimable_again_once_its_lease_ran_out(repo, folder):
    """A worker that died renews nothing: its job goes back once the lease ran out."""
    _asset(repo)
    repo.jobs.lease_seconds = 0.3
    first = repo.jobs.claim_next()
    assert repo.jobs.requeue_stale() == 0  # leased: its worker may be alive
    time.sleep(0.5)
    assert repo.jobs.requeue_stale() == 1
    again = repo.jobs.claim_next()
    assert (again.id, again.attempts) == (first.id, 2)


def test_a_held_job_keeps_its_lease_while_its_worker_runs_it(repo, folder):
    """The heartbeat of :meth:`JobQueue.holding` renews the lease, however long the job."""
    _asset(repo)
    repo.jobs.lease_seconds = 1.0
    job = repo.jobs.claim_next()
    with repo.jobs.holding(job):
        for _ in range(5):  # three leases in all
            time.sleep(0.6)
            assert repo.jobs.requeue_stale() == 0
    time.sleep(1.5)
    assert repo.jobs.requeue_stale() == 1  # no longer held: its lease ran out


def test_a_jobs_table_from_before_leases_gets_the_lease_column(repo, folder):
    with repo.engine.begin() as connection:
        connection.execute(text("ALTER TABLE jobs DROP COLUMN lease_until"))
    repo.create_schema()
    _asset(repo)
    assert repo.jobs.claim_next() is not None


def test_a_job_claimed_before_leases_existed_expires_one_lease_after_it_started(repo, folder):
    _asset(repo)
    job = repo.jobs.claim_next()
    with repo.engine.begin() as connection:
        connection.execute(update(Job).where(Job.id == job.id).values(lease_until=None))
    repo.jobs.lease_seconds = 0.2
    time.sleep(0.4)
    assert repo.jobs.requeue_stale() == 1
