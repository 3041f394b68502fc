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
  claimed adds nothing (the claimed job reads the node as it is when it runs). A job may
  carry a ``payload`` (JSON: what it needs beyond the node, e.g. where to import media
  from); a second enqueue that gives one replaces the pending job's, so the latest wins.
- :meth:`claim_next` is atomic across threads and processes: SQLite's write lock
  (``BEGIN IMMEDIATE``) serialises claims; PostgreSQL uses ``FOR UPDATE SKIP LOCKED``, so
  several workers never take the same job and never wait on each other's row.
- A finished job leaves the table; a failed one stays with its reason (and the worker
  records it on the node too). Nothing is retried automatically except a job whose worker
  vanished while running it (:meth:`requeue_stale`), and that only up to ``max_attempts``
  (or always, with ``max_attempts=None``, for a kind whose worker counts the attempts
  itself and records the giving up on the node).
- Several kinds share the table; each worker claims, counts and requeues its own kind
  (``kind=``), with a timeout that suits its work.
- Waking up: after a transaction that enqueued a job commits, :attr:`JobQueue.wakeup` is
  set and :attr:`JobQueue.generation` grows. Several workers of different kinds can each
  wait for the generation to move past the one they saw (:meth:`wait_for_jobs`) without
  clearing a shared flag under each other's feet.
- A deleted node takes its jobs with it (foreign key, ``ON DELETE CASCADE``).
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, event, func, insert, select, update
from sqlalchemy.orm import Session

from . import values
from .retry import retry_transient
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
    payload: dict[str, Any] | None = None


def _record(row: Job) -> JobRecord:
    return JobRecord(id=row.id, node_id=row.node_id, kind=row.kind, status=row.status,
                     reason=row.reason, attempts=row.attempts, created=row.created,
                     started=row.started, payload=row.payload)


class JobQueue:
    def __init__(self, repository: "Repository") -> None:
        self._repo = repository
        #: Set after a transaction that enqueued a job commits, so an in-process worker
        #: can start at once instead of at its next poll.
        self.wakeup = threading.Event()
        #: Grows with every such commit (and every requeue); see :meth:`wait_for_jobs`.
        self._generation = 0
        self._changed = threading.Condition()

    # -- adding ---------------------------------------------------------------------------

    def enqueue_in(
        self,
        s: Session,
        node_id: str,
        kind: str = BINARY_CHANGED,
        *,
        new_node: bool = False,
        payload: dict[str, Any] | None = None,
    ) -> None:
        """Add a pending job inside the caller's transaction (unless one is pending; then
        a ``payload`` given replaces the pending job's).

        A failed job of the same node and kind is superseded and goes. ``new_node`` (the
        node was created in this transaction, so it has no jobs) saves both look-ups.
        """
        values.check_json(payload, "a job's payload")
        exists = None
        if not new_node:
            same = [Job.node_id == node_id, Job.kind == kind]
            s.execute(delete(Job).where(*same, Job.status == FAILED))
            exists = s.scalar(select(Job.id).where(*same, Job.status == PENDING).limit(1))
        if exists is None:
            s.execute(insert(Job).values(node_id=node_id, kind=kind, status=PENDING,
                                         attempts=0, created=utcnow(), payload=payload))
        elif payload is not None:
            s.execute(update(Job).where(Job.id == exists).values(payload=payload))
        event.listen(s, "after_commit", self._wake, once=True)

    def carry_over_in(self, s: Session, copies: dict[str, str]) -> None:
        """Inside a COPY's transaction (``copies``: original id → copy id): a copy whose
        original still has work pending or running gets a pending job of its own, of the
        same kind and payload, since the copied rows hold only what the original had so far
        (e.g. no renditions yet, or no media while its import runs)."""
        originals = list(copies)
        for start in range(0, len(originals), 500):
            unfinished = s.execute(
                select(Job.node_id, Job.kind, Job.payload).where(
                    Job.node_id.in_(originals[start:start + 500]),
                    Job.status.in_((PENDING, RUNNING))).order_by(Job.id)
            ).all()
            latest = {(node_id, kind): payload for node_id, kind, payload in unfinished}
            for (node_id, kind), payload in latest.items():
                self.enqueue_in(s, copies[node_id], kind, new_node=True, payload=payload)

    @retry_transient
    def enqueue(
        self, node_id: str, kind: str = BINARY_CHANGED, *, payload: dict[str, Any] | None = None
    ) -> None:
        """Add a pending job in a transaction of its own (e.g. for a rebuild)."""
        with self._repo._write() as s:
            self.enqueue_in(s, node_id, kind, payload=payload)

    def _wake(self, _session: Session | None = None) -> None:
        with self._changed:
            self._generation += 1
            self._changed.notify_all()
        self.wakeup.set()

    # -- waiting --------------------------------------------------------------------------

    @property
    def generation(self) -> int:
        """A number that grows whenever this process commits or requeues a job. Read it
        before looking for work; wait with :meth:`wait_for_jobs` when there was none."""
        return self._generation

    def wait_for_jobs(self, seen: int, timeout: float | None) -> bool:
        """Block until :attr:`generation` differs from ``seen`` (a job was committed in
        this process since) or ``timeout`` seconds passed; False on timeout. Jobs other
        processes commit wake nobody here: workers also poll."""
        with self._changed:
            return self._changed.wait_for(lambda: self._generation != seen, timeout)

    def notify(self) -> None:
        """Wake every waiting worker, e.g. so that one asked to stop sees it at once."""
        self._wake()

    # -- working ----------------------------------------------------------------------------

    @retry_transient
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

    @retry_transient
    def finish(self, job: JobRecord, *, failed: str | None = None) -> None:
        """Done (the row goes), or failed with a reason (the row stays, for the record)."""
        with self._repo._write() as s:
            if failed is None:
                s.execute(delete(Job).where(Job.id == job.id))
            else:
                s.execute(update(Job).where(Job.id == job.id).values(
                    status=FAILED, reason=failed[:MAX_REASON], finished=utcnow()))

    @retry_transient
    def requeue_stale(
        self, older_than: float, *, max_attempts: int | None = 3, kind: str | None = None
    ) -> int:
        """Jobs running for longer than ``older_than`` seconds lost their worker (a restart,
        a crash): put them back, or mark them failed once they were tried ``max_attempts``
        times (an image that kills its worker must not kill every next one). Returns how
        many were put back or failed.

        ``kind`` limits this to one kind of job: each kind has its own idea of how long a
        job may run. ``max_attempts=None`` always puts them back, for a worker that checks
        :attr:`JobRecord.attempts` itself when it claims one (so that it can say on the
        node why it gave up)."""
        cutoff = utcnow() - timedelta(seconds=older_than)
        stale = [Job.status == RUNNING, Job.started < cutoff]
        if kind is not None:
            stale.append(Job.kind == kind)
        failed = 0
        with self._repo._write() as s:
            if max_attempts is not None:
                failed = s.execute(update(Job).where(*stale, Job.attempts >= max_attempts).values(
                    status=FAILED, finished=utcnow(),
                    reason=f"gave up after {max_attempts} attempts: the worker stopped while "
                           f"running it each time")).rowcount
            back = s.execute(update(Job).where(*stale).values(status=PENDING)).rowcount
        if back:
            self._wake()
        return (failed or 0) + (back or 0)

    @retry_transient
    def discard_failed(self, node_id: str) -> None:
        """Forget the failed jobs of a node (its work was done some other way since)."""
        with self._repo._write() as s:
            s.execute(delete(Job).where(Job.node_id == node_id, Job.status == FAILED))

    # -- looking --------------------------------------------------------------------------

    def jobs(
        self, node_id: str | None = None, *, status: str | None = None, kind: str | None = None
    ) -> list[JobRecord]:
        """The jobs in the table (oldest first), of one node, status and/or kind."""
        where = []
        if node_id is not None:
            where.append(Job.node_id == node_id)
        if status is not None:
            where.append(Job.status == status)
        if kind is not None:
            where.append(Job.kind == kind)
        with self._repo._read() as s:
            return [_record(row) for row in s.scalars(select(Job).where(*where).order_by(Job.id))]

    def count(self, status: str = PENDING, *, kind: str | None = None) -> int:
        """How many jobs have this status (and kind)."""
        where = [Job.status == status] + ([Job.kind == kind] if kind is not None else [])
        with self._repo._read() as s:
            return s.scalar(select(func.count()).select_from(Job).where(*where)) or 0
