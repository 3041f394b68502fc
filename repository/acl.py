"""Reading and changing a node's access control entries, as the caller may.

Reading needs ``jcr:readAccessControl`` on the node, changing ``jcr:modifyAccessControl``
(see :mod:`repository.access` for the rules and their evaluation).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import entries
from .access import (
    MODIFY_ACCESS_CONTROL,
    READ_ACCESS_CONTROL,
    Entry,
)
from .errors import NotFound
from .paths import RepoPath

if TYPE_CHECKING:  # pragma: no cover
    from .service import Repository


@dataclass(frozen=True)
class EffectiveEntry:
    """What one principal is granted and denied at a node by the entries in effect there,
    per privilege the nearest entry's word, and the nodes those entries are set on."""

    principal: str
    granted: int
    denied: int
    declared_at: tuple[RepoPath, ...]


class AccessControl:
    """The entries of the repository's tree, acting for the repository's caller."""

    def __init__(self, repository: "Repository") -> None:
        self._repo = repository

    def entries(self, path: RepoPath) -> list[Entry]:
        """The entries set on the node at ``path`` (Sling's ``.acl.json``)."""
        with self._repo._read() as s:
            found = self._repo._resolve(s, path, READ_ACCESS_CONTROL)
            return entries.of_node(s, found.row.id)

    def effective(self, path: RepoPath) -> list[EffectiveEntry]:
        """The entries in effect at ``path``, set there or above (Sling's ``.eacl.json``):
        per principal and privilege, the nearest entry that mentions it decides."""
        with self._repo._read() as s:
            found = self._repo._resolve(s, path, READ_ACCESS_CONTROL)
            on_chain = entries.of_nodes(s, found.ids)
        decided: dict[str, list[int]] = {}   # principal → [granted, denied, mentioned]
        declared: dict[str, list[RepoPath]] = {}
        last = len(found.ids) - 1
        for depth in range(last, -1, -1):  # from the node up to the root
            for entry in on_chain.get(found.ids[depth], []):
                if entry.node_only and depth != last:
                    continue
                state = decided.setdefault(entry.principal, [0, 0, 0])
                fresh_allow = entry.allow & ~entry.deny & ~state[2]
                fresh_deny = entry.deny & ~state[2]
                if fresh_allow or fresh_deny:
                    state[0] |= fresh_allow
                    state[1] |= fresh_deny
                    declared.setdefault(entry.principal, []).append(path[:depth])
                state[2] |= entry.allow | entry.deny
        return [EffectiveEntry(principal, state[0], state[1], tuple(declared.get(principal, ())))
                for principal, state in sorted(decided.items()) if state[0] or state[1]]

    def modify(self, path: RepoPath, principal: str, *, granted: int = 0, denied: int = 0,
               cleared: int = 0, node_only: bool = False) -> Entry:
        """Change one principal's entry on the node at ``path``: allow ``granted``, deny
        ``denied``, and drop ``cleared`` from both (Sling's ``modifyAce``). Returns the
        entry as it now stands; an entry left empty is removed. A principal has at most one
        entry that applies below the node and one ``node_only`` entry that does not."""
        if not self._repo.principals.exists(principal):
            raise NotFound(f"no user or group named {principal}")
        with self._repo._write() as s:
            found = self._repo._resolve(s, path, MODIFY_ACCESS_CONTROL)
            current = next((entry for entry in entries.of_node(s, found.row.id)
                            if entry.principal == principal and entry.node_only == node_only),
                           Entry(principal, node_only=node_only))
            allow = (current.allow | granted) & ~denied & ~cleared
            deny = (current.deny | denied) & ~granted & ~cleared
            entries.set_entry(s, found.row.id, principal, allow, deny, node_only)
            self._repo._forget_evaluations()
            return Entry(principal, allow, deny, node_only)

    def remove(self, path: RepoPath, principal: str) -> bool:
        """Remove one principal's entries on the node at ``path``; False if it had none."""
        with self._repo._write() as s:
            found = self._repo._resolve(s, path, MODIFY_ACCESS_CONTROL)
            had = any(entry.principal == principal for entry in entries.of_node(s, found.row.id))
            for node_only in (False, True):
                entries.set_entry(s, found.row.id, principal, 0, 0, node_only)
            self._repo._forget_evaluations()
            return had
