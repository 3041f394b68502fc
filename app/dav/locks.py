"""WebDAV locks in the database: a lock storage for WsgiDAV's ``LockManager``.

WsgiDAV's own storages keep locks in one process's memory (or a shelve file); here they are
rows of ``dav_locks`` (:class:`repository.models.DavLock`), so every server process, on this
machine or another, sees the same locks. WsgiDAV's ``LockManager`` decides the rules
(conflicts, ``If`` headers, refreshes); this module stores what it decides, with the
interface of ``wsgidav.lock_man.lock_storage.LockStorageDict``.

The manager checks for a conflict and then asks for the lock; between the two another
process may have taken a conflicting one. :meth:`DatabaseLockStorage.create` therefore
checks again inside a transaction that holds the database's write lock (SQLite) or an
advisory lock (PostgreSQL): of two processes racing for conflicting locks, one gets
``423 Locked``.
"""
from __future__ import annotations

import time
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Iterator

from sqlalchemy import delete, or_, select, text, update
from sqlalchemy.engine import Connection, Engine
from wsgidav.dav_error import HTTP_LOCKED, PRECONDITION_CODE_LockConflict, DAVError, DAVErrorCondition
from wsgidav.lock_man.lock_manager import generate_lock_token, normalize_lock_root, validate_lock

from repository.models import DavLock

#: Key of the PostgreSQL advisory lock that serialises taking WebDAV locks.
LOCK_KEY = 0x61737367
#: WsgiDAV's limits: a lock asked for without a timeout lasts a week, and none longer
#: than four weeks ("Infinite" included).
DEFAULT_TIMEOUT = 7 * 24 * 3600
MAX_TIMEOUT = 4 * 7 * 24 * 3600

_TABLE = DavLock.__table__

#: The locks one request has read, by root (see :func:`request_scope`); None outside one.
_SEEN: ContextVar[dict[str, list] | None] = ContextVar("dav_locks_seen", default=None)


@contextmanager
def request_scope() -> Iterator[None]:
    """Within one request, read the locks on a path and its ancestors once.

    WsgiDAV's LockManager asks for the direct locks of a URL and of each of its ancestors,
    one call each, and a PUT asks twice (its check, then its write transaction). Here the
    first call reads the whole chain in one query and the request reuses it: the locks as
    the request first saw them, as if it had read them all at once. Any change of a lock
    through this storage forgets what was read."""
    token = _SEEN.set({})
    try:
        yield
    finally:
        _SEEN.reset(token)


def _forget() -> None:
    seen = _SEEN.get()
    if seen is not None:
        seen.clear()


def _alive(now: float):
    return or_(_TABLE.c.expire < 0, _TABLE.c.expire >= now)


def _below(path: str):
    """Rows whose root lies strictly below ``path`` (a byte-order range: '0' follows '/')."""
    if path == "/":
        return _TABLE.c.root > "/"
    return (_TABLE.c.root > path + "/") & (_TABLE.c.root < path + "0")


def ancestors(path: str) -> list[str]:
    """``/a/b/c`` → ``["/a/b", "/a", "/"]``."""
    found = []
    while path != "/":
        path = path.rsplit("/", 1)[0] or "/"
        found.append(path)
    return found


def _as_lock(row: Any) -> dict[str, Any]:
    return {"token": row.token, "root": row.root, "principal": row.principal,
            "type": "write", "scope": row.scope, "depth": row.depth,
            "owner": row.owner.encode("utf-8"), "timeout": row.timeout, "expire": row.expire}


class DatabaseLockStorage:
    """WsgiDAV lock storage over the ``dav_locks`` table of the repository's database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.engine.url.render_as_string(hide_password=True)})"

    # -- transactions ---------------------------------------------------------------------

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self.engine.connect() as connection, connection.begin():
            yield connection

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """A transaction that holds the database's write lock from its start (SQLite) or
        the advisory lock of WebDAV locks (PostgreSQL)."""
        with self.engine.connect() as connection:
            connection.execution_options(sqlite_immediate=True)
            with connection.begin():
                if self.engine.dialect.name == "postgresql":
                    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                                       {"key": LOCK_KEY})
                yield connection

    # -- WsgiDAV's lock storage interface -------------------------------------------------

    def open(self) -> None:
        """The table is made with the repository's schema; nothing to open."""

    def close(self) -> None:
        """Connections belong to the repository's engine; nothing to close."""

    def cleanup(self) -> None:
        """Remove expired locks."""
        _forget()
        with self._write() as connection:
            connection.execute(delete(_TABLE).where(~_alive(time.time())))

    def clear(self) -> None:
        _forget()
        with self._write() as connection:
            connection.execute(delete(_TABLE))

    def get(self, token: str) -> dict[str, Any] | None:
        """The live lock with ``token``, or None (an expired one counts as none)."""
        with self._read() as connection:
            row = connection.execute(select(_TABLE).where(
                _TABLE.c.token == token, _alive(time.time()))).first()
        return _as_lock(row) if row is not None else None

    def create(self, path: str, lock: dict[str, Any]) -> dict[str, Any]:
        """Store a new lock on ``path``; fills in ``root``, ``timeout``, ``expire`` and
        ``token`` of ``lock`` and returns it. Raises 423 Locked when a conflicting lock
        was taken meanwhile (by another process)."""
        assert lock.get("token") is None and lock.get("expire") is None
        root = normalize_lock_root(path)
        timeout = lock.get("timeout")
        timeout = DEFAULT_TIMEOUT if timeout is None else float(timeout)
        if timeout < 0 or timeout > MAX_TIMEOUT:
            timeout = MAX_TIMEOUT
        now = time.time()
        lock.update(root=root, timeout=timeout, expire=now + timeout)
        validate_lock(lock)
        lock["token"] = generate_lock_token()
        owner = lock["owner"]
        _forget()
        with self._write() as connection:
            connection.execute(delete(_TABLE).where(~_alive(now)))
            conflicts = self._conflicts(connection, root, lock["scope"], lock["depth"], now)
            if conflicts:
                condition = DAVErrorCondition(PRECONDITION_CODE_LockConflict)
                for href in conflicts:
                    condition.add_href(href)
                raise DAVError(HTTP_LOCKED, err_condition=condition)
            connection.execute(_TABLE.insert().values(
                token=lock["token"], root=root, principal=lock["principal"],
                scope=lock["scope"], depth=lock["depth"],
                owner=owner.decode("utf-8") if isinstance(owner, bytes) else str(owner or ""),
                timeout=timeout, expire=lock["expire"]))
        return lock

    def refresh(self, token: str, *, timeout: float) -> dict[str, Any]:
        if timeout < 0 or timeout > MAX_TIMEOUT:
            timeout = MAX_TIMEOUT
        _forget()
        with self._write() as connection:
            connection.execute(update(_TABLE).where(_TABLE.c.token == token)
                               .values(timeout=timeout, expire=time.time() + timeout))
            row = connection.execute(select(_TABLE).where(_TABLE.c.token == token)).first()
        if row is None:
            raise ValueError(f"no lock with the token {token}")
        return _as_lock(row)

    def delete(self, token: str) -> bool:
        _forget()
        with self._write() as connection:
            return connection.execute(delete(_TABLE).where(_TABLE.c.token == token)).rowcount > 0

    def get_lock_list(self, path: str, *, include_root: bool, include_children: bool,
                      token_only: bool) -> list:
        """Live locks whose root is ``path`` (``include_root``) or below it
        (``include_children``)."""
        root = normalize_lock_root(path)
        if include_root and not include_children:
            rows = self._direct(root)
        else:
            where = []
            if include_root:
                where.append(_TABLE.c.root == root)
            if include_children:
                where.append(_below(root))
            with self._read() as connection:
                rows = connection.execute(select(_TABLE).where(or_(*where), _alive(time.time()))
                                          .order_by(_TABLE.c.root, _TABLE.c.token)).all()
        return [row.token for row in rows] if token_only else [_as_lock(row) for row in rows]

    def _direct(self, root: str) -> list:
        """Live locks whose root is ``root``; in a request (:func:`request_scope`) the
        locks of its ancestors are read in the same query and kept for the request."""
        now = time.time()
        seen = _SEEN.get()
        if seen is not None and root in seen:
            return [row for row in seen[root] if row.expire < 0 or row.expire >= now]
        chain = [root, *ancestors(root)] if seen is not None else [root]
        with self._read() as connection:
            rows = connection.execute(select(_TABLE).where(_TABLE.c.root.in_(chain), _alive(now))
                                      .order_by(_TABLE.c.root, _TABLE.c.token)).all()
        if seen is not None:
            for each in chain:
                seen[each] = [row for row in rows if row.root == each]
        return [row for row in rows if row.root == root]

    # -- for the provider -----------------------------------------------------------------

    def locked_roots_below(self, path: str) -> set[str]:
        """Roots of the live locks strictly below ``path``, in one query: a listing asks
        this once instead of once per child."""
        with self._read() as connection:
            return set(connection.scalars(select(_TABLE.c.root).where(
                _below(normalize_lock_root(path)), _alive(time.time()))))

    # -- internals ------------------------------------------------------------------------

    @staticmethod
    def _conflicts(connection: Connection, root: str, scope: str, depth: str,
                   now: float) -> list[str]:
        """Roots of the live locks a new lock (``scope``, ``depth``) on ``root`` would
        conflict with, by the rules of WsgiDAV's ``LockManager``: a lock on the same
        resource or a depth-infinity lock above it, unless both are shared; any lock
        below it when the new lock is depth-infinity."""
        found = []
        above = connection.execute(select(_TABLE.c.root, _TABLE.c.scope).where(
            _alive(now), or_(_TABLE.c.root == root,
                             (_TABLE.c.root.in_(ancestors(root))) & (_TABLE.c.depth == "infinity"))))
        for lock_root, lock_scope in above:
            if not (lock_scope == "shared" and scope == "shared"):
                found.append(lock_root)
        if depth == "infinity":
            found.extend(connection.scalars(select(_TABLE.c.root).where(_alive(now), _below(root))))
        return found
