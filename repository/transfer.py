"""COPY and MOVE inside the tree: a MOVE changes one row whatever the size of the
subtree; a COPY copies rows, never bytes. Both are atomic, and checked for the caller
(:mod:`repository.guard`).

A mixin of :class:`repository.service.Repository`.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, delete, insert, literal, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from . import paths
from .access import ADD_CHILD_NODES, READ, REMOVE_NODE
from .errors import AlreadyExists, Forbidden, InvalidOperation, ParentMissing, PreconditionFailed
from .models import NodeRow, utcnow
from .nodes import ALLOWED_CHILDREN, NodeRef, new_id
from .paths import RepoPath
from .retry import retry_transient

#: Key of the PostgreSQL advisory lock that serialises moves (see ``_transfer``).
MOVE_LOCK_KEY = 0x61737365
MOVE_ROW = (
    update(NodeRow)
    .where(NodeRow.id == bindparam("node_id"))
    .values(parent_id=bindparam("new_parent_id"), name=bindparam("new_name"),
            modified=bindparam("now"), version=NodeRow.version + 1)
)
CHILD_ID_BY_NAME = select(NodeRow.id).where(
    NodeRow.parent_id == bindparam("parent_id"), NodeRow.name == bindparam("name")
)


class Transfer:
    """COPY and MOVE for the Repository (which provides the transactions, the path walks
    and the permission checks)."""

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
            copy_id = new_ids[row.id] = new_id()
            is_top = row.id == src.id
            batch.append(
                {
                    "id": copy_id,
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
