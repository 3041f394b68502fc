"""Repository errors as WebDAV answers (WsgiDAV's ``DAVError``), with the repository's
message, which says what to fix, as the error page's text."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from werkzeug.exceptions import HTTPException
from wsgidav.dav_error import DAVError

from repository.blobs import BlobTooLarge
from repository.errors import InvalidOperation, ParentMissing, RepositoryError

from ..errors import status_for


def dav_status(error: Exception) -> int:
    """The status :func:`app.errors.status_for` gives, except where RFC 4918 names another:
    a missing parent, or a parent that cannot hold the new member (a folder inside an
    asset), is ``409 Conflict`` for PUT, MKCOL, COPY and MOVE."""
    if isinstance(error, (ParentMissing, InvalidOperation)):
        return 409
    return status_for(error)


@contextmanager
def translated() -> Iterator[None]:
    """Raise repository errors (and a body cut short or too large) as DAVErrors."""
    try:
        yield
    except (RepositoryError, BlobTooLarge) as error:
        raise DAVError(dav_status(error), str(error)) from None
    except HTTPException as error:  # the request body stream: cut short, or too large
        raise DAVError(error.code or 400, error.description) from None
