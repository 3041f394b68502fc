"""A small job queue stored in the database, next to the nodes it is about.

Why a table and not a list in memory: a pending job must survive a restart of the server,
and a job must be written in the same transaction as the change that causes it. The
Repository calls :meth:`JobQueue.enqueue_in` inside its own transaction whenever an asset
gets a new binary (or loses it), so an upload through any API leaves exactly one pending
``binary-changed`` job, or none if the transaction rolls back. The repository knows
nothing of what the job means; :mod:`renditions.jobs` decides (it makes renditions).

The interface is deliberately small, so that a real queue (RQ, Celery) could drive the
same work later: :meth:`enqueue`, :meth:`claim_next`, :meth:`finish`, plus
:meth:`requeue_stale` for jobs whose worker died. Semantics:

- At most one *pending* job per node and kind: a second change before the first is
  claimed adds nothing (the claimed job reads the node as it is when it runs).
- :meth:`claim_next` is atomic across threads and processes: SQLite's write lock
  (``BEGIN IMMEDIATE``) serialises claims; PostgreSQL uses ``FOR UPDATE SKIP LOCKED``, so
  several workers never take the same job and never wait on each other's row.
- A finished job leaves the table; a failed one stays with its reason (and the worker
  records it on the node too). Nothing is retried automatically except a job whose worker
  vanished while running it (:meth:`requeue_stale`), and that only up to ``max_attempts``.
- A deleted node takes its jobs with it (foreign key, ``ON DELETE CASCADE``).
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, event, func, insert, select, update
from sqlalchemy.orm import Session

from .models import Job, utcnow

if TYPE_CHECKING:  # pragma: no cover
    from .service import Repository

BINARY_CHANGED = "binary-changed"
PENDING = "pending"
RUNNING = "running"
FAILED = "failed"
MAX_REASON = 1000


@dataclass(frozen=True)
class JobRecord:
    """One job as the queue shows it."""

    id: int
    node_id: str
    kind: str
    status: str
    reason: str | None
    attempts: int
    created: datetime
    started: datetime | None


def _record(row: Job) -> JobRecord:
    return JobRecord(id=row.id, node_id=row.node_id, kind=row.kind, status=row.status,
                     reason=row.reason, attempts=row.attempts, created=row.created,
                     started=row.started)


class JobQueue:
    def __init__(self, repository: "Repository") -> None:
        self._repo = repository
        #: Set after a transaction that enqueued a job commits, so an in-process worker
        #: can start at once instead of at its next poll.
        self.wakeup = threading.Event()

    # -- adding ---------------------------------------------------------------------------

    def enqueue_in(
        self, s: Session, node_id: str, kind: str = BINARY_CHANGED, *, new_node: bool = False
    ) -> None:
        """Add a pending job inside the caller's transaction (unless one is pending).

        A failed job of the same node and kind is superseded and goes. ``new_node`` (the
        node was created in this transaction, so it has no jobs) saves both look-ups.
        """
        exists = None
        if not new_node:
            same = [Job.node_id == node_id, Job.kind == kind]
            s.execute(delete(Job).where(*same, Job.status == FAILED))
            exists = s.scalar(select(Job.id).where(*same, Job.status == PENDING).limit(1))
        if exists is None:
            s.execute(insert(Job).values(node_id=node_id, kind=kind, status=PENDING,
                                         attempts=0, created=utcnow()))
        event.listen(s, "after_commit", self._wake, once=True)

    def carry_over_in(self, s: Session, copies: dict[str, str]) -> None:
        """Inside a COPY's transaction (``copies``: original id → copy id): a copy whose
        original still has work pending or running gets a pending job of its own, since
        the copied rows hold only what the original had so far (e.g. no renditions yet)."""
        originals = list(copies)
        for start in range(0, len(originals), 500):
            unfinished = s.scalars(
                select(Job.node_id).distinct().where(
                    Job.node_id.in_(originals[start:start + 500]),
                    Job.status.in_((PENDING, RUNNING)))
            )
            for node_id in list(unfinished):
                self.enqueue_in(s, copies[node_id], new_node=True)

    def enqueue(self, node_id: str, kind: str = BINARY_CHANGED) -> None:
        """Add a pending job in a transaction of its own (e.g. for a rebuild)."""
        with self._repo._write() as s:
            self.enqueue_in(s, node_id, kind)

    def _wake(self, _session: Session) -> None:
        self.wakeup.set()

    # -- working ----------------------------------------------------------------------------

    def claim_next(self, kind: str | None = None) -> JobRecord | None:
        """Take the oldest pending job and mark it running; None when there is none."""
        wanted = [Job.status == PENDING] + ([Job.kind == kind] if kind else [])
        with self._repo._read() as s:  # a cheap look first: no write lock when idle
            if s.scalar(select(Job.id).where(*wanted).limit(1)) is None:
                return None
        with self._repo._write() as s:
            row = s.scalar(
                select(Job).where(*wanted).order_by(Job.id).limit(1)
                .with_for_update(skip_locked=True)
            )
            if row is None:
                return None
            row.status = RUNNING
            row.attempts = row.attempts + 1
            row.started = utcnow()
            s.flush()
            return _record(row)

    def finish(self, job: JobRecord, *, failed: str | None = None) -> None:
        """Done (the row goes), or failed with a reason (the row stays, for the record)."""
        with self._repo._write() as s:
            if failed is None:
                s.execute(delete(Job).where(Job.id == job.id))
            else:
                s.execute(update(Job).where(Job.id == job.id).values(
                    status=FAILED, reason=failed[:MAX_REASON], finished=utcnow()))

    def requeue_stale(self, older_than: float, *, max_attempts: int = 3) -> int:
        """Jobs running for longer than ``older_than`` seconds lost their worker (a restart,
        a crash): put them back, or mark them failed once they were tried ``max_attempts``
        times (an image that kills its worker must not kill every next one). Returns how
        many were put back or failed."""
        cutoff = utcnow() - timedelta(seconds=older_than)
        stale = [Job.status == RUNNING, Job.started < cutoff]
        with self._repo._write() as s:
            failed = s.execute(update(Job).where(*stale, Job.attempts >= max_attempts).values(
                status=FAILED, finished=utcnow(),
                reason=f"gave up after {max_attempts} attempts: the worker stopped while "
                       f"running it each time")).rowcount
            back = s.execute(update(Job).where(*stale).values(status=PENDING)).rowcount
        if back:
            self.wakeup.set()
        return (failed or 0) + (back or 0)

    def discard_failed(self, node_id: str) -> None:
        """Forget the failed jobs of a node (its work was done some other way since)."""
        with self._repo._write() as s:
            s.execute(delete(Job).where(Job.node_id == node_id, Job.status == FAILED))

    # -- looking --------------------------------------------------------------------------

    def jobs(self, node_id: str | None = None, *, status: str | None = None) -> list[JobRecord]:
        """The jobs in the table (oldest first), of one node and/or status."""
        where = []
        if node_id is not None:
            where.append(Job.node_id == node_id)
        if status is not None:
            where.append(Job.status == status)
        with self._repo._read() as s:
            return [_record(row) for row in s.scalars(select(Job).where(*where).order_by(Job.id))]

    def count(self, status: str = PENDING) -> int:
        with self._repo._read() as s:
            return s.scalar(select(func.count()).select_from(Job).where(Job.status == status)) or 0
