"""Running rendition jobs: synchronously (:func:`run_pending`) or in a background thread
(:class:`Worker`), from the job table the Repository fills (:mod:`repository.jobs`).

The unit of work is :func:`run_job`: one claimed job in, its outcome recorded, nothing
raised. It needs only the Repository and :class:`~renditions.pipeline.Settings` (plain
values), so a real queue could call it too: an RQ or Celery task would be
``run_job(repository, repository.jobs.claim_next(), settings)``, or
``process_asset(repository, node_id, settings)`` fed by its own queue.

Failures are never retried: a broken image stays broken. The outcome is on the asset
(``dam:renditionsStatus`` / ``dam:renditionsError``) and, for a failure, in the job's
row. Only a job whose worker vanished mid-way (a restart, a crash, a kill) runs again:
:func:`run_job` holds the job's lease (``JobQueue.holding``) while it works, so a dead
worker's lease runs out within seconds and ``JobQueue.requeue_stale`` puts the job back,
at most ``max_attempts`` times.

The :class:`Worker` is one daemon thread per server process. It claims jobs from the
database, so it picks up what a previous process left pending, and several processes
(gunicorn workers) share the work without taking a job twice. It sleeps on the queue's
wake-up event (set when an upload in this process commits a job) or until the next poll
(for jobs committed by other processes).
"""
from __future__ import annotations

import logging
import threading
import time

from repository import Repository
from repository.jobs import BINARY_CHANGED, JobRecord

from .pipeline import FAILED, Outcome, Settings, process_asset, record_failure

log = logging.getLogger(__name__)


def run_job(repository: Repository, job: JobRecord, settings: Settings) -> Outcome:
    """Process one claimed job (keeping its lease) and finish it; never raises."""
    try:
        with repository.jobs.holding(job):
            outcome = process_asset(repository, job.node_id, settings)
    except Exception as error:  # a bug or the database: record it, keep the worker alive
        log.exception("rendition job %s for node %s failed", job.id, job.node_id)
        outcome = Outcome(FAILED, f"internal error: {type(error).__name__}: {error}"[:500])
        try:
            record_failure(repository, job.node_id, outcome.reason)
        except Exception:  # noqa: BLE001 - the job's row still says it
            log.exception("could not record the failure on node %s", job.node_id)
    try:
        repository.jobs.finish(job, failed=outcome.reason if outcome.status == FAILED else None)
    except Exception:  # noqa: BLE001 - requeue_stale gives it another chance later
        log.exception("could not record the end of rendition job %s", job.id)
    if outcome.status == FAILED:
        log.warning("renditions of node %s failed: %s", job.node_id, outcome.reason)
    return outcome


def run_pending(repository: Repository, settings: Settings, *, limit: int | None = None) -> int:
    """Run pending jobs in this thread until none is left (or ``limit`` ran); returns how
    many ran. For tests, the CLI, and deployments that run jobs from cron."""
    ran = 0
    while limit is None or ran < limit:
        job = repository.jobs.claim_next(BINARY_CHANGED)
        if job is None:
            break
        run_job(repository, job, settings)
        ran += 1
    return ran


class Worker:
    """A daemon thread that runs jobs as they come (see the module docstring)."""

    def __init__(
        self,
        repository: Repository,
        settings: Settings,
        *,
        poll_seconds: float = 2.0,
        max_attempts: int = 3,
    ) -> None:
        self.repository = repository
        self.settings = settings
        self.poll_seconds = poll_seconds
        self.max_attempts = max_attempts
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="renditions-worker", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = 10.0) -> None:
        """Ask the thread to stop after its current job, and wait for it."""
        self._stop.set()
        self.repository.jobs.wakeup.set()
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _loop(self) -> None:
        wakeup = self.repository.jobs.wakeup
        while not self._stop.is_set():
            try:
                # Jobs of dead workers (their leases ran out) first; a read when none.
                self.repository.jobs.requeue_stale(max_attempts=self.max_attempts,
                                                   kind=BINARY_CHANGED)
                wakeup.clear()
                job = self.repository.jobs.claim_next(BINARY_CHANGED)
            except Exception:  # the database is unreachable: wait and try again
                log.warning("the renditions worker cannot reach the job table", exc_info=True)
                self._stop.wait(self.poll_seconds)
                continue
            if job is None:
                wakeup.wait(self.poll_seconds)
                continue
            run_job(self.repository, job, self.settings)
