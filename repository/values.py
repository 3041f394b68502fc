"""What a stored JSON value (a node's properties, a job's payload) may hold.

Every write of properties passes :func:`check_properties`, whichever API it came through,
so no door can store a value that one of the databases cannot keep or give back:

- strings (keys and values, at any depth) without NUL (PostgreSQL's JSON cannot hold
  ``\\u0000``) and without unpaired surrogates (``"\\ud800"``: no UTF-8 encoding exists, so
  the node and every listing showing it could no longer be answered);
- numbers that are finite (no ``NaN``, ``Infinity``, ``1e999``) and integers within 64 bits
  (both databases compare them as numbers);
- at most :data:`MAX_DEPTH` levels of nested objects and arrays.

The HTTP layer parses request JSON with the same rules (``app.uploads.parse_json``) so a
client hears about them before anything is stored; this module is the backstop.
"""
from __future__ import annotations

import math
from typing import Any

from .errors import InvalidValue

#: Deepest nesting of objects and arrays in a stored value (the value itself is level 1).
MAX_DEPTH = 32
MIN_INTEGER = -(2**63)
MAX_INTEGER = 2**63 - 1


def bad_text(text: str) -> str | None:
    """Why ``text`` cannot be stored, or None when it can."""
    if text.isascii():
        return "it contains NUL (\\u0000)" if "\x00" in text else None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "it contains an unpaired surrogate (\\ud800-\\udfff), which is not Unicode text"
    return "it contains NUL (\\u0000)" if "\x00" in text else None


def check_text(text: str, what: str) -> str:
    """Return ``text`` if it can be stored, else raise InvalidValue naming ``what``."""
    why = bad_text(text)
    if why is not None:
        raise InvalidValue(f"{what} cannot be stored: {why}")
    return text


def check_json(value: Any, what: str = "the value") -> None:
    """Raise InvalidValue (naming where, e.g. ``properties/dc:title``) unless ``value`` is
    JSON that every backend stores and gives back unchanged (see the module docstring)."""
    stack: list[tuple[Any, str, int]] = [(value, what, 1)]
    while stack:
        item, where, depth = stack.pop()
        if isinstance(item, str):
            check_text(item, where)
        elif isinstance(item, bool) or item is None:
            continue
        elif isinstance(item, int):
            if not MIN_INTEGER <= item <= MAX_INTEGER:
                raise InvalidValue(f"{where} cannot be stored: integers must lie between "
                                   f"{MIN_INTEGER} and {MAX_INTEGER}")
        elif isinstance(item, float):
            if not math.isfinite(item):
                raise InvalidValue(f"{where} cannot be stored: numbers must be finite "
                                   "(not NaN, Infinity or out of range like 1e999)")
        elif isinstance(item, (dict, list, tuple)):
            if depth > MAX_DEPTH:
                raise InvalidValue(f"{where} cannot be stored: objects and arrays may nest "
                                   f"at most {MAX_DEPTH} levels deep")
            if isinstance(item, dict):
                for key, member in item.items():
                    if not isinstance(key, str):
                        raise InvalidValue(f"{where} cannot be stored: keys must be strings")
                    check_text(key, f"the key {key!r} in {where}" if key.isprintable()
                               else f"a key in {where}")
                    stack.append((member, f"{where}/{key}", depth + 1))
            else:
                stack.extend((member, f"{where}/{index}", depth + 1)
                             for index, member in enumerate(item))
        else:
            raise InvalidValue(f"{where} cannot be stored: {type(item).__name__} is not a "
                               "JSON value")


def check_properties(properties: dict[str, Any] | None) -> None:
    """:func:`check_json` for a node's properties (an object, or None for none)."""
    if properties is None:
        return
    if not isinstance(properties, dict):
        raise InvalidValue("properties must be an object")
    check_json(properties, "properties")
