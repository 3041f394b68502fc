"""Request parameters of the Projects API v2, checked the way the vendor's server does.

The vendor (MediaPocket) validates parameters with Apipie before its controller runs, so
its 422 texts are Apipie's:

- ``Missing parameter <name>`` when a required key is absent;
- ``Invalid parameter '<name>' value <value>: <rule>`` when a present value breaks its rule
  (``Must be a String``, ``Must be an array of String``, ``Must be a Hash``,
  ``Must be one of: <code>article</code>.``, ``Must match regular expression <code>/.../</code>.``).

Apipie shows the value with Ruby's ``inspect``; we show it as JSON (``"image"``, ``5``,
``null``, ``["a", 1]``), which agrees with Ruby for strings, numbers, booleans and arrays.
Parameters are checked in the order the page lists them and the first failure is the
answer. Nested parameters (``url[file_url]``) are named by their own name
(``Missing parameter file_url``), as Apipie does. A ``null`` value is no missing
parameter: it is an invalid value (``Invalid parameter 'title' value null: Must be a
String``), again as Apipie does without ``allow_nil``. Keys the page does not list are
ignored.

What the vendor's *model* refuses (blank or too long titles, a taken external id) is not
a parameter error: see :func:`model_errors`; those answer 400.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

#: Longest title, category, external id and file name (a Rails ``string`` column).
MAX_STRING = 255
#: Longest description (a Rails ``text`` column on MySQL).
MAX_TEXT = 65535
#: Project ids a client may choose (the vendor's own are 20 of these characters).
PROJECT_ID_SOURCE = r"\A[A-Za-z0-9_-]{1,64}\z"
PROJECT_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


class ParamError(Exception):
    """A missing or invalid parameter: 422 with this message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Rule:
    """What a value must be, and the text Apipie shows when it is not."""

    text: str
    check: Callable[[Any], bool]


def _is_string(value: Any) -> bool:
    return isinstance(value, str)


STRING = Rule("Must be a String", _is_string)
ARRAY_OF_STRING = Rule(
    "Must be an array of String",
    lambda value: isinstance(value, list) and all(isinstance(item, str) for item in value),
)
HASH = Rule("Must be a Hash", lambda value: isinstance(value, dict))


def one_of(*values: str) -> Rule:
    listed = ", ".join(f"<code>{value}</code>" for value in values)
    return Rule(f"Must be one of: {listed}.", lambda value: value in values and _is_string(value))


def matches(source: str, pattern: re.Pattern[str]) -> Rule:
    return Rule(f"Must match regular expression <code>/{source}/</code>.",
                lambda value: _is_string(value) and pattern.fullmatch(value) is not None)


@dataclass(frozen=True)
class Param:
    name: str
    rule: Rule
    required: bool = False
    #: For a Hash: the parameters inside it.
    children: tuple["Param", ...] = field(default=())
    description: str = ""


def shown(value: Any) -> str:
    """The value as the error message shows it (JSON)."""
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):  # pragma: no cover - request values are JSON or text
        return repr(value)


def validate(params: Mapping[str, Any], spec: Iterable[Param]) -> dict[str, Any]:
    """The listed parameters of ``params``, or :class:`ParamError` for the first bad one."""
    accepted: dict[str, Any] = {}
    for param in spec:
        if param.name not in params:
            if param.required:
                raise ParamError(f"Missing parameter {param.name}")
            continue
        value = params[param.name]
        if not param.rule.check(value):
            raise ParamError(f"Invalid parameter '{param.name}' value {shown(value)}: "
                             f"{param.rule.text}")
        accepted[param.name] = validate(value, param.children) if param.children else value
    return accepted


# -- the endpoints' parameters, in the page's order ------------------------------------------

URL_MEDIA = (
    Param("file_url", STRING, required=True, description="File URL"),
    Param("filename", STRING, required=True, description="Filename"),
)
S3_MEDIA = (
    Param("s3_key", STRING, required=True, description="File URL"),
    Param("filename", STRING, required=True, description="Filename"),
)

ASSET_CREATE = (
    Param("title", STRING, required=True, description="Title"),
    Param("description", STRING, description="Description"),
    Param("category", STRING, description="Category"),
    Param("tags", ARRAY_OF_STRING, description="Tags"),
    Param("external_id", STRING, description="External ID"),
    Param("media_type", one_of("article"),
          description="Type. During asset creation, only used for articles. Defaults to "
                      "placeholder with no media."),
    Param("url", HASH, children=URL_MEDIA, description="Media from URL"),
    Param("s3", HASH, children=S3_MEDIA, description="Media from S3"),
)

ASSET_UPDATE = (
    Param("title", STRING, description="Title"),
    Param("description", STRING, description="Description"),
    Param("category", STRING, description="Category"),
    Param("tags", ARRAY_OF_STRING, description="Tags"),
    Param("external_id", STRING, description="External ID"),
)

PROJECT_CREATE = (
    Param("id", matches(PROJECT_ID_SOURCE, PROJECT_ID),
          description="The project's id; the server makes one up when it is missing"),
    Param("title", STRING, required=True, description="Title"),
    Param("description", STRING, description="Description"),
)


# -- what the model refuses (400) ---------------------------------------------------------------

def model_errors(params: Mapping[str, Any], *, title_required: bool) -> list[str]:
    """Rails-style full messages for values the model refuses, in a stable order."""
    errors: list[str] = []
    if "title" in params or title_required:
        title = params.get("title")
        if not isinstance(title, str) or not title.strip():
            errors.append("Title can't be blank")
        elif len(title) > MAX_STRING:
            errors.append(f"Title is too long (maximum is {MAX_STRING} characters)")
    description = params.get("description")
    if isinstance(description, str) and len(description) > MAX_TEXT:
        errors.append(f"Description is too long (maximum is {MAX_TEXT} characters)")
    for key, label in (("category", "Category"), ("external_id", "External id")):
        value = params.get(key)
        if isinstance(value, str) and len(value) > MAX_STRING:
            errors.append(f"{label} is too long (maximum is {MAX_STRING} characters)")
    tags = params.get("tags")
    if isinstance(tags, list) and any(len(tag) > MAX_STRING for tag in tags):
        errors.append(f"Tags is too long (maximum is {MAX_STRING} characters per tag)")
    for media in ("url", "s3"):
        filename = (params.get(media) or {}).get("filename")
        if isinstance(filename, str) and len(filename) > MAX_STRING:
            errors.append(f"Original filename is too long (maximum is {MAX_STRING} characters)")
    return errors


# -- form-encoded bodies ---------------------------------------------------------------------------

_BRACKETS = re.compile(r"([^\[\]]+)((?:\[[^\[\]]*\])*)")


def from_form(items: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Rails' nested form names as JSON-like values: ``tags[]=a&tags[]=b`` gives a list,
    ``url[file_url]=...`` a dict. Deeper nesting than one level is kept flat by name."""
    params: dict[str, Any] = {}
    for key, value in items:
        match = _BRACKETS.fullmatch(key)
        if match is None:
            params[key] = value
            continue
        name, rest = match.group(1), match.group(2)
        parts = re.findall(r"\[([^\[\]]*)\]", rest)
        if not parts:
            params[name] = value
        elif parts == [""]:
            current = params.get(name)
            params[name] = (current if isinstance(current, list) else []) + [value]
        elif len(parts) == 1:
            current = params.get(name)
            if not isinstance(current, dict):
                current = params[name] = {}
            current[parts[0]] = value
        else:
            params[key] = value
    return params
