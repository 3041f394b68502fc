"""SQLAlchemy tables: the node tree, the blobs it references, users, groups, tokens and
access control entries."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

ROOT_ID = "root"

#: A property no two children of one parent may share while it holds a non-empty string:
#: the Projects API's external id, unique within its project. A partial unique index
#: (``uq_nodes_sibling_property``) enforces it, so it holds whichever API writes the
#: property, and however many server processes do.
SIBLING_UNIQUE_PROPERTY = "projects:external_id"


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(moment: datetime | None) -> datetime | None:
    """A stored time as an aware datetime: SQLite gives back naive ones, stored in UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=timezone.utc)


class Base(DeclarativeBase):
    pass


class Blob(Base):
    """A stored binary, addressed by its sha256. Never changes once written."""

    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: None until an API that shows md5 asks for it (``Repository.md5_of``).
    md5: Mapped[str | None] = mapped_column(String(32), nullable=True)
    size: Mapped[int] = mapped_column(BigInteger)
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def _sibling_unique_indexes() -> list[Index]:
    """The index behind :data:`SIBLING_UNIQUE_PROPERTY`, in each dialect's JSON functions.

    Each is created only on its own dialect: ``ddl_if`` for ``create_all``, and
    ``info["dialect"]`` for ``Repository.create_schema``, which adds missing indexes to
    existing tables itself."""
    key = SIBLING_UNIQUE_PROPERTY
    sqlite_value = f"json_extract(properties, '$.\"{key}\"')"
    postgresql_value = f"(properties ->> '{key}')"
    return [
        Index("uq_nodes_sibling_property", "parent_id", text(sqlite_value), unique=True,
              info={"dialect": "sqlite"},
              sqlite_where=text(f"json_type(properties, '$.\"{key}\"') = 'text' "
                                f"AND {sqlite_value} <> ''")).ddl_if(dialect="sqlite"),
        Index("uq_nodes_sibling_property", "parent_id", text(postgresql_value), unique=True,
              info={"dialect": "postgresql"},
              postgresql_where=text(f"json_typeof(properties -> '{key}') = 'string' "
                                    f"AND {postgresql_value} <> ''")).ddl_if(dialect="postgresql"),
    ]


class NodeRow(Base):
    """One node of the tree. The tree is an adjacency list: a move changes one row."""

    __tablename__ = "nodes"
    __table_args__ = (
        # The database, not a read-then-write check, decides who wins a create race.
        UniqueConstraint("parent_id", "name", name="uq_nodes_parent_name"),
        Index("ix_nodes_blob", "blob_sha256"),
        # Children by creation time: the flat APIs' default order (Emporix createdAt), so a
        # page of a large folder sorted that way walks the index instead of sorting it all.
        Index("ix_nodes_parent_created", "parent_id", "created"),
        *_sibling_unique_indexes(),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    parent_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("nodes.id", ondelete="CASCADE"), nullable=True
    )
    # Byte order everywhere, so pages are stable and keyset cursors agree across backends.
    name: Mapped[str] = mapped_column(
        String(255).with_variant(String(255, collation="C"), "postgresql")
    )
    kind: Mapped[str] = mapped_column(String(16))
    properties: Mapped[dict] = mapped_column(JSON, default=dict)
    blob_sha256: Mapped[str | None] = mapped_column(
        String(64), ForeignKey("blobs.sha256"), nullable=True
    )
    mime_type: Mapped[str | None] = mapped_column(String(255), nullable=True)
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    modified: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    email: Mapped[str | None] = mapped_column(String(255), nullable=True)
    password_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: Free-form profile properties (AEM's ``profile/givenName``...); the e-mail is ``email``.
    profile: Mapped[dict | None] = mapped_column(JSON, nullable=True)


class Token(Base):
    """An API token. Only a hash of its secret part is stored."""

    __tablename__ = "tokens"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    secret_hash: Mapped[str] = mapped_column(String(128))
    scopes: Mapped[list] = mapped_column(JSON, default=list)
    tenant: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: After this moment the token no longer authenticates; None: it does not expire.
    expires: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Group(Base):
    """A group of principals. Users and groups share one namespace of principal names."""

    __tablename__ = "groups"

    name: Mapped[str] = mapped_column(String(255), primary_key=True)
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class GroupMember(Base):
    """``member`` (a user's or a group's name) belongs to ``group``."""

    __tablename__ = "group_members"
    __table_args__ = (Index("ix_group_members_member", "member"),)

    group: Mapped[str] = mapped_column(
        String(255), ForeignKey("groups.name", ondelete="CASCADE"), primary_key=True)
    member: Mapped[str] = mapped_column(String(255), primary_key=True)


class AccessEntry(Base):
    """What one principal is allowed and denied on one node (and, by inheritance, below).

    ``allow`` and ``deny`` are bit sets of :mod:`repository.access` privileges. Keyed by
    the node's id, so an entry moves with its node and a copy (new ids) has none. A
    ``node_only`` entry applies to its node alone, not to what is below it (JCR's
    ``rep:glob`` restriction ``""``).
    """

    __tablename__ = "access_entries"
    __table_args__ = (Index("ix_access_entries_principal", "principal", "node_id"),)

    node_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("nodes.id", ondelete="CASCADE"), primary_key=True)
    principal: Mapped[str] = mapped_column(String(255), primary_key=True)
    node_only: Mapped[bool] = mapped_column(Boolean, primary_key=True, default=False)
    allow: Mapped[int] = mapped_column(Integer, default=0)
    deny: Mapped[int] = mapped_column(Integer, default=0)


class ServerKey(Base):
    """A secret the server signs with (see :mod:`repository.keys`)."""

    __tablename__ = "server_keys"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(255))


class Job(Base):
    """Work a node's change left to do off the request path (see :mod:`repository.jobs`).

    The repository writes a ``binary-changed`` job in the same transaction that gives an
    asset a new binary, so no API can forget it; what the work is (renditions) is decided
    by whoever claims the job. Other kinds carry their arguments in ``payload`` (a
    ``projects-import`` job: where the media comes from). Pending jobs outlive a restart
    because they are rows.
    """

    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_status", "status", "id"),
        Index("ix_jobs_node", "node_id"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    #: A deleted node takes its jobs with it.
    node_id: Mapped[str] = mapped_column(String(36), ForeignKey("nodes.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    #: pending | running | failed (a finished job leaves the table).
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    #: Until when the running job is its worker's: the worker's heartbeat moves it on; once
    #: past, the worker counts as dead and the job may be claimed again.
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    #: What the job needs beyond its node (e.g. where to import media from), as JSON; the
    #: queue stores it and does not look inside.
    payload: Mapped[dict | None] = mapped_column(JSON, nullable=True)


class DavLock(Base):
    """A WebDAV lock (``app/dav/locks.py``). Kept here, not in a server's memory, so every
    server process sees every lock. Keyed by URL path (``root``, percent-quoted, no
    trailing slash), as WebDAV locks are: a lock on an unmapped URL has no node."""

    __tablename__ = "dav_locks"
    __table_args__ = (Index("ix_dav_locks_root", "root"),)

    token: Mapped[str] = mapped_column(String(100), primary_key=True)
    # Byte order, so a range on it finds the locks below a path on both backends.
    root: Mapped[str] = mapped_column(Text().with_variant(Text(collation="C"), "postgresql"))
    principal: Mapped[str] = mapped_column(String(255))
    scope: Mapped[str] = mapped_column(String(16))
    depth: Mapped[str] = mapped_column(String(16))
    #: The client's ``<owner>`` element, as XML.
    owner: Mapped[str] = mapped_column(Text, default="")
    #: Seconds the lock was granted for, and when it ends (epoch seconds).
    timeout: Mapped[float] = mapped_column(Float(53))
    expire: Mapped[float] = mapped_column(Float(53))
