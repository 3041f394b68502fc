"""Server keys: random secrets made once and kept in the database, so that every server
process, on every machine, signs and checks alike (CSRF tokens, sessions, upload URLs)."""
from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from sqlalchemy import select

from .models import ServerKey

if TYPE_CHECKING:  # pragma: no cover
    from .service import Repository


def server_key(repository: "Repository", name: str) -> str:
    """The key called ``name``, made (by whichever process asks first) if missing."""
    with repository._write() as s:
        s.execute(repository._insert_ignore(ServerKey).values(
            name=name, value=secrets.token_urlsafe(48)))
    with repository._read() as s:
        return s.scalar(select(ServerKey.value).where(ServerKey.name == name))
