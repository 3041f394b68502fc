"""A small job queue stored in the database, next to the nodes it is about.

Why a table and not a list in memory: a pending job must survive a restart of the server,
and a job must be written in the same transaction as the change that causes it. The
Repository calls :meth:`JobQueue.enqueue_in` inside its own transaction whenever an asset
gets a new binary (or loses it), so an upload through any API leaves exactly one pending
``binary-changed`` job, or none if the transaction rolls back. The repository knows
nothing of what the job means; :mod:`renditions.jobs` decides (it makes renditions).

The interface is deliberately small, so that a real queue (RQ, Celery) could drive the
same work later: :meth:`enqueue`, :meth:`claim_next`, :meth:`finish`, plus
:meth:`holding` (the lease's heartbeat) and :meth:`requeue_stale` for jobs whose worker
died. Semantics:

- At most one *pending* job per node and kind: a second change before the first is
  claimed adds nothing (the claimed job reads the node as it is when it runs). A job may
  carry a ``payload`` (JSON: what it needs beyond the node, e.g. where to import media
  from); a second enqueue that gives one replaces the pending job's, so the latest wins.
- :meth:`claim_next` is atomic across threads and processes: SQLite's write lock
  (``BEGIN IMMEDIATE``) serialises claims; PostgreSQL uses ``FOR UPDATE SKIP LOCKED``, so
  several workers never take the same job and never wait on each other's row.
- A claimed job is *leased* to its worker for :attr:`JobQueue.lease_seconds` (10 s by
  default). While the worker runs it inside :meth:`holding`, a heartbeat thread renews
  the lease every third of that, however long the job takes. A worker that died (a
  crash, ``kill -9``, a lost machine) renews nothing: once its lease ran out, the job is
  claimable again (:meth:`requeue_stale`, which every worker calls as it polls), seconds
  after the death instead of after a timeout longer than any job may run.
- A finished job leaves the table; a failed one stays with its reason (and the worker
  records it on the node too). Nothing is retried automatically except a job whose worker
  vanished while running it (:meth:`requeue_stale`), and that only up to ``max_attempts``
  (or always, with ``max_attempts=None``, for a kind whose worker counts the attempts
  itself and records the giving up on the node).
- Several kinds share the table; each worker claims, counts and requeues its own kind
  (``kind=``).
- Waking up: after a transaction that enqueued a job commits, :attr:`JobQueue.wakeup` is
  set and :attr:`JobQueue.generation` grows. Several workers of different kinds can each
  wait for the generation to move past the one they saw (:meth:`wait_for_jobs`) without
  clearing a shared flag under each other's feet.
- A deleted node takes its jobs with it (foreign key, ``ON DELETE CASCADE``).
"""
from __future__ import annotations

import logging
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Iterator

from sqlalchemy import and_, delete, event, func, insert, or_, select, update
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
#: Seconds a claimed job stays its worker's without a heartbeat.
DEFAULT_LEASE_SECONDS = 10.0

log = logging.getLogger(__name__)


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
    def __init__(self, repository: "Repository", *,
                 lease_seconds: float = DEFAULT_LEASE_SECONDS) -> None:
        self._repo = repository
        #: How long a claimed job stays its worker's without a renewal (see :meth:`holding`).
        self.lease_seconds = float(lease_seconds)
        #: Ids of the jobs this process runs now, whose leases the heartbeat renews.
        self._held: dict[int, int] = {}
        self._held_lock = threading.Lock()
        self._heartbeat: threading.Thread | None = None
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
            now = utcnow()
            row.status = RUNNING
            row.attempts = row.attempts + 1
            row.started = now
            row.lease_until = now + timedelta(seconds=self.lease_seconds)
            s.flush()
            return _record(row)

    @contextmanager
    def holding(self, job: JobRecord) -> Iterator[None]:
        """Run the body while this process keeps ``job``'s lease: a heartbeat thread (one
        per queue) renews it every third of :attr:`lease_seconds` until the body ends.
        Without it a claimed job is taken up again by others once its lease runs out."""
        with self._held_lock:
            self._held[job.id] = self._held.get(job.id, 0) + 1
            if self._heartbeat is None or not self._heartbeat.is_alive():
                self._heartbeat = threading.Thread(target=self._beat, name="jobs-heartbeat",
                                                   daemon=True)
                self._heartbeat.start()
        try:
            yield
        finally:
            with self._held_lock:
                left = self._held.pop(job.id) - 1
                if left:
                    self._held[job.id] = left

    @retry_transient
    def renew(self, job_ids: list[int] | None = None) -> int:
        """Extend the leases of running jobs (by default those this process holds) to
        :attr:`lease_seconds` from now; returns how many were still running."""
        if job_ids is None:
            with self._held_lock:
                job_ids = list(self._held)
        if not job_ids:
            return 0
        until = utcnow() + timedelta(seconds=self.lease_seconds)
        with self._repo._write() as s:
            return s.execute(update(Job).where(Job.id.in_(job_ids), Job.status == RUNNING)
                             .values(lease_until=until)).rowcount or 0

    def _beat(self) -> None:
        """The heartbeat: renew the held leases until none is held any more."""
        while True:
            interval = max(self.lease_seconds / 3, 0.05)
            with self._held_lock:
                if not self._held:
                    self._heartbeat = None
                    return
            try:
                self.renew()
            except Exception:  # noqa: BLE001 - the database is away: try at the next beat
                log.warning("could not renew the leases of running jobs", exc_info=True)
            time.sleep(interval)

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
    @retry_transient
    def requeue_stale(
        self, older_than: float | None = None, *, max_attempts: int | None = 3,
        kind: str | None = None,
    ) -> int:
        """Running jobs whose lease ran out lost their worker (a restart, a crash, a kill):
        put them back, or mark them failed once they were tried ``max_attempts`` times (an
        image that kills its worker must not kill every next one). Returns how many were
        put back or failed. Cheap when there are none (one read, no write lock).

        A job claimed before leases existed (no lease) counts as expired one lease after it
        started. ``older_than`` (seconds) instead takes every job running that long, lease
        or not (an operator's or a test's decision that its worker is gone).
        ``kind`` limits this to one kind of job. ``max_attempts=None`` always puts them
        back, for a worker that checks :attr:`JobRecord.attempts` itself when it claims one
        (so that it can say on the node why it gave up)."""
        now = utcnow()
        stale = [Job.status == RUNNING]
        if older_than is not None:
            stale.append(Job.started < now - timedelta(seconds=older_than))
        else:
            stale.append(or_(Job.lease_until < now, and_(
                Job.lease_until.is_(None),
                Job.started < now - timedelta(seconds=self.lease_seconds))))
        if kind is not None:
            stale.append(Job.kind == kind)
        with self._repo._read() as s:
            if s.scalar(select(Job.id).where(*stale).limit(1)) is None:
                return 0
        failed = 0
        with self._repo._write() as s:
            if max_attempts is not None:
                failed = s.execute(update(Job).where(*stale, Job.attempts >= max_attempts).values(
                    status=FAILED, finished=utcnow(),
                    reason=f"gave up after {max_attempts} attempts: the worker stopped while "
                           f"running it each time")).rowcount
            back = s.execute(update(Job).where(*stale).values(status=PENDING,
                                                              lease_until=None)).rowcount
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
