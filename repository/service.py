"""The Repository: resolve, list, create, update, copy, move and delete nodes.

Every public method runs in its own transaction and returns plain :class:`Node` values,
so callers never hold a database session. Writes that also store bytes put the blob on
disk first (see :mod:`repository.blobs`), then commit the row that refers to it.

The class is assembled from parts that each own one thing: :mod:`repository.listing`
(listings), :mod:`repository.transfer` (COPY and MOVE) and :mod:`repository.guard` (how
permissions are applied); the database itself is set up in :mod:`repository.database`.
"""
from __future__ import annotations

import copy
from contextlib import contextmanager
from typing import Any, Iterator

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from . import database, entries, mediatypes, paths, values
from .access import (
    ADD_CHILD_NODES,
    ALL,
    MODIFY_PROPERTIES,
    READ,
    REMOVE_NODE,
    SYSTEM,
    Caller,
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
)
from .guard import Guard, OwnedProperties, Resolved
from .jobs import DEFAULT_LEASE_SECONDS, JobQueue
from .listing import DEFAULT_LISTING_BUDGET, Listing
from .models import ROOT_ID, SIBLING_UNIQUE_PROPERTY, Blob, NodeRow, utcnow
from .nodes import (  # noqa: F401  (re-exported: the names callers know from here)
    ALLOWED_CHILDREN,
    ASSET,
    BINARY_KINDS,
    COMMENT,
    FOLDER,
    RENDITION,
    Node,
    NodeRef,
    Page,
    aware,
    new_id,
)
from .paths import RepoPath
from .retry import retry_transient
from .transfer import CHILD_ID_BY_NAME, Transfer

MAX_ID_LENGTH = 36
ROOT_REF = NodeRef(ROOT_ID, FOLDER, None)

#: The lookup every path resolution repeats, built once (building it per call dominated
#: the cost of small requests).
CHILD_BY_NAME = select(NodeRow).where(
    NodeRow.parent_id == bindparam("parent_id"), NodeRow.name == bindparam("name")
)
CHILD_BY_NAME_FOR_UPDATE = CHILD_BY_NAME.with_for_update()
#: What walking a path and checking a move need of a node, without loading an ORM object.
CHILD_REF_BY_NAME = select(NodeRow.id, NodeRow.kind, NodeRow.parent_id).where(
    NodeRow.parent_id == bindparam("parent_id"), NodeRow.name == bindparam("name")
)
PARENT_ID = select(NodeRow.parent_id).where(NodeRow.id == bindparam("node_id"))


class Repository(Listing, Transfer, Guard):
    """The tree, acting for one caller (:mod:`repository.access`).

    A Repository made with its constructor acts for the system (every check passes): it is
    for start-up, background work and the command line. :meth:`acting_for` gives a view of
    the same store acting for a request's caller; the web doors only ever use such views.
    """

    def __init__(self, database_url: str, blob_root: str, *, echo: bool = False,
                 listing_budget: float | None = DEFAULT_LISTING_BUDGET,
                 job_lease_seconds: float = DEFAULT_LEASE_SECONDS) -> None:
        self.engine = database.make_engine(database_url, echo=echo)
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

    # -- set-up -------------------------------------------------------------------------

    def create_schema(self) -> None:
        """Create what is missing (see :func:`repository.database.create_schema`)."""
        database.create_schema(self.engine)

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

    def _insert_ignore(self, table):
        return database.insert_ignore(self.engine, table)

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
                    id=node_id or new_id(), parent_id=parent.id, name=path[-1], kind=kind,
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
            created=aware(row.created), modified=aware(row.modified), version=row.version,
            path=path,
        )


def _storable(value: str, max_length: int) -> bool:
    return isinstance(value, str) and 0 < len(value) <= max_length \
        and values.bad_text(value) is None


def _check_mime(mime_type: str | None) -> None:
    """A stored media type goes out in Content-Type headers: it must be a valid one."""
    if mime_type is not None and (why := mediatypes.problem(mime_type)) is not None:
        raise InvalidValue(why)
