"""Media imports as jobs in the database's job queue (:mod:`repository.jobs`), and the
threads that run them.

Why the database and not a queue in memory: an import queued or running in memory was
lost with its process (a restart, a crash, a deploy), and its asset said "processing"
forever; and each process of a multi-process server (gunicorn workers) had a pool of its
own. Now the create view writes the asset and its ``projects-import`` job in one
transaction (``Repository.create(..., jobs=...)``), so an asset that says "processing"
always has a job, and whichever process claims the job runs it: any server process, a
server started after a restart, or ``flask --app app projects run-imports``.

A job's node is the asset; its payload is ``{"source": "url" | "s3", "location": the URL
or the S3 key, "filename": ...}`` (see :func:`payload`). The settings (fetch limits, the
S3 bucket and credentials) are not in the payload: the process that runs the job applies
its own configuration, and no secret is written into the table.

Outcomes: :func:`~app.projects.importer.run_import` records a failure on the asset
(``placeholder`` and ``media_error``); the job's row then stays, failed, with the same
reason (a finished import's row goes). A failed import is not retried: the client sees
why and may create the asset again.

While an import runs, its process holds the job's lease (``JobQueue.holding``: a
heartbeat renews it every few seconds, however long the download takes). A job whose
process died renews nothing: once its lease ran out (``JOBS_LEASE_SECONDS``), a worker of
another (or the next) process puts it back to pending and runs it again, seconds after the
death. Running an import twice is harmless (the blob store is content-addressed and the
later update says the same). After ``max_attempts`` runs lost that way, the next claim
gives up and says so on the asset, instead of fetching, perhaps forever, a file that kills
its process.

:class:`ImportWorker` is ``threads`` daemon threads in a server process. They claim jobs
from the table, so several processes share the work without taking a job twice (the
queue's claims are atomic), and they find jobs other processes stored by polling every
``poll_seconds``; jobs stored by this process wake them at once.
"""
from __future__ import annotations

import logging
import threading
import time
from contextlib import contextmanager
from typing import Callable, Iterator

from repository import Repository
from repository.jobs import PENDING, RUNNING, JobRecord

from .importer import ImportJob, ImportSettings, record_failure, run_import

log = logging.getLogger(__name__)

#: The job kind of a media import.
IMPORT = "projects-import"
INTERNAL_ERROR = "the media could not be imported (internal error)"


def payload(source: str, location: str, filename: str) -> dict[str, str]:
    """The payload of an import job (the asset is the job's node)."""
    return {"source": source, "location": location, "filename": filename}


def import_job(record: JobRecord) -> ImportJob:
    """The import a claimed job asks for; ValueError when its payload is not one."""
    data = record.payload or {}
    try:
        return ImportJob(asset_id=record.node_id, source=str(data["source"]),
                         location=str(data["location"]), filename=str(data["filename"]))
    except (KeyError, TypeError):
        raise ValueError(f"job {record.id} has no import payload: {record.payload!r}") from None


def gave_up(lost: int) -> str:
    return (f"the import was interrupted {lost} times (the server stopped while it ran); "
            f"create the asset again to retry")


def run_job(repository: Repository, record: JobRecord, settings: ImportSettings,
            *, max_attempts: int | None = None) -> str | None:
    """Run one claimed import job and finish it; never raises. Returns why the import
    failed (also on the asset and in the job's row), or None when it worked.

    ``max_attempts``: a job claimed more often than this lost its worker every time;
    it is not run again but fails, and the asset says so."""
    try:
        if max_attempts is not None and record.attempts > max_attempts:
            reason: str | None = record_failure(repository, record.node_id,
                                                gave_up(record.attempts - 1))
        else:
            with repository.jobs.holding(record):
                reason = run_import(import_job(record), repository, settings)
    except Exception:  # a bad payload or a bug: the asset must not stay "processing"
        log.exception("import job %s for asset %s failed", record.id, record.node_id)
        reason = record_failure(repository, record.node_id, INTERNAL_ERROR)
    try:
        repository.jobs.finish(record, failed=reason)
    except Exception:  # noqa: BLE001 - it is requeued once stale, and runs again
        log.exception("could not record the end of import job %s", record.id)
    return reason


class ImportWorker:
    """The import threads of one process (see the module docstring); the app keeps it as
    ``app.extensions["projects_importer"]``.

    ``settings`` is called for each job, so the process's current configuration applies.
    With ``threads=0`` nothing runs here: the process only stores jobs (another process,
    or ``projects run-imports``, runs them). :meth:`shutdown` makes the process refuse
    new imports (:attr:`accepting`) and stops the threads; pending jobs stay in the table.
    """

    def __init__(
        self,
        repository: Repository,
        settings: Callable[[], ImportSettings],
        *,
        threads: int = 4,
        poll_seconds: float = 2.0,
        max_attempts: int = 3,
    ) -> None:
        self.repository = repository
        self.settings = settings
        self.threads = max(0, int(threads))
        self.poll_seconds = poll_seconds
        self.max_attempts = max_attempts
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._started = False
        self._closed = False
        self._threads: list[threading.Thread] = []
        self._busy = 0
        self._next_stale_check = 0.0

    @property
    def accepting(self) -> bool:
        """False once shut down: this process takes no new imports."""
        return not self._closed

    @property
    def running(self) -> bool:
        return any(thread.is_alive() for thread in self._threads)

    def start(self) -> None:
        """Start the threads: once, never after :meth:`shutdown`, none with ``threads=0``.
        Cheap to call again (the app calls it before every request)."""
        if self._started:
            return
        with self._lock:
            if self._started or self._closed:
                return
            self._started = True
            for number in range(1, self.threads + 1):
                thread = threading.Thread(target=self._loop, name=f"projects-import-{number}",
                                          daemon=True)
                thread.start()
                self._threads.append(thread)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until no import job is pending or running (in the database: those of other
        processes count too) and no thread here is busy; False on timeout. Pending jobs
        go only if some process runs them."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._idle():
            if deadline is not None and time.monotonic() >= deadline:
                return False
            time.sleep(0.02)
        return True

    def shutdown(self, timeout: float | None = 5.0) -> None:
        """Stop taking jobs: refuse new imports, let each thread finish the import it runs
        (up to ``timeout`` seconds in all) and stop. What is pending stays in the table."""
        with self._lock:
            self._closed = True
            threads = list(self._threads)
        self._stop.set()
        self.repository.jobs.notify()
        deadline = None if timeout is None else time.monotonic() + timeout
        for thread in threads:
            thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))

    # -- the threads ------------------------------------------------------------------------

    def _idle(self) -> bool:
        # Busy first, then pending before running: a job moving on meanwhile is still seen.
        if self._busy:
            return False
        jobs = self.repository.jobs
        return jobs.count(PENDING, kind=IMPORT) == 0 and jobs.count(RUNNING, kind=IMPORT) == 0

    @contextmanager
    def _working(self) -> Iterator[None]:
        with self._lock:
            self._busy += 1
        try:
            yield
        finally:
            with self._lock:
                self._busy -= 1

    def _requeue_if_due(self) -> None:
        """Put back the imports of dead processes (leases run out), once per poll for all
        of this process's threads (a read when there are none)."""
        with self._lock:
            if time.monotonic() < self._next_stale_check:
                return
            self._next_stale_check = time.monotonic() + self.poll_seconds
        # max_attempts=None: run_job counts the attempts and tells the asset it gave up.
        self.repository.jobs.requeue_stale(max_attempts=None, kind=IMPORT)

    def _loop(self) -> None:
        jobs = self.repository.jobs
        while not self._stop.is_set():
            seen = jobs.generation
            try:
                self._requeue_if_due()
                settings = self.settings()
                with self._working():
                    record = None if self._stop.is_set() else jobs.claim_next(IMPORT)
                    if record is not None:
                        run_job(self.repository, record, settings, max_attempts=self.max_attempts)
            except Exception:  # the database is unreachable, or the settings are broken
                log.warning("the import worker cannot take jobs", exc_info=True)
                self._stop.wait(self.poll_seconds)
                continue
            if record is None:
                jobs.wait_for_jobs(seen, self.poll_seconds)
