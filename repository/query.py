"""The filter and sort language of the flat-ID APIs (Emporix's ``q`` and ``sort``).

``parse_q`` and ``parse_sort`` turn the text into a small AST and refuse what they cannot
read with :class:`~repository.errors.InvalidValue` naming the bad clause.
:class:`Selection` compiles the AST into SQLAlchemy expressions over the ``nodes`` table
(its columns and its JSON ``properties``) for the dialect at hand, so the database filters,
sorts and pages; nothing is loaded into Python to be filtered. The API that uses it says
where each of its field names lives, with a *resolver* returning a :class:`ColumnField`,
a :class:`JsonField`, a :class:`GroupField` or ``None`` (unknown: matches nothing).

The language (NOTES.md, "Emporix Media"): clauses separated by spaces, all must hold::

    field:value   field:"quoted value"   field:>n  field:<n  field:>=n  field:<=n
    field:(>=a AND <=b)   field:(a,b)   field:("a","b")   field:~regex   field:(~a b)
    field:null (missing or empty)   field:exists (non-empty)   field:missing (absent)

Dotted fields reach into JSON objects and arrays: at every step an array stands for any of
its elements, so ``refIds.id:X`` holds when some element of ``refIds`` has the id X. All the
conditions of one clause must hold on the same value. Unquoted numbers also match JSON
numbers; quoted values match strings only. Equality is case-sensitive; regexes are
unanchored searches in RE2's syntax, which runs in time linear in the text whatever the
pattern (SQLite evaluates REGEXP with RE2 itself, see :func:`sqlite_regexp`; PostgreSQL
with its own engine, and every listing has a time budget, see
``Repository.query_children``). Date columns compare as instants at millisecond precision (what the
APIs show); dates inside JSON compare as text.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Union

from sqlalchemy import (
    JSON,
    Float,
    String,
    Text,
    and_,
    case,
    cast,
    exists,
    false,
    func,
    literal,
    not_,
    or_,
    select,
    true,
)
import re2
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.sql.elements import ColumnElement

from .errors import InvalidValue
from .models import Blob, NodeRow

#: Limits that keep one request's SQL small (and its cost bounded).
MAX_Q_LENGTH = 4096
MAX_CLAUSES = 32
MAX_VALUES = 64
MAX_DEPTH = 6
MAX_REGEX_LENGTH = 256
MAX_SORT_KEYS = 8

FIELD = re.compile(r"[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*")
NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
KEYWORDS = ("null", "exists", "missing")
COMPARISONS = (">=", "<=", ">", "<")

#: The node columns an API may name, by the name a :class:`ColumnField` uses.
COLUMNS = {
    "name": NodeRow.name,
    "created": NodeRow.created,
    "modified": NodeRow.modified,
    "version": NodeRow.version,
    "mime_type": NodeRow.mime_type,
    "sha256": NodeRow.blob_sha256,
    "size": Blob.size,
}
STRING, NUMBER_TYPE, DATETIME = "string", "number", "datetime"


# -- the AST -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Value:
    text: str
    quoted: bool = False

    @property
    def number(self) -> float | None:
        if self.quoted or not NUMBER.fullmatch(self.text):
            return None
        number = float(self.text)
        return number if math.isfinite(number) else None


@dataclass(frozen=True)
class Condition:
    """``op`` is one of eq, gt, ge, lt, le, regex, null, exists, missing."""

    op: str
    value: Value | None = None


@dataclass(frozen=True)
class Clause:
    field: tuple[str, ...]
    #: Any of these alternatives; each holds when all of its conditions hold.
    alternatives: tuple[tuple[Condition, ...], ...]
    text: str


@dataclass(frozen=True)
class SortKey:
    field: tuple[str, ...]
    descending: bool = False


# -- parsing -----------------------------------------------------------------------------------

def _bad(clause: str, why: str) -> InvalidValue:
    return InvalidValue(f"q: cannot use the clause '{clause}': {why}")


def _split(text: str, separator: Callable[[str], bool], where: str) -> list[str]:
    """Split at ``separator`` characters outside double quotes and parentheses."""
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    quoted = escaped = False
    for ch in text:
        if quoted:
            current.append(ch)
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                quoted = False
            continue
        if ch == '"':
            quoted = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                raise _bad(where, "a ')' closes no '('")
        elif depth == 0 and separator(ch):
            parts.append("".join(current))
            current = []
            continue
        current.append(ch)
    if quoted:
        raise _bad(where, "a double quote is not closed")
    if depth:
        raise _bad(where, "a '(' is not closed")
    parts.append("".join(current))
    return parts


def parse_q(text: str | None) -> list[Clause]:
    """Parse ``q``; raises InvalidValue naming the first clause it cannot read."""
    if not text or not text.strip():
        return []
    if len(text) > MAX_Q_LENGTH:
        raise InvalidValue(f"q: at most {MAX_Q_LENGTH} characters")
    if any(ord(ch) < 32 and ch not in " \t\r\n" for ch in text):
        raise InvalidValue("q: control characters are not allowed")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidValue("q: not valid Unicode") from None
    pieces = [p for p in _split(text, str.isspace, text.strip()) if p]
    if len(pieces) > MAX_CLAUSES:
        raise InvalidValue(f"q: at most {MAX_CLAUSES} clauses")
    clauses = [_parse_clause(piece) for piece in pieces]
    values = sum(len(c.alternatives) for c in clauses)
    if values > MAX_VALUES:
        raise InvalidValue(f"q: at most {MAX_VALUES} values in all")
    return clauses


def _parse_clause(text: str) -> Clause:
    name, colon, spec = text.partition(":")
    if not colon:
        raise _bad(text, "expected field:value")
    if not FIELD.fullmatch(name):
        raise _bad(text, f"'{name}' is not a field name (letters, digits, _ and -, "
                         "joined by dots)")
    field = tuple(name.split("."))
    if len(field) > MAX_DEPTH:
        raise _bad(text, f"a field has at most {MAX_DEPTH} parts")
    if spec in KEYWORDS:
        return Clause(field, ((Condition(spec),),), text)
    if spec.startswith("(") and spec.endswith(")"):
        return Clause(field, _parse_group(text, spec[1:-1]), text)
    if spec.startswith("("):
        raise _bad(text, "text follows the closing ')'")
    return Clause(field, ((_parse_single(text, spec),),), text)


def _parse_group(clause: str, inner: str) -> tuple[tuple[Condition, ...], ...]:
    stripped = inner.strip()
    if stripped.startswith("~"):  # (~AB CD): a regex with spaces
        return ((_regex(clause, _value(clause, stripped[1:], allow_spaces=True)),),)
    words = [word for word in _split(inner, str.isspace, clause) if word]
    if "AND" in words:
        items: list[list[str]] = [[]]
        for word in words:
            if word == "AND":
                items.append([])
            else:
                items[-1].append(word)
        if any(not item for item in items):
            raise _bad(clause, "AND needs a condition on both sides")
        return (tuple(_parse_single(clause, "".join(item)) for item in items),)
    items = [item.strip() for item in _split(inner, lambda ch: ch == ",", clause)]
    if any(not item for item in items):
        raise _bad(clause, "an empty value in the list")
    return tuple((_parse_single(clause, item),) for item in items)


def _parse_single(clause: str, spec: str) -> Condition:
    if spec.startswith("~"):
        return _regex(clause, _value(clause, spec[1:], allow_parens=True))
    for symbol, op in ((">=", "ge"), ("<=", "le"), (">", "gt"), ("<", "lt")):
        if spec.startswith(symbol):
            return Condition(op, _value(clause, spec[len(symbol):]))
    return Condition("eq", _value(clause, spec))


def _value(clause: str, text: str, *, allow_spaces: bool = False,
           allow_parens: bool = False) -> Value:
    if text.startswith('"'):
        out: list[str] = []
        escaped = False
        for index, ch in enumerate(text[1:], start=1):
            if escaped:
                out.append(ch)
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                if index != len(text) - 1:
                    raise _bad(clause, "text follows a closing double quote")
                return Value("".join(out), quoted=True)
            else:
                out.append(ch)
        raise _bad(clause, "a double quote is not closed")
    if not text:
        raise _bad(clause, "a value is missing")
    if not allow_spaces and any(ch.isspace() for ch in text):
        raise _bad(clause, "a value with spaces must be in double quotes")
    if '"' in text or (not (allow_spaces or allow_parens) and any(ch in "()" for ch in text)):
        raise _bad(clause, "quotes and parentheses in a value need double quotes around it")
    return Value(text)


def _regex(clause: str, value: Value) -> Condition:
    pattern = value.text
    if not pattern:
        raise _bad(clause, "the regex is empty")
    if len(pattern) > MAX_REGEX_LENGTH:
        raise _bad(clause, f"a regex has at most {MAX_REGEX_LENGTH} characters")
    if re.search(r"\\\d|\(\?[^:]", pattern):
        raise _bad(clause, "back-references, look-arounds and inline flags are not "
                           "supported in regexes")
    try:
        compile_regex(pattern)
    except re2.error as error:
        raise _bad(clause, f"not a valid regex ({_re2_message(error)})") from None
    if _nested_quantifier(pattern):
        raise _bad(clause, "a repeated group may not contain a repetition or '|' "
                           "(PostgreSQL's engine may take exponential time on them)")
    return Condition("regex", Value(pattern, quoted=True))


def _re2_options() -> re2.Options:
    options = re2.Options()
    options.log_errors = False  # a client's bad pattern is a 400, not a line on stderr
    return options


_RE2_OPTIONS = _re2_options()


@lru_cache(maxsize=256)
def compile_regex(pattern: str):
    """``pattern`` compiled by RE2 (linear-time matching, no back-references); raises
    ``re2.error``. Compiled patterns are kept: SQLite calls REGEXP once per row."""
    return re2.compile(pattern, _RE2_OPTIONS)


def _re2_message(error: Exception) -> str:
    text = error.args[0] if error.args else str(error)
    return text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)


def sqlite_regexp(pattern: str | None, value: str | None) -> bool | None:
    """SQLite's ``value REGEXP pattern`` (SQLite passes the pattern first), by RE2."""
    if pattern is None or value is None:
        return None
    try:
        return compile_regex(pattern).search(value) is not None
    except re2.error:  # parse_q refuses such patterns; never fail a whole query on one
        return False


def _nested_quantifier(pattern: str) -> bool:
    """Whether a quantified group contains a quantifier or an alternation: ``(a+)+``."""
    stack: list[bool] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":  # a character class: skip to its end
            j = i + 1
            if j < len(pattern) and pattern[j] == "^":
                j += 1
            if j < len(pattern) and pattern[j] == "]":
                j += 1
            while j < len(pattern) and pattern[j] != "]":
                j += 2 if pattern[j] == "\\" else 1
            i = j + 1
            continue
        if ch == "(":
            stack.append(False)
        elif ch == ")" and stack:
            risky = stack.pop()
            follows = pattern[i + 1: i + 2]
            if risky and follows in ("*", "+", "{", "?"):
                return True
            if stack:
                stack[-1] = stack[-1] or risky
        elif ch in "*+{|?" and stack:
            stack[-1] = True
        i += 1
    return False


def parse_sort(text: str | None) -> list[SortKey]:
    """``field[:desc]`` separated by commas; descending only for ``desc`` or ``DESC``."""
    if not text or not text.strip():
        return []
    keys: list[SortKey] = []
    for item in text.split(","):
        item = item.strip()
        name, _, direction = item.partition(":")
        if not FIELD.fullmatch(name):
            raise InvalidValue(f"sort: '{item}' is not field[:asc|desc]")
        keys.append(SortKey(tuple(name.split(".")), direction in ("desc", "DESC")))
    if len(keys) > MAX_SORT_KEYS:
        raise InvalidValue(f"sort: at most {MAX_SORT_KEYS} fields")
    return keys


# -- where each field lives ---------------------------------------------------------------------

@dataclass(frozen=True)
class ColumnField:
    """A column of the node (a key of :data:`COLUMNS`) and how to compare it."""

    column: str
    type: str = STRING


@dataclass(frozen=True)
class JsonField:
    """A value inside ``properties``: ``root`` is a fixed object path (never an array), the
    ``keys`` below it may pass through arrays."""

    root: tuple[str, ...]
    keys: tuple[str, ...]


@dataclass(frozen=True)
class GroupField:
    """An object whose members live in different places: only null/exists/missing apply."""

    members: tuple["FieldSpec", ...]


FieldSpec = Union[ColumnField, JsonField, GroupField]
Resolver = Callable[[tuple[str, ...]], "FieldSpec | None"]


# -- JSON access, per dialect -----------------------------------------------------------------

class _SqliteJson:
    """A JSON value: the document ``doc`` at the path ``path`` (text or an SQL expression)."""

    def __init__(self, doc: Any, path: Any) -> None:
        self.doc, self.path = doc, path

    def at(self, keys: tuple[str, ...]) -> "_SqliteJson":
        if not keys:
            return self
        suffix = "".join(f'."{key}"' for key in keys)
        path = self.path + suffix if isinstance(self.path, str) else self.path.concat(suffix)
        return _SqliteJson(self.doc, path)

    def _type(self):
        return func.json_type(self.doc, self.path, type_=String())

    def _raw(self, type_):
        return func.json_extract(self.doc, self.path, type_=type_)

    def present(self):
        return self._type().is_not(None)

    def is_(self, kind: str):
        names = {"string": ("text",), "number": ("integer", "real"), "array": ("array",),
                 "object": ("object",), "null": ("null",), "boolean": ("true", "false")}[kind]
        return self._type().in_(names)

    def text(self):
        return case((self.is_("string"), self._raw(String())))

    def number(self):
        return case((self.is_("number"), self._raw(Float())))

    def boolean(self, value: bool):
        return self._type() == ("true" if value else "false")

    def empty_array(self):
        return and_(self.is_("array"), func.json_array_length(self.doc, self.path) == 0)

    def empty_object(self):
        return and_(self.is_("object"), self._raw(String()) == "{}")

    def elements(self):
        each = func.json_each(self.doc, self.path).table_valued("fullkey").alias()
        return each, _SqliteJson(self.doc, each.c.fullkey)


class _PgJson:
    """A JSON value: ``base`` (an SQL expression of type json) at the path ``keys``."""

    def __init__(self, base: Any, keys: tuple[str, ...] = ()) -> None:
        self.base, self.keys = base, keys

    def at(self, keys: tuple[str, ...]) -> "_PgJson":
        return _PgJson(self.base, self.keys + tuple(keys))

    def _path(self):
        return literal(list(self.keys), ARRAY(Text))

    def value(self):
        return self.base.op("#>", return_type=JSON)(self._path()) if self.keys else self.base

    def _type(self):
        return func.json_typeof(self.value(), type_=String())

    def _text(self):
        return self.base.op("#>>", return_type=String)(self._path())

    def present(self):
        return self.value().is_not(None)

    def is_(self, kind: str):
        return self._type() == kind

    def text(self):
        return case((self.is_("string"), self._text()))

    def number(self):
        return case((self.is_("number"), cast(self._text(), Float)))

    def boolean(self, value: bool):
        return and_(self.is_("boolean"), self._text() == ("true" if value else "false"))

    def empty_array(self):
        return case((self.is_("array"), func.json_array_length(self.value()) == 0), else_=False)

    def empty_object(self):
        return case((self.is_("object"), cast(self.value(), JSONB) == cast(literal("{}"), JSONB)),
                    else_=False)

    def elements(self):
        array = case((self.is_("array"), self.value()), else_=cast(literal("[]"), JSON))
        each = func.json_array_elements(array).table_valued("value").alias()
        return each, _PgJson(each.c.value)


def _json_root(dialect: str, root: tuple[str, ...]):
    if dialect == "postgresql":
        return _PgJson(NodeRow.properties, root)
    return _SqliteJson(NodeRow.properties, "$").at(root)


def _certain(expression) -> ColumnElement[bool]:
    """True or false, never NULL (so that NOT of it means what it says)."""
    return case((expression, true()), else_=false())


# -- compiling --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Selection:
    """A parsed ``q`` and ``sort`` with the resolver that places their fields."""

    clauses: tuple[Clause, ...]
    sort: tuple[SortKey, ...]
    resolve: Resolver

    def where(self, dialect: str) -> ColumnElement[bool]:
        return _where(self, dialect)

    def order_by(self, dialect: str) -> list[Any]:
        return list(_order_by(self, dialect))


# Building the SQL of a q with JSON paths costs more than running it on an indexed page, and
# clients repeat the same few queries: the (immutable) expressions are kept per selection.
@lru_cache(maxsize=512)
def _where(selection: Selection, dialect: str) -> ColumnElement[bool]:
    return and_(true(), *(_compile_clause(c, selection.resolve(c.field), dialect)
                          for c in selection.clauses))


@lru_cache(maxsize=512)
def _order_by(selection: Selection, dialect: str) -> tuple[Any, ...]:
    order: list[Any] = []
    for key in selection.sort:
        spec = selection.resolve(key.field)
        name = ".".join(key.field)
        if spec is None:  # no asset has it: every value is missing, so all tie
            continue
        if isinstance(spec, GroupField):
            raise InvalidValue(f"sort: '{name}' is an object; sort by one of its fields")
        for expression in _sort_expressions(spec, dialect):
            ordered = expression.desc() if key.descending else expression.asc()
            # Missing values count as the smallest, on every backend.
            order.append(ordered.nulls_last() if key.descending else ordered.nulls_first())
    return tuple(order)


def _sort_expressions(spec: ColumnField | JsonField, dialect: str) -> list[Any]:
    if isinstance(spec, ColumnField):
        column = COLUMNS[spec.column]
        if spec.type == STRING and dialect == "postgresql":
            return [column.collate("C")]
        return [column]
    ref = _json_root(dialect, spec.root).at(spec.keys)
    text = ref.text()
    # Missing (and other types) < numbers < strings, as in the vendor's database.
    rank = case((ref.is_("number"), 1), (ref.is_("string"), 2), else_=0)
    return [rank, ref.number(), text.collate("C") if dialect == "postgresql" else text]


def _compile_clause(clause: Clause, spec: FieldSpec | None, dialect: str) -> ColumnElement[bool]:
    if spec is None:  # an unknown field matches nothing
        return false()
    ops = {c.op for alternative in clause.alternatives for c in alternative}
    if ops & set(KEYWORDS):
        return _presence(clause.alternatives[0][0].op, spec, dialect)
    if isinstance(spec, GroupField):
        return false()
    if isinstance(spec, ColumnField):
        return or_(*(and_(*(_column_condition(clause, spec, c, dialect) for c in alternative))
                     for alternative in clause.alternatives))
    root = _json_root(dialect, spec.root)

    def test(ref) -> ColumnElement[bool]:
        return or_(*(and_(*(_json_condition(ref, c) for c in alternative))
                     for alternative in clause.alternatives))

    return _anywhere(root, spec.keys, test)


def _anywhere(ref, keys: tuple[str, ...], test) -> ColumnElement[bool]:
    """``test`` holds at ``keys`` below ``ref``, where any array on the way stands for any of
    its elements (and an array at the end for any of its items)."""
    branches = [test(ref.at(keys))]
    for split in range(1, len(keys) + 1):
        array = ref.at(keys[:split])
        each, element = array.elements()
        inner = _anywhere(element, keys[split:], test) if split < len(keys) else test(element)
        branches.append(and_(array.is_("array"),
                             exists(select(literal(1)).select_from(each).where(inner).correlate_except(each))))
    return or_(*branches)


def _presence(op: str, spec: FieldSpec, dialect: str) -> ColumnElement[bool]:
    """null (missing or empty), exists (present and not empty), missing (absent)."""
    if op == "null":
        return not_(_certain(_presence("exists", spec, dialect)))
    if isinstance(spec, GroupField):
        members = [_presence(op, member, dialect) for member in spec.members]
        return or_(*members) if op == "exists" else and_(*members)
    if isinstance(spec, ColumnField):
        column = COLUMNS[spec.column]
        if op == "missing":
            return column.is_(None)
        if spec.type == STRING:
            return and_(column.is_not(None), column != "")
        return column.is_not(None)
    root = _json_root(dialect, spec.root)
    if op == "missing":
        return not_(_certain(_anywhere(root, spec.keys, lambda ref: ref.present())))

    def filled(ref) -> ColumnElement[bool]:
        return and_(ref.present(), not_(ref.is_("null")),
                    not_(_certain(ref.text() == "")),
                    not_(_certain(ref.empty_array())), not_(_certain(ref.empty_object())))

    return _anywhere(root, spec.keys, filled)


def _json_condition(ref, condition: Condition) -> ColumnElement[bool]:
    value = condition.value
    assert value is not None
    if condition.op == "regex":
        return ref.text().regexp_match(value.text)
    number = value.number
    if condition.op == "eq":
        options = [ref.text() == value.text]
        if number is not None:
            options.append(ref.number() == number)
        if not value.quoted and value.text in ("true", "false"):
            options.append(ref.boolean(value.text == "true"))
        return or_(*options)
    if number is not None:
        return _compare(ref.number(), condition.op, number)
    return _compare(ref.text(), condition.op, value.text)


def _compare(expression, op: str, operand: Any) -> ColumnElement[bool]:
    return {"eq": expression.__eq__, "gt": expression.__gt__, "ge": expression.__ge__,
            "lt": expression.__lt__, "le": expression.__le__}[op](operand)


def _column_condition(clause: Clause, spec: ColumnField, condition: Condition,
                      dialect: str) -> ColumnElement[bool]:
    column = COLUMNS[spec.column]
    value = condition.value
    assert value is not None
    name = ".".join(clause.field)
    if condition.op == "regex":
        if spec.type != STRING:
            raise _bad(clause.text, f"'{name}' is not a text field; a regex cannot apply")
        return column.regexp_match(value.text)
    if spec.type == NUMBER_TYPE:
        number = _number_or_none(value.text)
        if number is None:
            raise _bad(clause.text, f"'{name}' is a number; '{value.text}' is not one")
        return _compare(column, condition.op, number)
    if spec.type == DATETIME:
        moment = parse_instant(value.text)
        if moment is None:
            raise _bad(clause.text, f"'{name}' is a date; '{value.text}' is not an ISO 8601 "
                                    "date and time such as \"2021-05-18T07:27:27.455Z\"")
        return _compare_instant(column, condition.op, moment, dialect)
    if dialect == "postgresql" and condition.op != "eq":
        column = column.collate("C")
    return _compare(column, condition.op, value.text)


def _number_or_none(text: str) -> float | None:
    if not NUMBER.fullmatch(text):
        return None
    number = float(text)
    return number if math.isfinite(number) else None


MILLISECOND = timedelta(milliseconds=1)


def parse_instant(text: str) -> datetime | None:
    """An ISO 8601 date (and time) as an aware UTC datetime, or None."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    try:
        moment = moment.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        return None
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def _millisecond_end(moment: datetime) -> datetime:
    """Where ``moment``'s millisecond ends; for the last millisecond a datetime can hold,
    the largest datetime (only a time stored in the very last microsecond of the year
    9999 would lie beyond it)."""
    try:
        return moment + MILLISECOND
    except OverflowError:
        return datetime.max.replace(tzinfo=timezone.utc)


def _compare_instant(column, op: str, moment: datetime, dialect: str) -> ColumnElement[bool]:
    """Times are shown with milliseconds, so a value stands for its whole millisecond."""
    after = _millisecond_end(moment)
    if dialect != "postgresql":  # SQLite stores naive UTC text
        moment, after = moment.replace(tzinfo=None), after.replace(tzinfo=None)
    return {
        "eq": and_(column >= moment, column < after),
        "gt": column >= after,
        "ge": column >= moment,
        "lt": column < moment,
        "le": column < after,
    }[op]
