"""Listing a node's children: by name with keyset paging (the AEM API, WebDAV), or
chosen and ordered by the flat APIs' query language; each within a time budget.

A mixin of :class:`repository.service.Repository`.
"""
from __future__ import annotations

import sqlite3
import time
from contextlib import contextmanager
from typing import Iterable, Iterator

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from . import paths
from .errors import InvalidValue, QueryTimeout
from .models import Blob, NodeRow
from .nodes import Page
from .paths import RepoPath
from .query import Selection

#: Seconds a listing (its count and its page) may take before it is stopped.
DEFAULT_LISTING_BUDGET = 5.0
#: SQLite virtual-machine steps between two looks at a listing's clock.
PROGRESS_STEPS = 1000
#: PostgreSQL's SQLSTATE for a statement cancelled by statement_timeout.
QUERY_CANCELED = "57014"


class Listing:
    """Listings for the Repository (which provides the transactions, ``_resolve``,
    ``_readable_children`` and ``_to_node``)."""

    listing_budget: float | None

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

    def list_children(
        self,
        path: RepoPath,
        *,
        kinds: Iterable[str] | None = None,
        offset: int = 0,
        limit: int | None = 20,
        after: str | None = None,
        count: bool = True,
    ) -> Page:
        """One page of a node's children, ordered by name (byte order).

        Without ``count`` the children are not counted (``Page.total`` is -1): for walking
        a large folder page by page, where counting it on every page would cost more than
        reading the page.

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
            total = s.scalar(select(func.count()).select_from(NodeRow).where(*where)) \
                if count else -1
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


def _budget_exceeded(error: OperationalError) -> bool:
    """Whether the database stopped a statement because its listing ran out of time."""
    if getattr(error.orig, "sqlstate", None) == QUERY_CANCELED:  # PostgreSQL
        return True
    return isinstance(error.orig, sqlite3.OperationalError) and "interrupted" in str(error.orig)
