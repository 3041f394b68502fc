"""The Repository: resolve, list, create, update, copy, move and delete nodes.

Every public method runs in its own transaction and returns plain :class:`Node` values,
so callers never hold a database session. Writes that also store bytes put the blob on
disk first (see :mod:`repository.blobs`), then commit the row that refers to it.
"""
from __future__ import annotations

import copy
import os
import sqlite3
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterable, Iterator, NamedTuple

from sqlalchemy import bindparam, delete, event, func, insert, inspect, literal, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine, create_engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.schema import CreateIndex

from . import entries, mediatypes, paths, values
from .access import (
    ADD_CHILD_NODES,
    ADMINISTRATORS,
    ALL,
    MODIFY_PROPERTIES,
    READ,
    REMOVE_CHILD_NODES,
    REMOVE_NODE,
    SYSTEM,
    Caller,
    effective,
    evaluate,
    privilege_names,
    step,
)
from .blobs import BlobStore, StoredBlob
from .errors import (
    AccessDenied,
    AlreadyExists,
    Forbidden,
    InvalidOperation,
    InvalidValue,
    NotFound,
    ParentMissing,
    PreconditionFailed,
    PropertyTaken,
    QueryTimeout,
)
from .jobs import DEFAULT_LEASE_SECONDS, JobQueue
from .models import ROOT_ID, SIBLING_UNIQUE_PROPERTY, Base, Blob, Group, NodeRow, utcnow
from .paths import RepoPath
from .query import Selection, sqlite_regexp
from .retry import retry_transient

FOLDER = "folder"
ASSET = "asset"
RENDITION = "rendition"
COMMENT = "comment"

#: Kinds of node that carry a binary.
BINARY_KINDS = frozenset({ASSET, RENDITION})
MAX_ID_LENGTH = 36
#: Key of the PostgreSQL advisory lock that serialises moves (see ``_transfer``).
MOVE_LOCK_KEY = 0x61737365
#: Key of the PostgreSQL advisory lock that serialises schema creation.
SCHEMA_LOCK_KEY = 0x61737366
#: Seconds a listing (its count and its page) may take before it is stopped.
DEFAULT_LISTING_BUDGET = 5.0
#: SQLite virtual-machine steps between two looks at a listing's clock.
PROGRESS_STEPS = 1000
#: PostgreSQL's SQLSTATE for a statement cancelled by statement_timeout.
QUERY_CANCELED = "57014"

#: The lookup every path resolution repeats, built once (building it per call dominated
#: the cost of small requests).
CHILD_BY_NAME = select(NodeRow).where(
    NodeRow.parent_id == bindparam("parent_id"), NodeRow.name == bindparam("name")
)
CHILD_BY_NAME_FOR_UPDATE = CHILD_BY_NAME.with_for_update()
CHILD_ID_BY_NAME = select(NodeRow.id).where(
    NodeRow.parent_id == bindparam("parent_id"), NodeRow.name == bindparam("name")
)
#: What walking a path and checking a move need of a node, without loading an ORM object.
CHILD_REF_BY_NAME = select(NodeRow.id, NodeRow.kind, NodeRow.parent_id).where(
    NodeRow.parent_id == bindparam("parent_id"), NodeRow.name == bindparam("name")
)
PARENT_ID = select(NodeRow.parent_id).where(NodeRow.id == bindparam("node_id"))
MOVE_ROW = (
    update(NodeRow)
    .where(NodeRow.id == bindparam("node_id"))
    .values(parent_id=bindparam("new_parent_id"), name=bindparam("new_name"),
            modified=bindparam("now"), version=NodeRow.version + 1)
)

#: Which kinds of node may live under which.
ALLOWED_CHILDREN = {
    FOLDER: {FOLDER, ASSET},
    ASSET: {RENDITION, COMMENT},
    RENDITION: set(),
    COMMENT: set(),
}


@dataclass(frozen=True)
class Node:
    id: str
    parent_id: str | None
    name: str
    kind: str
    properties: dict[str, Any]
    blob: StoredBlob | None
    mime_type: str | None
    created: datetime
    modified: datetime
    version: int
    path: RepoPath = field(default=())

    @property
    def is_root(self) -> bool:
        return self.id == ROOT_ID


class Resolved(NamedTuple):
    """A row found by path, the ids from the root down to it, what the caller's entries
    grant on it (before its credential narrows it) and what they pass on to its children."""

    row: NodeRow
    ids: list[str]
    by_entries: int
    passed_on: int


class NodeRef(NamedTuple):
    """The little of a node that walking paths and checking moves needs."""

    id: str
    kind: str
    parent_id: str | None


ROOT_REF = NodeRef(ROOT_ID, FOLDER, None)


@dataclass(frozen=True)
class OwnedProperties:
    """Properties only one API (``door``) and the system may write: those named in ``keys``
    or starting with ``prefix``, on nodes at or below ``under``."""

    door: str
    prefix: str | None = None
    keys: frozenset[str] = frozenset()
    under: RepoPath = ()

    def covers(self, path: RepoPath, key: str) -> bool:
        return paths.is_within(path, self.under) and (
            key in self.keys or (self.prefix is not None and key.startswith(self.prefix)))


@dataclass(frozen=True)
class Page:
    nodes: list[Node]
    total: int
    offset: int
    limit: int


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _new_id() -> str:
    return str(uuid.uuid4())


class Repository:
    """The tree, acting for one caller (:mod:`repository.access`).

    A Repository made with its constructor acts for the system (every check passes): it is
    for start-up, background work and the command line. :meth:`acting_for` gives a view of
    the same store acting for a request's caller; the web doors only ever use such views.
    """

    def __init__(self, database_url: str, blob_root: str, *, echo: bool = False,
                 listing_budget: float | None = DEFAULT_LISTING_BUDGET,
                 job_lease_seconds: float = DEFAULT_LEASE_SECONDS) -> None:
        self.engine = _make_engine(database_url, echo=echo)
        #: Seconds each listing may take (None: no limit); see :meth:`_listing`.
        self.listing_budget = listing_budget
        self.blobs = BlobStore(blob_root)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        #: Work left for later by changes (a new binary → renditions); see repository.jobs.
        self.jobs = JobQueue(self, lease_seconds=job_lease_seconds)
        self._caller: Caller = SYSTEM
        #: What the caller's entries grant, by chain of node ids, in a view for one request
        #: (see ``acting_for``); None: not remembered.
        self._evaluated: dict[tuple[str, ...], tuple[int, int]] | None = None
        #: Paths (``*`` matches any one name) only administrators may move or delete.
        self._mounts: list[RepoPath] = []
        self._owned: list[OwnedProperties] = []

    # -- callers --------------------------------------------------------------------------

    def acting_for(self, caller: Caller, *, one_request: bool = False) -> "Repository":
        """This repository (same database, blobs and jobs) acting for ``caller``.

        A view for ``one_request`` evaluates the caller's rights on a path once and
        remembers it for its (short) life: a request that finds the node its URL names,
        then reads and lists it, queries the entries on that path once. Changing entries
        through the view forgets what it remembered.
        """
        view = copy.copy(self)
        view._caller = caller
        view._evaluated = {} if one_request else None
        return view

    @property
    def _system(self) -> "Repository":
        """This repository acting for the system: for finding out, after a write failed,
        why (the answer then names only what the caller gave)."""
        return self.acting_for(SYSTEM)

    @property
    def caller(self) -> Caller:
        return self._caller

    @property
    def principals(self):
        """Groups and the principals a user acts as (:mod:`repository.principals`)."""
        from .principals import Principals

        return Principals(self)

    @property
    def access(self):
        """Reading and changing access control entries (:mod:`repository.acl`)."""
        from .acl import AccessControl

        return AccessControl(self)

    def protect_mount(self, pattern: RepoPath) -> None:
        """Let only administrators move, rename or delete nodes at ``pattern`` (an API's
        mount folder; ``*`` stands for any one name)."""
        self._mounts.append(tuple(pattern))

    def own_properties(self, door: str, *, prefix: str | None = None,
                       keys: Iterable[str] = (), under: RepoPath = ()) -> None:
        """Make properties writable only through ``door`` (and by the system): an API's
        stored fields, which other APIs must not change behind its rules."""
        self._owned.append(OwnedProperties(door, prefix, frozenset(keys), tuple(under)))

    def is_mount(self, path: RepoPath) -> bool:
        return any(len(pattern) == len(path) and all(
            want in ("*", name) for want, name in zip(pattern, path)) for pattern in self._mounts)

    # -- set-up -------------------------------------------------------------------------

    def create_schema(self) -> None:
        """Create what is missing: tables, indexes (also those a newer version added to an
        existing table) and the root folder.

        Every server process and CLI command calls this at start-up, on a new database
        possibly all at once. One transaction holding the write lock (SQLite) or an
        advisory lock (PostgreSQL) makes the others wait, then find everything in place;
        without it a starter fails with "database is locked" or "already exists".
        """
        with self.engine.connect() as connection:
            connection.execution_options(sqlite_immediate=True)
            with connection.begin():
                if self.engine.dialect.name == "postgresql":
                    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                                       {"key": SCHEMA_LOCK_KEY})
                Base.metadata.create_all(connection)
                # create_all skips tables that exist; an index a newer version added is
                # still wanted on them. IF NOT EXISTS, not checkfirst: reflection cannot
                # see expression indexes (uq_nodes_sibling_property).
                dialect = self.engine.dialect.name
                _add_missing_columns(connection)
                for table in Base.metadata.sorted_tables:
                    for index in table.indexes:
                        if index.info.get("dialect", dialect) == dialect:
                            connection.execute(CreateIndex(index, if_not_exists=True))
                connection.execute(
                    self._insert_ignore(NodeRow).values(
                        id=ROOT_ID, parent_id=None, name="", kind=FOLDER, properties={},
                        created=utcnow(), modified=utcnow(), version=1,
                    )
                )
                connection.execute(self._insert_ignore(Group).values(name=ADMINISTRATORS,
                                                                     created=utcnow()))

    def dispose(self) -> None:
        self.engine.dispose()

    # -- transactions ---------------------------------------------------------------------

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with self._sessions() as s, s.begin():
            yield s

    @contextmanager
    def _write(self) -> Iterator[Session]:
        with self._sessions() as s, s.begin():
            if self.engine.dialect.name == "sqlite":
                # Take the write lock up front: a deferred transaction that reads and then
                # writes can fail at once with "database is locked" instead of waiting.
                s.connection(execution_options={"sqlite_immediate": True})
            yield s

    @contextmanager
    def _listing(self) -> Iterator[Session]:
        """A read transaction that stops after :attr:`listing_budget` seconds with
        :class:`QueryTimeout`: a costly filter (a regex over every JSON document of a large
        folder) must not hold a connection and a worker for as long as it likes.

        PostgreSQL cancels a statement running longer (``statement_timeout``, for this
        transaction only); SQLite looks at the clock every :data:`PROGRESS_STEPS` steps of
        its virtual machine (a progress handler) and interrupts the query once it passed.
        """
        budget = self.listing_budget
        try:
            with self._read() as s:
                if budget is None:
                    yield s
                    return
                connection = s.connection()
                if self.engine.dialect.name == "postgresql":
                    milliseconds = max(1, round(budget * 1000))
                    connection.exec_driver_sql(f"SET LOCAL statement_timeout = {milliseconds}")
                    yield s
                    return
                raw = connection.connection.driver_connection
                deadline = time.monotonic() + budget
                raw.set_progress_handler(lambda: time.monotonic() > deadline, PROGRESS_STEPS)
                try:
                    yield s
                finally:
                    raw.set_progress_handler(None, PROGRESS_STEPS)
        except OperationalError as error:
            if not _budget_exceeded(error):
                raise
            raise QueryTimeout(f"the listing took longer than its time budget of {budget:g} "
                               "seconds and was stopped") from None

    def _insert_ignore(self, table):
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        return dialect.insert(table).on_conflict_do_nothing()

    # -- reading --------------------------------------------------------------------------

    def get(self, path: RepoPath) -> Node:
        path = paths.normalize(path)
        with self._read() as s:
            return self._to_node(s, self._resolve(s, path).row, path)

    def get_by_id(self, node_id: str) -> Node:
        if not _storable(node_id, MAX_ID_LENGTH):
            raise NotFound(f"no node with id {node_id!r}")
        with self._read() as s:
            row = s.get(NodeRow, node_id)
            if row is None:
                raise NotFound(f"no node with id {node_id}")
            path, ids = self._path_of(s, row)
            if not self._granted(s, ids, path) & READ:
                raise NotFound(f"no node with id {node_id}")
            return self._to_node(s, row, path)

    def check(self, path: RepoPath, need: int) -> Node:
        """The node at ``path`` if the caller holds the privileges ``need`` on it (see
        :mod:`repository.access`); NotFound or AccessDenied otherwise.

        Writes check for themselves; an API calls this first only to refuse a request
        before reading a body that could not be stored.
        """
        path = paths.normalize(path)
        with self._read() as s:
            return self._to_node(s, self._resolve(s, path, need).row, path)

    def check_creatable(self, path: RepoPath, kind: str) -> None:
        """Refuse, as :meth:`create` would, a create at ``path`` that cannot succeed now: a
        missing parent, one the caller may not add to or that cannot hold ``kind``, or a
        taken name. For APIs that check before reading a body; the create decides a race."""
        if not path:
            raise AlreadyExists("the root folder always exists")
        path = paths.normalize(path[:-1]) + (paths.check_new_name(path[-1]),)
        with self._read() as s:
            parent = self._locate_parent(s, path, ADD_CHILD_NODES)
            if kind not in ALLOWED_CHILDREN[parent.kind]:
                raise InvalidOperation(f"a {kind} cannot be created inside a {parent.kind}")
            if s.connection().scalar(CHILD_ID_BY_NAME, {"parent_id": parent.id,
                                                        "name": path[-1]}) is not None:
                raise AlreadyExists(f"{paths.to_text(path)} already exists")

    def exists(self, path: RepoPath) -> bool:
        try:
            self.get(path)
        except NotFound:
            return False
        return True

    def list_children(
        self,
        path: RepoPath,
        *,
        kinds: Iterable[str] | None = None,
        offset: int = 0,
        limit: int | None = 20,
        after: str | None = None,
    ) -> Page:
        """One page of a node's children, ordered by name (byte order).

        With ``after`` (the last name of the previous page) the page is found by key, so a
        page deep in a large folder costs what the first page costs; ``offset`` is then
        only reported, not used to skip rows. Without it, the rows before ``offset`` are
        skipped by reading names alone (without ``kinds``, from the ``(parent_id, name)``
        index and no table rows), then the page is found by key from the next name.
        """
        if offset < 0:
            raise InvalidValue("offset must not be negative")
        if limit is not None and limit < 1:
            raise InvalidValue("limit must be at least 1")
        path = paths.normalize(path)
        if after is not None:
            after = paths.check_name(after)
        with self._listing() as s:
            found = self._resolve(s, path)
            where = [NodeRow.parent_id == found.row.id, *self._readable_children(s, found, path)]
            if kinds is not None:
                where.append(NodeRow.kind.in_(list(kinds)))
            total = s.scalar(select(func.count()).select_from(NodeRow).where(*where))
            query = select(NodeRow, Blob).outerjoin(Blob).where(*where).order_by(NodeRow.name)
            if after is not None:
                query = query.where(NodeRow.name > after)
            elif offset:
                first = s.scalar(select(NodeRow.name).where(*where).order_by(NodeRow.name)
                                 .offset(offset).limit(1))
                if first is None:
                    return Page(nodes=[], total=total or 0, offset=offset, limit=limit or 0)
                query = query.where(NodeRow.name >= first)
            if limit is not None:
                query = query.limit(limit)
            nodes = [
                self._to_node(s, row, path + (row.name,), blob=blob)
                for row, blob in s.execute(query)
            ]
            return Page(nodes=nodes, total=total or 0, offset=offset, limit=limit or 0)

    def query_children(
        self,
        path: RepoPath,
        selection: Selection,
        *,
        offset: int = 0,
        limit: int | None = 60,
        count: bool = False,
    ) -> Page:
        """One page of a node's children chosen and ordered by ``selection`` (the flat APIs'
        filter and sort language, :mod:`repository.query`), all done by the database; ties
        go by name. ``Page.total`` is counted only with ``count`` (-1 otherwise)."""
        from sqlalchemy.exc import DataError

        if offset < 0:
            raise InvalidValue("offset must not be negative")
        if limit is not None and limit < 1:
            raise InvalidValue("limit must be at least 1")
        path = paths.normalize(path)
        dialect = self.engine.dialect.name
        condition = selection.where(dialect)
        order = selection.order_by(dialect) + [NodeRow.name]
        try:
            with self._listing() as s:
                found = self._resolve(s, path)
                where = [NodeRow.parent_id == found.row.id, condition,
                         *self._readable_children(s, found, path)]
                total = -1
                if count:
                    total = s.scalar(select(func.count()).select_from(NodeRow).outerjoin(Blob)
                                     .where(*where)) or 0
                query = (select(NodeRow, Blob).outerjoin(Blob).where(*where)
                         .order_by(*order).offset(offset).limit(limit))
                nodes = [self._to_node(s, row, path + (row.name,), blob=blob)
                         for row, blob in s.execute(query)]
        except DataError as error:  # e.g. a regex PostgreSQL does not accept
            raise InvalidValue(f"the database cannot evaluate the query: {error.orig}") from None
        return Page(nodes=nodes, total=total, offset=offset, limit=limit or 0)

    # -- writing --------------------------------------------------------------------------

    @retry_transient
    def create(
        self,
        path: RepoPath,
        kind: str,
        *,
        properties: dict[str, Any] | None = None,
        blob: StoredBlob | None = None,
        mime_type: str | None = None,
        node_id: str | None = None,
        jobs: dict[str, dict[str, Any] | None] | None = None,
        grant_creator: bool = False,
    ) -> Node:
        """Create a node at ``path``.

        ``jobs`` (kind → payload) are enqueued for the new node in the same transaction:
        the node and the work it waits for exist together or not at all (e.g. an asset
        whose media a background job will import; see :mod:`repository.jobs`).
        ``grant_creator`` gives the caller's user ``jcr:all`` on the new node, in the same
        transaction (a Projects API project belongs to whoever made it).
        """
        if not path:
            raise AlreadyExists("the root folder always exists")
        path = paths.normalize(path[:-1]) + (paths.check_new_name(path[-1]),)
        if blob is not None and kind not in BINARY_KINDS:
            raise InvalidOperation(f"a {kind} has no binary")
        if node_id is not None and not _storable(node_id, MAX_ID_LENGTH):
            raise InvalidValue(f"an id must be 1 to {MAX_ID_LENGTH} characters, without NUL")
        _check_mime(mime_type)
        values.check_properties(properties)
        for job_payload in (jobs or {}).values():
            values.check_json(job_payload, "a job's payload")
        try:
            with self._write() as s:
                parent = self._locate_parent(s, path, ADD_CHILD_NODES)
                self._check_owned(path, properties or {})
                if kind not in ALLOWED_CHILDREN[parent.kind]:
                    raise InvalidOperation(
                        f"a {kind} cannot be created inside a {parent.kind} "
                        f"({paths.to_text(path[:-1])})"
                    )
                if blob is not None:
                    self._register_blob(s, blob)
                now = utcnow()
                row = NodeRow(
                    id=node_id or _new_id(), parent_id=parent.id, name=path[-1], kind=kind,
                    properties=dict(properties or {}),
                    blob_sha256=blob.sha256 if blob else None,
                    mime_type=mime_type, created=now, modified=now, version=1,
                )
                s.add(row)
                s.flush()
                if blob is not None and kind == ASSET:
                    self.jobs.enqueue_in(s, row.id, new_node=True)
                for job_kind, payload in (jobs or {}).items():
                    self.jobs.enqueue_in(s, row.id, job_kind, new_node=True, payload=payload)
                if grant_creator and self._caller.user is not None:
                    entries.set_entry(s, row.id, self._caller.user, ALL, 0)
                return self._to_node(s, row, path, blob=blob)
        except IntegrityError:
            if node_id is not None and self._id_taken(node_id):
                raise AlreadyExists(f"the id {node_id} is already taken") from None
            if not self._system.exists(path[:-1]):  # the parent was deleted meanwhile
                raise ParentMissing(f"the parent {paths.to_text(path[:-1])} was deleted") from None
            if not self._system.exists(path):
                self._raise_if_property_taken(path[:-1], properties)
            raise AlreadyExists(f"{paths.to_text(path)} already exists") from None

    def ensure_folder(self, path: RepoPath, *, properties: dict[str, Any] | None = None) -> Node:
        """The folder at ``path``, created (with ``properties``) if missing.

        A concurrent request creating it too is fine. Raises AlreadyExists when a node that
        is not a folder holds the name.
        """
        try:
            node = self.get(path)
        except NotFound:
            try:
                return self.create(path, FOLDER, properties=properties)
            except AlreadyExists:  # another request won the race; its folder serves us too
                node = self.get(path)
        if node.kind != FOLDER:
            raise AlreadyExists(f"{paths.to_text(path)} exists and is a {node.kind}, not a folder")
        return node

    @retry_transient
    def update(
        self,
        path: RepoPath,
        *,
        properties: dict[str, Any] | None = None,
        replace_properties: bool = False,
        blob: StoredBlob | None = None,
        mime_type: str | None = None,
        clear_blob: bool = False,
        expected_version: int | None = None,
        derived: bool = False,
    ) -> Node:
        """Change a node's properties and/or binary; its version grows by one.

        ``properties`` are merged into the existing ones (a value of ``None`` removes the
        key) unless ``replace_properties`` is set. ``expected_version`` makes the update
        conditional (optimistic locking). ``derived`` marks what the server works out from
        the node's own binary (image metadata): the version and the modified time stay, so
        a client's next conditional update is not refused because a background job ran.
        """
        _check_mime(mime_type)
        values.check_properties(properties)
        path = paths.normalize(path)
        try:
            with self._write() as s:
                row = self._resolve(s, path, MODIFY_PROPERTIES, lock=True).row
                if expected_version is not None and row.version != expected_version:
                    raise PreconditionFailed(
                        f"version {expected_version} is stale; the current version is {row.version}"
                    )
                if (blob is not None or clear_blob) and row.kind not in BINARY_KINDS:
                    raise InvalidOperation(f"a {row.kind} has no binary")
                if properties is not None:
                    before = dict(row.properties or {})
                    merged = {} if replace_properties else dict(before)
                    for key, value in properties.items():
                        if value is None:
                            merged.pop(key, None)
                        else:
                            merged[key] = value
                    self._check_owned(path, {key for key in before.keys() | merged.keys()
                                             if before.get(key) != merged.get(key)})
                    row.properties = merged
                if blob is not None:
                    self._register_blob(s, blob)
                    row.blob_sha256 = blob.sha256
                    row.mime_type = mime_type or row.mime_type
                elif clear_blob:
                    row.blob_sha256 = None
                    row.mime_type = None
                elif mime_type is not None:
                    row.mime_type = mime_type
                if (blob is not None or clear_blob) and row.kind == ASSET:
                    self.jobs.enqueue_in(s, row.id)
                if not derived:
                    row.modified = utcnow()
                    row.version = row.version + 1
                s.flush()
                return self._to_node(s, row, path)
        except IntegrityError:  # another sibling holds the new unique property value
            self._raise_if_property_taken(path[:-1], properties, except_id=self._system.get(path).id)
            raise

    @retry_transient
    def delete(self, path: RepoPath) -> None:
        """Delete a node and its whole subtree (the database cascades)."""
        if not path:
            raise Forbidden("the root folder cannot be deleted")
        path = paths.normalize(path)
        with self._write() as s:
            found = self._resolve(s, path, REMOVE_NODE)
            self._check_removal(s, found, path)
            s.execute(delete(NodeRow).where(NodeRow.id == found.row.id))

    def move(self, source: RepoPath, destination: RepoPath, *, overwrite: bool = True) -> bool:
        """Move a subtree by changing one row. Returns True if the destination was new."""
        return self._transfer(source, destination, overwrite=overwrite, copy_depth=None)

    def copy(
        self,
        source: RepoPath,
        destination: RepoPath,
        *,
        recursive: bool = True,
        overwrite: bool = True,
    ) -> bool:
        """Copy a node (and, if ``recursive``, its subtree) by copying rows, never bytes.

        Returns True if the destination was new.
        """
        return self._transfer(
            source, destination, overwrite=overwrite, copy_depth="infinity" if recursive else "0"
        )

    @retry_transient
    def _transfer(
        self, source: RepoPath, destination: RepoPath, *, overwrite: bool, copy_depth: str | None
    ) -> bool:
        verb = "move" if copy_depth is None else "copy"
        if not source:
            raise Forbidden(f"the root folder cannot be the source of a {verb}")
        if not destination:
            raise Forbidden(f"the root folder cannot be the destination of a {verb}")
        source = paths.normalize(source)
        destination = paths.normalize(destination[:-1]) + (paths.check_new_name(destination[-1]),)
        if source == destination:
            raise Forbidden(f"cannot {verb} {paths.to_text(source)} onto itself")
        if paths.is_within(destination, source):
            raise Forbidden(f"cannot {verb} {paths.to_text(source)} into its own subtree")
        if paths.is_within(source, destination):
            raise Forbidden(
                f"the destination {paths.to_text(destination)} contains the source"
            )
        try:
            with self._write() as s:
                if copy_depth is None and self.engine.dialect.name == "postgresql":
                    # Two crossing moves (/x → /y/x and /y → /x/y) must not both pass the
                    # subtree check below; SQLite's write lock already serialises them.
                    s.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MOVE_LOCK_KEY})
                found = self._resolve(s, source, READ if copy_depth else REMOVE_NODE)
                if copy_depth is None:
                    self._check_removal(s, found, source)
                src = NodeRef(found.row.id, found.row.kind, found.row.parent_id)
                dst_parent = self._locate_parent(s, destination, ADD_CHILD_NODES)
                if copy_depth is None and self._is_ancestor(s, src.id, dst_parent):
                    raise Forbidden(f"cannot move {paths.to_text(source)} into its own subtree")
                if src.kind not in ALLOWED_CHILDREN[dst_parent.kind]:
                    raise InvalidOperation(
                        f"a {src.kind} cannot be placed inside a {dst_parent.kind}"
                    )
                # Plain Core statements on the session's connection: no ORM object is
                # involved, and the ORM's bulk-update machinery would cost more than the SQL.
                connection = s.connection()
                existing = connection.scalar(
                    CHILD_ID_BY_NAME, {"parent_id": dst_parent.id, "name": destination[-1]}
                )
                if existing is not None:
                    if not overwrite:
                        raise PreconditionFailed(
                            f"{paths.to_text(destination)} exists and X-Overwrite is F"
                        )
                    self._check_overwrite(s, destination)
                    connection.execute(delete(NodeRow).where(NodeRow.id == existing))
                if copy_depth is None:
                    connection.execute(MOVE_ROW, {"node_id": src.id,
                                                  "new_parent_id": dst_parent.id,
                                                  "new_name": destination[-1], "now": utcnow()})
                else:
                    self._copy_rows(s, src, dst_parent.id, destination[-1],
                                    copy_depth == "infinity",
                                    skip=self._unreadable_below(s, found, source))
            return existing is None
        except IntegrityError:
            if not self._system.exists(destination[:-1]):  # the parent was deleted meanwhile
                raise ParentMissing(
                    f"the parent {paths.to_text(destination[:-1])} was deleted"
                ) from None
            source_node = self._system.get(source)  # as it was: the transaction rolled back
            self._raise_if_property_taken(
                destination[:-1], source_node.properties,
                except_id=source_node.id if copy_depth is None else None)
            raise AlreadyExists(
                f"{paths.to_text(destination)} was created by another request meanwhile"
            ) from None

    def _copy_rows(
        self, s: Session, src: NodeRef, new_parent_id: str, new_name: str, recursive: bool,
        *, skip: set[str] = frozenset(),
    ) -> None:
        """Insert copies of ``src`` (and its subtree) under ``new_parent_id``, leaving out
        the nodes in ``skip`` and everything below them."""
        columns = [
            NodeRow.id, NodeRow.parent_id, NodeRow.name, NodeRow.kind, NodeRow.properties,
            NodeRow.blob_sha256, NodeRow.mime_type,
        ]
        if recursive:
            tree = (
                select(NodeRow.id.label("id"), literal(0).label("depth"))
                .where(NodeRow.id == src.id)
                .cte("subtree", recursive=True)
            )
            tree = tree.union_all(
                select(NodeRow.id, tree.c.depth + 1).where(NodeRow.parent_id == tree.c.id)
            )
            query = select(*columns).join(tree, tree.c.id == NodeRow.id).order_by(tree.c.depth)
        else:
            query = select(*columns).where(NodeRow.id == src.id)
        new_ids: dict[str, str] = {}
        now = utcnow()
        batch: list[dict[str, Any]] = []
        for row in s.execute(query):
            if row.id in skip or (row.id != src.id and row.parent_id not in new_ids):
                continue
            new_id = _new_id()
            new_ids[row.id] = new_id
            is_top = row.id == src.id
            batch.append(
                {
                    "id": new_id,
                    "parent_id": new_parent_id if is_top else new_ids[row.parent_id],
                    "name": new_name if is_top else row.name,
                    "kind": row.kind, "properties": row.properties,
                    "blob_sha256": row.blob_sha256, "mime_type": row.mime_type,
                    "created": now, "modified": now, "version": 1,
                }
            )
            if len(batch) >= 1000:
                s.execute(insert(NodeRow), batch)
                batch = []
        if batch:
            s.execute(insert(NodeRow), batch)
        self.jobs.carry_over_in(s, new_ids)

    # -- blobs ----------------------------------------------------------------------------

    def _register_blob(self, s: Session, blob: StoredBlob) -> None:
        s.execute(
            self._insert_ignore(Blob).values(
                sha256=blob.sha256, md5=blob.md5, size=blob.size, created=utcnow()
            )
        )
        if blob.md5 is not None:  # the same bytes may be known already, without their md5
            s.execute(update(Blob).where(Blob.sha256 == blob.sha256, Blob.md5.is_(None))
                      .values(md5=blob.md5))

    @retry_transient
    def md5_of(self, blob: StoredBlob) -> str:
        """The blob's md5, computed from its bytes (once, then kept) if the upload skipped it."""
        if blob.md5 is not None:
            return blob.md5
        with self._read() as s:
            known = s.scalar(select(Blob.md5).where(Blob.sha256 == blob.sha256))
        if known is not None:
            return known
        md5 = self.blobs.md5_of(blob.sha256)
        with self._write() as s:
            s.execute(update(Blob).where(Blob.sha256 == blob.sha256).values(md5=md5))
        return md5

    @retry_transient
    def collect_garbage(self, *, grace_seconds: float = 3600) -> tuple[int, int]:
        """Remove blobs no node references. Returns (blobs removed, stale uploads removed).

        A blob file younger than ``grace_seconds`` is kept: an upload may have put it in
        place and not yet committed the row that refers to it.
        """
        if not self._caller.is_admin:
            raise AccessDenied("only administrators may collect garbage")
        removed = 0
        with self._write() as s:
            referenced = select(NodeRow.blob_sha256).where(NodeRow.blob_sha256.is_not(None))
            orphans = list(s.scalars(select(Blob.sha256).where(Blob.sha256.not_in(referenced))))
            for sha in orphans:
                if self.blobs.remove(sha, older_than=grace_seconds) or not self.blobs.exists(sha):
                    s.execute(delete(Blob).where(Blob.sha256 == sha))
                    removed += 1
            known = set(s.scalars(select(Blob.sha256)))
        for sha in self.blobs.all_keys():
            if sha not in known and self.blobs.remove(sha, older_than=grace_seconds):
                removed += 1
        stale = self.blobs.remove_stale_uploads(older_than=grace_seconds)
        return removed, stale

    # -- internals ------------------------------------------------------------------------

    def _resolve(self, s: Session, path: RepoPath, need: int = READ, *,
                 lock: bool = False) -> "Resolved":
        """Find the row at ``path`` with one indexed lookup per segment, and check that the
        caller holds ``need`` on it (:meth:`_require`).

        With ``lock`` the row is locked for the rest of the transaction (PostgreSQL), so a
        read-modify-write of it cannot lose a concurrent change.
        """
        if not path:
            row = s.get(NodeRow, ROOT_ID, with_for_update=lock or None)
            if row is None:
                raise NotFound("the repository has no root; was create_schema() run?")
            ids = [ROOT_ID]
        else:
            chain = self._chain(s, path[:-1])
            query = CHILD_BY_NAME_FOR_UPDATE if lock else CHILD_BY_NAME
            row = s.scalar(query, {"parent_id": chain[-1].id, "name": path[-1]}) \
                if "\x00" not in path[-1] else None
            if row is None:
                raise NotFound(f"{paths.to_text(path)} does not exist")
            ids = [ref.id for ref in chain] + [row.id]
        by_entries, passed_on = self._by_entries(s, ids)
        self._require(self._effective(path, by_entries), need, path)
        return Resolved(row, ids, by_entries, passed_on)

    def _chain(self, s: Session, path: RepoPath) -> list[NodeRef]:
        """Id, kind and parent of every node from the root down to ``path`` (lighter than
        loading their rows)."""
        chain = [ROOT_REF]
        connection = s.connection()
        for depth, name in enumerate(path):
            row = connection.execute(
                CHILD_REF_BY_NAME, {"parent_id": chain[-1].id, "name": name}
            ).first() if "\x00" not in name else None
            if row is None:
                raise NotFound(f"{paths.to_text(path[: depth + 1])} does not exist")
            chain.append(NodeRef(*row))
        return chain

    def _locate(self, s: Session, path: RepoPath) -> NodeRef:
        """Id, kind and parent of the node at ``path``, unchecked (for internal use)."""
        return self._chain(s, path)[-1]

    def _is_ancestor(self, s: Session, ancestor_id: str, node: NodeRef) -> bool:
        """True when ``ancestor_id`` is ``node`` or one of its ancestors (O(depth))."""
        connection = s.connection()
        node_id, parent_id = node.id, node.parent_id
        while node_id != ancestor_id:
            if parent_id is None:
                return False
            node_id, parent_id = parent_id, connection.scalar(PARENT_ID, {"node_id": parent_id})
        return True

    def _locate_parent(self, s: Session, path: RepoPath, need: int) -> NodeRef:
        """The parent of the node to create at ``path``, on which the caller holds ``need``.
        A parent the caller can neither read nor use is missing, as far as it knows."""
        parent = path[:-1]
        try:
            chain = self._chain(s, parent)
        except NotFound as missing:
            raise ParentMissing(
                f"the parent {paths.to_text(parent)} does not exist ({missing})"
            ) from None
        granted = self._granted(s, [ref.id for ref in chain], parent)
        if not granted & (READ | need):
            raise ParentMissing(f"the parent {paths.to_text(parent)} does not exist "
                                f"({paths.to_text(parent)} does not exist)")
        self._require(granted, need, parent)
        return chain[-1]

    def _path_of(self, s: Session, row: NodeRow) -> tuple[RepoPath, list[str]]:
        """The path of ``row``, and the ids of the nodes from the root down to it."""
        names: list[str] = []
        ids = [row.id]
        while row.parent_id is not None:
            names.append(row.name)
            row = s.get(NodeRow, row.parent_id)
            ids.append(row.id)
        return tuple(reversed(names)), list(reversed(ids))

    # -- permissions: the rules are in repository.access; these apply them ----------------

    def _by_entries(self, s: Session, ids: list[str]) -> tuple[int, int]:
        """What the caller's entries grant on the last node of ``ids`` (root first), and
        what that node passes on to its children (:func:`repository.access.evaluate`)."""
        caller = self._caller
        if caller.is_admin:
            return ALL, ALL
        if self._evaluated is None:
            return evaluate(ids, entries.on_nodes(s, ids, caller.principals), caller)
        key = tuple(ids)  # a view for one request (acting_for) remembers
        found = self._evaluated.get(key)
        if found is None:
            found = self._evaluated[key] = evaluate(
                ids, entries.on_nodes(s, ids, caller.principals), caller)
        return found

    def _forget_evaluations(self) -> None:
        if self._evaluated is not None:
            self._evaluated.clear()

    def _effective(self, path: RepoPath, by_entries: int) -> int:
        return effective(self._caller, path, by_entries)

    def _granted(self, s: Session, ids: list[str], path: RepoPath) -> int:
        return self._effective(path, self._by_entries(s, ids)[0])

    @staticmethod
    def _require(granted: int, need: int, path: RepoPath) -> None:
        """Pass if ``granted`` holds ``need``; a node the caller can neither read nor act on
        does not exist for it; otherwise AccessDenied."""
        if granted & need == need:
            return
        if not granted & (READ | need):
            raise NotFound(f"{paths.to_text(path)} does not exist")
        missing = ", ".join(privilege_names(need & ~granted))
        raise AccessDenied(f"you lack {missing} on {paths.to_text(path)}; an administrator "
                           "can grant it")

    def _readable_children(self, s: Session, parent: "Resolved", path: RepoPath) -> list:
        """Conditions that leave out the children of ``parent`` the caller cannot read.

        Only children holding an entry of the caller's can differ from their parent
        (readable, as the caller passed that check), so this costs one query on the
        (sparse) entries and adds a condition only when one of them hides a child.
        """
        caller = self._caller
        if caller.is_admin:
            return []
        hidden = [
            child_id
            for child_id, found in entries.on_children(s, parent.row.id, caller.principals).items()
            if not self._effective(path, step(parent.passed_on, found, caller.user)[0]) & READ
        ]
        return [NodeRow.id.not_in(hidden)] if hidden else []

    def _below(self, s: Session, top: "Resolved") -> Iterator[tuple[str, int, int]]:
        """(node id, what entries grant there, what it passes on) for each node strictly
        below ``top`` that holds an entry of the caller's: the only nodes whose rights can
        differ from the ones they inherit."""
        found, segments = entries.below(s, top.row.id, self._caller.principals)
        for node_id, segment in segments.items():
            granted, passed_on = top.by_entries, top.passed_on
            for node in segment:
                granted, passed_on = step(passed_on, found.get(node, ()), self._caller.user)
            yield node_id, granted, passed_on

    def _check_removal(self, s: Session, found: "Resolved", path: RepoPath) -> None:
        """Delete's rules for the node ``found`` at ``path`` (which passed ``jcr:removeNode``
        itself): not a mount, ``jcr:removeChildNodes`` on its parent, and ``jcr:removeNode``
        on everything below it."""
        if self.is_mount(path) and not self._caller.is_admin:
            raise AccessDenied(f"{paths.to_text(path)} is where an API keeps its data; only "
                               "administrators may move, rename or delete it")
        self._require(self._granted(s, found.ids[:-1], path[:-1]), REMOVE_CHILD_NODES, path[:-1])
        if self._caller.is_admin:
            return
        for _, granted, passed_on in self._below(s, found):
            # What a node passes on is what its descendants (if any) hold: both must allow.
            if not self._effective(path, granted & passed_on) & REMOVE_NODE:
                raise AccessDenied(f"{paths.to_text(path)} holds nodes you may not delete; "
                                   "nothing was changed")

    def _check_overwrite(self, s: Session, destination: RepoPath) -> None:
        """A COPY or MOVE may replace an existing node only where it could delete it."""
        try:
            found = self._resolve(s, destination, REMOVE_NODE)
        except NotFound:  # it exists, but not for this caller: it may not replace it
            raise AccessDenied(f"you may not replace {paths.to_text(destination)}") from None
        self._check_removal(s, found, destination)

    def _unreadable_below(self, s: Session, top: "Resolved", path: RepoPath) -> set[str]:
        """Nodes below ``top`` the caller cannot read, or whose descendants it cannot read
        by inheritance (a copy leaves them out, with what is below them)."""
        if self._caller.is_admin:
            return set()
        return {node_id for node_id, granted, passed_on in self._below(s, top)
                if not self._effective(path, granted & passed_on) & READ}

    def _check_owned(self, path: RepoPath, keys: Iterable[str]) -> None:
        """Refuse writing a property another API owns (``own_properties``)."""
        door = self._caller.door
        if self._caller.is_system or not self._owned:
            return
        for key in keys:
            for owned in self._owned:
                if owned.door != door and owned.covers(path, key):
                    raise AccessDenied(f"the property {key} belongs to the {owned.door} API "
                                       "and is read-only here")

    def _raise_if_property_taken(self, parent_path: RepoPath, properties: dict[str, Any] | None,
                                 *, except_id: str | None = None) -> None:
        """After a write broke a constraint: raise PropertyTaken if it was the sibling-unique
        property (a child of ``parent_path`` other than ``except_id`` holds its value)."""
        value = (properties or {}).get(SIBLING_UNIQUE_PROPERTY)
        if not isinstance(value, str) or not value:
            return
        with self._read() as s:
            parent = self._locate(s, parent_path)
            query = select(NodeRow.name).where(
                NodeRow.parent_id == parent.id,
                NodeRow.properties[SIBLING_UNIQUE_PROPERTY].as_string() == value,
            )
            if except_id is not None:
                query = query.where(NodeRow.id != except_id)
            holder = s.scalar(query.limit(1))
        if holder is not None:
            raise PropertyTaken(
                f"{paths.to_text(parent_path + (holder,))} already has "
                f"{SIBLING_UNIQUE_PROPERTY} {value!r}; it must be unique within "
                f"{paths.to_text(parent_path)}"
            )

    def _id_taken(self, node_id: str) -> bool:
        with self._read() as s:
            return s.get(NodeRow, node_id) is not None

    def _to_node(
        self, s: Session, row: NodeRow, path: RepoPath, *, blob: Blob | StoredBlob | None = None
    ) -> Node:
        stored = None
        if row.blob_sha256 is not None:
            if blob is None or blob.sha256 != row.blob_sha256:
                blob = s.get(Blob, row.blob_sha256)
            stored = StoredBlob(sha256=blob.sha256, md5=blob.md5, size=blob.size)
        return Node(
            id=row.id, parent_id=row.parent_id, name=row.name, kind=row.kind,
            properties=dict(row.properties or {}), blob=stored, mime_type=row.mime_type,
            created=_aware(row.created), modified=_aware(row.modified), version=row.version,
            path=path,
        )


def _add_missing_columns(connection) -> None:
    """Add the nullable columns a newer version defined to tables an older one made (e.g.
    ``tokens.expires``, ``jobs.lease_until``). A stopgap until the schema has real
    migrations."""
    inspector = inspect(connection)
    existing_tables = set(inspector.get_table_names())
    for table in Base.metadata.sorted_tables:
        if table.name not in existing_tables:
            continue
        have = {column["name"] for column in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name not in have and column.nullable:
                kind = column.type.compile(dialect=connection.dialect)
                connection.execute(text(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {kind}'))


def _budget_exceeded(error: OperationalError) -> bool:
    """Whether the database stopped a statement because its listing ran out of time."""
    if getattr(error.orig, "sqlstate", None) == QUERY_CANCELED:  # PostgreSQL
        return True
    return isinstance(error.orig, sqlite3.OperationalError) and "interrupted" in str(error.orig)


def _storable(value: str, max_length: int) -> bool:
    return isinstance(value, str) and 0 < len(value) <= max_length \
        and values.bad_text(value) is None


def _check_mime(mime_type: str | None) -> None:
    """A stored media type goes out in Content-Type headers: it must be a valid one."""
    if mime_type is not None and (why := mediatypes.problem(mime_type)) is not None:
        raise InvalidValue(why)


def _make_engine(database_url: str, *, echo: bool) -> Engine:
    if not database_url.startswith("sqlite"):
        return create_engine(database_url, echo=echo, pool_pre_ping=True)
    engine = create_engine(database_url, echo=echo, connect_args={"timeout": 30})
    _create_private_file(engine.url.database)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record):
        # Let SQLAlchemy, not the sqlite3 module, issue BEGIN (see the "begin" hook).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        _switch_to_wal(cursor)
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()
        # REGEXP by RE2 (linear time) in place of the Python re that SQLAlchemy registers,
        # which backtracks: "a?"*46 + "a"*46 ran for minutes.
        dbapi_connection.create_function("regexp", 2, sqlite_regexp, deterministic=True)

    @event.listens_for(engine, "begin")
    def _begin(connection):
        immediate = connection.get_execution_options().get("sqlite_immediate")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _create_private_file(database: str | None) -> None:
    """Create a new SQLite database file readable by its owner only (0600); SQLite gives
    its -wal and -shm files the database file's permissions."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    try:
        os.close(os.open(database, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except OSError:  # it exists; or it cannot be made, which SQLite will report
        pass


#: How long opening a new SQLite database waits for another process switching it to WAL.
WAL_SWITCH_TIMEOUT = 30.0


def _switch_to_wal(cursor) -> None:
    """``PRAGMA journal_mode=WAL``. On a new file the switch takes a lock that SQLite's busy
    timeout does not wait for: processes opening a new database at once retry it rather
    than fail with "database is locked"."""
    deadline = time.monotonic() + WAL_SWITCH_TIMEOUT
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)
