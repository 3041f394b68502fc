"""The one place for the rules of repository paths and names.

A path is a tuple of segments; the root is ``()``. Text form is ``/a/b``.
Hostile input never escapes the tree: ``.``/``..`` and empty segments, NUL and
control characters, and segments over 255 bytes are refused with :class:`InvalidPath`.

Names are kept and compared in Unicode normalization form C: ``"cafe\u0301"`` and
``"caf\u00e9"`` are one name, so two siblings can never differ only in form. Invisible
format characters (category Cf: the right-to-left override U+202E that makes
``evil\u202egpj.exe`` look like ``evilexe.jpg``, zero-width spaces, byte order marks)
are refused in names, as control characters are.
"""
from __future__ import annotations

import unicodedata
from urllib.parse import unquote

from .errors import InvalidPath

MAX_SEGMENT_BYTES = 255
#: Names with a meaning in the APIs: ``*`` asks the server to pick the name.
RESERVED_NAMES = frozenset({"*"})

RepoPath = tuple[str, ...]
ROOT: RepoPath = ()


def check_name(name: str) -> str:
    """Return ``name`` in normalization form C if it is a valid single segment, else raise
    InvalidPath."""
    if not isinstance(name, str) or name == "":
        raise InvalidPath("a name must not be empty")
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidPath(f"a name must be valid Unicode: {name!r}") from None
    name = normalize_name(name)
    if name in (".", ".."):
        raise InvalidPath(f"'{name}' is not allowed as a name")
    if "/" in name:
        raise InvalidPath(f"a name must not contain '/': {name!r}")
    for ch in name:
        category = unicodedata.category(ch)
        if category == "Cc":
            raise InvalidPath(f"a name must not contain control characters: {name!r}")
        if category == "Cf":
            raise InvalidPath(f"a name must not contain invisible format characters such as "
                              f"U+{ord(ch):04X} ({unicodedata.name(ch, 'format character')}): "
                              f"{name!r}")
    if len(name.encode("utf-8")) > MAX_SEGMENT_BYTES:
        raise InvalidPath(f"a name must be at most {MAX_SEGMENT_BYTES} bytes in UTF-8")
    return name


def normalize_name(name: str) -> str:
    """``name`` in Unicode normalization form C (the form names are stored and compared
    in); ASCII, most names, costs nothing."""
    return name if name.isascii() else unicodedata.normalize("NFC", name)


def normalize(path: RepoPath) -> RepoPath:
    """Every segment of ``path`` in normalization form C (see :func:`normalize_name`)."""
    return tuple(normalize_name(name) for name in path)


def check_new_name(name: str) -> str:
    """Like :func:`check_name` (so it returns the name in form C), and refuse names reserved
    by the APIs."""
    name = check_name(name)
    if name in RESERVED_NAMES:
        raise InvalidPath(f"'{name}' is reserved and cannot be used as a name")
    return name


def parse(text: str, *, percent_decode: bool = False) -> RepoPath:
    """Parse ``/a/b`` (leading and trailing ``/`` optional) into ``("a", "b")``.

    ``percent_decode`` is for text that has not been decoded yet (a header such as
    ``X-Destination``); URL paths arrive decoded from Werkzeug and must not be decoded twice.
    """
    if percent_decode:
        try:
            text = unquote(text, errors="strict")
        except UnicodeDecodeError:
            raise InvalidPath("a path's percent-escapes must encode UTF-8") from None
    # One leading and one trailing "/" are optional; any other empty segment is refused.
    stripped = text.removeprefix("/").removesuffix("/") if text != "/" else ""
    if stripped == "":
        return ROOT
    segments = stripped.split("/")
    if "" in segments:
        raise InvalidPath(f"a path must not contain an empty segment ('//'): {text!r}")
    return tuple(check_name(segment) for segment in segments)


def to_text(path: RepoPath) -> str:
    return "/" + "/".join(path)


def parent(path: RepoPath) -> RepoPath:
    if not path:
        raise InvalidPath("the root has no parent")
    return path[:-1]


def is_within(path: RepoPath, ancestor: RepoPath) -> bool:
    """True when ``path`` is ``ancestor`` or below it, compared segment by segment."""
    return path[: len(ancestor)] == ancestor
