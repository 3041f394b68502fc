"""Running a transaction again when the database gave it up to break a deadlock.

PostgreSQL aborts one of two transactions that wait for each other's row locks (a folder's
DELETE cascading to its children while a child is being written: the DELETE locks the
folder, then the children; the write locks the child, then, through its foreign keys, the
folder or the asset) and one of two serializable transactions that cannot both commit.
Neither did anything wrong, and the one given up succeeds when run again: each public
write of the repository is a function of its arguments that opens its own transaction
(blobs are content-addressed, so storing the bytes again is harmless), so
:func:`retry_transient` runs it again a few times, after a short random pause, before
giving up with :class:`~repository.errors.Busy`.
"""
from __future__ import annotations

import functools
import random
import time
from typing import Callable, TypeVar

from sqlalchemy.exc import DBAPIError

from .errors import Busy

#: SQLSTATEs of a transaction aborted by the database to let others go on.
DEADLOCK_DETECTED = "40P01"
SERIALIZATION_FAILURE = "40001"
TRANSIENT = frozenset({DEADLOCK_DETECTED, SERIALIZATION_FAILURE})
#: Runs in all (the first one included) before giving up.
ATTEMPTS = 6

F = TypeVar("F", bound=Callable)


def is_transient(error: BaseException) -> bool:
    return isinstance(error, DBAPIError) and \
        getattr(error.orig, "sqlstate", None) in TRANSIENT


def retry_transient(function: F) -> F:
    """Run ``function`` again when the database aborted its transaction to break a
    deadlock or a serialization conflict; :class:`Busy` after :data:`ATTEMPTS` runs."""

    @functools.wraps(function)
    def run(*args, **kwargs):
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return function(*args, **kwargs)
            except DBAPIError as error:
                if not is_transient(error):
                    raise
                if attempt == ATTEMPTS:
                    raise Busy("the change kept conflicting with concurrent changes of the "
                               "same nodes; try again") from error
            # Waiters that collided once should not collide again in step.
            time.sleep(random.uniform(0, 0.005 * 2**attempt))
        raise AssertionError("unreachable")

    return run  # type: ignore[return-value]
