"""How the Repository applies the rules of :mod:`repository.access` to its operations:
what a caller's entries grant on a path, which children a listing leaves out, what a delete
or a move must be allowed below the node it takes away, the API mount folders only
administrators may move, and the properties only one API may write.

A mixin of :class:`repository.service.Repository`; the rules themselves are not here.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator, NamedTuple

from sqlalchemy.orm import Session

from . import entries, paths
from .access import (
    ALL,
    READ,
    REMOVE_CHILD_NODES,
    REMOVE_NODE,
    Caller,
    effective,
    evaluate,
    privilege_names,
    step,
)
from .errors import AccessDenied, NotFound
from .models import NodeRow
from .paths import RepoPath


class Resolved(NamedTuple):
    """A row found by path, the ids from the root down to it, what the caller's entries
    grant on it (before its credential narrows it) and what they pass on to its children."""

    row: NodeRow
    ids: list[str]
    by_entries: int
    passed_on: int


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


class Guard:
    """Permission checks for the Repository (which provides ``_caller``, ``_evaluated``,
    ``_mounts``, ``_owned`` and ``_resolve``)."""

    _caller: Caller
    _evaluated: dict[tuple[str, ...], tuple[int, int]] | None
    _mounts: list[RepoPath]
    _owned: list[OwnedProperties]

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
