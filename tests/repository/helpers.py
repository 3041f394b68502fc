"""Small tools the contract tests share: tree snapshots, blob files, fault injection."""
from __future__ import annotations

import os
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import event
from sqlalchemy.engine import Engine

from repository import COMMENT, RENDITION, Repository

#: Kinds that can hold no children (the kind rules are tested on their own).
LEAF_KINDS = {RENDITION, COMMENT}


def snapshot(repo: Repository, path: tuple[str, ...] = ()) -> dict[tuple[str, ...], dict[str, Any]]:
    """Everything observable below ``path`` (excluded), keyed by path relative to it."""
    found: dict[tuple[str, ...], dict[str, Any]] = {}

    def walk(at: tuple[str, ...]) -> None:
        for node in repo.list_children(at, limit=None).nodes:
            found[node.path[len(path):]] = {
                "id": node.id, "kind": node.kind, "properties": node.properties,
                "sha256": node.blob.sha256 if node.blob else None, "mime_type": node.mime_type,
                "version": node.version,
            }
            if node.kind not in LEAF_KINDS:
                walk(node.path)

    walk(path)
    return found


def shape(tree: dict[tuple[str, ...], dict[str, Any]]) -> dict[tuple[str, ...], tuple]:
    """A snapshot without ids and versions: what a copy must reproduce."""
    return {
        path: (info["kind"], info["properties"], info["sha256"], info["mime_type"])
        for path, info in tree.items()
    }


def files_under(root: Path) -> set[Path]:
    """Every file under ``root`` (the blob store, temporary uploads included)."""
    return {p for p in root.rglob("*") if p.is_file()}


def make_old(path: Path, seconds: float = 7200) -> None:
    """Set a file's modification time ``seconds`` in the past."""
    then = time.time() - seconds
    os.utime(path, (then, then))


class InjectedFault(Exception):
    """Raised by :func:`fail_statement` in place of a database statement."""


def _is(statement: str, prefix: str) -> bool:
    return " ".join(statement.split()).upper().startswith(prefix.upper())


@contextmanager
def fail_statement(engine: Engine, prefix: str, *, skip: int = 0) -> Iterator[list[str]]:
    """Make the database fail the statement starting with ``prefix`` (after ``skip`` of them).

    Yields the statements that ran before the fault, for assertions about what was tried.
    """
    seen: list[str] = []
    count = 0

    def before(conn, cursor, statement, parameters, context, executemany):
        nonlocal count
        if _is(statement, prefix):
            count += 1
            if count > skip:
                raise InjectedFault(f"injected failure of: {statement[:80]}")
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)


@contextmanager
def statements(engine: Engine) -> Iterator[list[tuple[str, int]]]:
    """Record (statement, rowcount) of everything executed meanwhile."""
    ran: list[tuple[str, int]] = []

    def after(conn, cursor, statement, parameters, context, executemany):
        ran.append((" ".join(statement.split()), cursor.rowcount))

    event.listen(engine, "after_cursor_execute", after)
    try:
        yield ran
    finally:
        event.remove(engine, "after_cursor_execute", after)


def interleave(
    engine: Engine, prefix: str, first, second, *, blocked_after: float = 0.5
) -> tuple:
    """Run ``first`` until just before its first ``prefix`` statement, then run ``second``
    to its end, then let ``first`` finish. Returns both results (or the exceptions raised).

    This makes a race deterministic: ``first`` has done its reads and not yet written when
    ``second`` runs. A backend may make ``second`` wait for ``first`` (SQLite's write lock,
    a row lock): ``first`` is let go once ``second`` is blocked, i.e. has been inside one
    statement for ``blocked_after`` seconds, or at once when that statement is SQLite's
    ``BEGIN IMMEDIATE``, which must wait for the write lock ``first`` holds.
    """
    reached, second_done = threading.Event(), threading.Event()
    in_flight: dict[str, Any] = {"since": None, "statement": ""}

    def second_is_blocked() -> bool:
        since = in_flight["since"]
        if since is None:
            return False
        if _is(in_flight["statement"], "BEGIN IMMEDIATE"):
            return True
        return time.monotonic() - since >= blocked_after

    def before(conn, cursor, statement, parameters, context, executemany):
        name = threading.current_thread().name
        if name == "second":
            in_flight.update(since=time.monotonic(), statement=statement)
        elif name == "first" and not reached.is_set() and _is(statement, prefix):
            reached.set()
            deadline = time.monotonic() + 60
            while not second_done.is_set() and not second_is_blocked():
                if time.monotonic() > deadline:
                    break
                second_done.wait(0.005)

    def after(conn, cursor, statement, parameters, context, executemany):
        if threading.current_thread().name == "second":
            in_flight["since"] = None

    def failed(context):
        if threading.current_thread().name == "second":
            in_flight["since"] = None

    results: list[Any] = [None, None]

    def run(index: int, job, done: threading.Event) -> None:
        try:
            results[index] = job()
        except Exception as error:  # noqa: BLE001 - reported to the test
            results[index] = error
        finally:
            done.set()

    listeners = [("before_cursor_execute", before), ("after_cursor_execute", after),
                 ("handle_error", failed)]
    for name, fn in listeners:
        event.listen(engine, name, fn)
    try:
        one = threading.Thread(target=run, args=(0, first, reached), name="first")
        one.start()
        reached.wait(60)
        two = threading.Thread(target=run, args=(1, second, second_done), name="second")
        two.start()
        for thread in (two, one):
            thread.join(60)
            assert not thread.is_alive(), f"{thread.name} never finished: deadlock?"
    finally:
        second_done.set()
        for name, fn in listeners:
            event.remove(engine, name, fn)
    return results[0], results[1]


def run_in_threads(*jobs, names: list[str] | None = None, timeout: float = 60) -> list:
    """Run callables in threads; return each one's result or the exception it raised."""
    results: list[Any] = [None] * len(jobs)

    def runner(index: int, job) -> None:
        try:
            results[index] = job()
        except BaseException as error:  # noqa: BLE001 - reported to the test
            results[index] = error

    threads = [
        threading.Thread(target=runner, args=(i, job), name=(names[i] if names else None))
        for i, job in enumerate(jobs)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
        assert not t.is_alive(), "a thread did not finish: deadlock?"
    return results
