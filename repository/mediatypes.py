"""Which strings are media types (RFC 9110, section 8.3.1), so that every stored one can go
into a ``Content-Type`` header as it is.

``type "/" subtype`` of token characters, then optional ``; name=value`` parameters whose
value is a token or a quoted string, ASCII only: no control character (a CR/LF would split
the header), nothing outside ASCII (``text/\\u56fe`` cannot be sent in a header).
"""
from __future__ import annotations

import re

#: The database column holds at most this many characters.
MAX_LENGTH = 255

_TOKEN = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_QUOTED = r'"(?:[\t \x21\x23-\x5b\x5d-\x7e]|\\[\t \x21-\x7e])*"'
_PARAMETER = rf"{_TOKEN}=(?:{_TOKEN}|{_QUOTED})"
_MEDIA_TYPE = re.compile(rf"{_TOKEN}/{_TOKEN}(?:[ \t]*;[ \t]*(?:{_PARAMETER})?)*", re.ASCII)


def is_media_type(value: object) -> bool:
    """True for a ``type/subtype`` (with optional parameters) of at most MAX_LENGTH
    characters that a ``Content-Type`` header can carry unchanged."""
    return isinstance(value, str) and 0 < len(value) <= MAX_LENGTH \
        and _MEDIA_TYPE.fullmatch(value) is not None


def problem(value: object) -> str | None:
    """Why ``value`` is not a media type (a message that says what to fix), or None."""
    if is_media_type(value):
        return None
    shown = repr(value) if not isinstance(value, str) or len(value) <= 80 else \
        repr(value[:80]) + "..."
    return (f"{shown} is not a media type: give type/subtype such as image/png (ASCII "
            f"letters, digits and !#$%&'*+-.^_`|~, optional '; name=value' parameters, at "
            f"most {MAX_LENGTH} characters)")
