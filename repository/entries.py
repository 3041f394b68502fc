"""Access control entries in the database: the queries evaluation needs, kept cheap
because entries are sparse (see :mod:`repository.access` for the rules).

Each function takes the caller's session and principals; none decides anything.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Collection, Iterable

from sqlalchemy import bindparam, delete, literal, select
from sqlalchemy.orm import Session

from .access import Entry
from .models import AccessEntry, NodeRow

EntryMap = dict[str, list[Entry]]


def _collect(rows: Iterable) -> EntryMap:
    found: EntryMap = defaultdict(list)
    for node_id, principal, allow, deny, node_only in rows:
        found[node_id].append(Entry(principal, allow or 0, deny or 0, bool(node_only)))
    return dict(found)


_COLUMNS = (AccessEntry.node_id, AccessEntry.principal, AccessEntry.allow, AccessEntry.deny,
            AccessEntry.node_only)
#: Built once: every read of a non-administrator runs these (building a statement per call
#: cost more than running it).
ON_NODES = select(*_COLUMNS).where(
    AccessEntry.node_id.in_(bindparam("node_ids", expanding=True)),
    AccessEntry.principal.in_(bindparam("principals", expanding=True)))
#: The parent of an entry's node is looked up per entry: the query walks the (few) entries
#: of the principals, never the (possibly 100,000) children of the folder.
ON_CHILDREN = select(*_COLUMNS).where(
    AccessEntry.principal.in_(bindparam("principals", expanding=True)),
    select(NodeRow.parent_id).where(NodeRow.id == AccessEntry.node_id).scalar_subquery()
    == bindparam("parent_id"))


def on_nodes(s: Session, node_ids: Collection[str], principals: Collection[str]) -> EntryMap:
    """The entries of ``principals`` on the nodes ``node_ids`` (a path's chain)."""
    if not principals or not node_ids:
        return {}
    return _collect(s.connection().execute(
        ON_NODES, {"node_ids": list(node_ids), "principals": list(principals)}))


def on_children(s: Session, parent_id: str, principals: Collection[str]) -> EntryMap:
    """The entries of ``principals`` on the children of ``parent_id``."""
    if not principals:
        return {}
    return _collect(s.connection().execute(
        ON_CHILDREN, {"parent_id": parent_id, "principals": list(principals)}))


def below(s: Session, top_id: str, principals: Collection[str]) -> tuple[EntryMap, dict[str, list[str]]]:
    """The entries of ``principals`` strictly below the node ``top_id``, and for each node
    holding one, the ids of the nodes from just below ``top_id`` down to it.

    Walks up from each of the principals' entries (few) rather than down the subtree (maybe
    huge), so checking a MOVE of 10,000 nodes costs what checking one does.
    """
    if not principals:
        return {}, {}
    anchor = (select(AccessEntry.node_id.label("entry_id"), AccessEntry.node_id.label("node_id"),
                     literal(0).label("depth"))
              .where(AccessEntry.principal.in_(list(principals)), AccessEntry.node_id != top_id)
              .distinct())
    up = anchor.cte("up", recursive=True)
    up = up.union_all(
        select(up.c.entry_id, NodeRow.parent_id, up.c.depth + 1)
        .join(NodeRow, NodeRow.id == up.c.node_id)
        .where(up.c.node_id != top_id, NodeRow.parent_id.is_not(None))
    )
    inside = select(up.c.entry_id).where(up.c.node_id == top_id)
    rows = s.execute(select(up.c.entry_id, up.c.node_id, up.c.depth)
                     .where(up.c.entry_id.in_(inside), up.c.node_id != top_id)).all()
    if not rows:
        return {}, {}
    chains: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for entry_id, node_id, depth in rows:
        chains[entry_id].append((depth, node_id))
    segments = {entry_id: [node_id for _, node_id in sorted(steps, reverse=True)]
                for entry_id, steps in chains.items()}
    return on_nodes(s, list(segments), principals), segments


def set_entry(s: Session, node_id: str, principal: str, allow: int, deny: int,
              node_only: bool = False) -> None:
    """Store one principal's entry on a node; an empty entry is removed."""
    s.execute(delete(AccessEntry).where(AccessEntry.node_id == node_id,
                                        AccessEntry.principal == principal,
                                        AccessEntry.node_only == node_only))
    if allow or deny:
        s.add(AccessEntry(node_id=node_id, principal=principal, node_only=node_only,
                          allow=allow, deny=deny))
        s.flush()


def of_node(s: Session, node_id: str) -> list[Entry]:
    """Every principal's entries on one node, by principal name."""
    return of_nodes(s, [node_id]).get(node_id, [])


def of_nodes(s: Session, node_ids: Collection[str]) -> EntryMap:
    """Every principal's entries on the nodes ``node_ids``."""
    if not node_ids:
        return {}
    return _collect(s.execute(
        select(*_COLUMNS).where(AccessEntry.node_id.in_(list(node_ids)))
        .order_by(AccessEntry.principal, AccessEntry.node_only)))


def forget_principal(s: Session, principal: str) -> None:
    """Remove a deleted principal's entries, so a new one of that name inherits nothing."""
    s.execute(delete(AccessEntry).where(AccessEntry.principal == principal))

