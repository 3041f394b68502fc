"""Contract: Repository.query_children evaluates the q/sort language in the database, with
the same answers on SQLite and PostgreSQL."""
from __future__ import annotations

import warnings
from datetime import timedelta

import pytest

from repository import ASSET, FOLDER, InvalidValue, NotFound
from repository.query import (
    DATETIME,
    NUMBER_TYPE,
    ColumnField,
    GroupField,
    JsonField,
    Selection,
    parse_q,
    parse_sort,
)

DOC = ("doc",)


def resolve(field):
    columns = {
        ("id",): ColumnField("name"),
        ("created",): ColumnField("created", DATETIME),
        ("version",): ColumnField("version", NUMBER_TYPE),
        ("bytes",): ColumnField("size", NUMBER_TYPE),
        ("mime",): ColumnField("mime_type"),
    }
    if field in columns:
        return columns[field]
    if field == ("details",):
        return GroupField((ColumnField("size", NUMBER_TYPE), JsonField(DOC, ("details",))))
    if field[0] == "unknown":
        return None
    return JsonField(DOC, field)


ASSETS = {
    "a1": {"type": "BLOB", "access": "PUBLIC", "n": 5, "title": "Red Apple",
           "refIds": [{"id": "c1", "type": "CATEGORY"}, {"id": "p1", "type": "PRODUCT"}],
           "tags": ["fruit", "red"], "empty": "", "flag": True},
    "a2": {"type": "BLOB", "access": "PRIVATE", "n": 50, "title": "green apple",
           "refIds": [{"id": "c2", "type": "CATEGORY"}], "tags": [], "empty": None,
           "flag": False, "details": {}},
    "b1": {"type": "LINK", "access": "PUBLIC", "n": "5", "title": "Banana",
           "refIds": [], "empty": [], "details": {"filename": "b.txt"},
           "rows": [{"cells": [{"v": 1}, {"v": 2}]}, {"cells": [{"v": 3}]}]},
    "b2": {"type": "LINK", "access": "PRIVATE", "title": "Blueberry (wild)", "empty": {},
           "range": [1, 10]},
}


@pytest.fixture
def folder(repo):
    repo.create(("t",), FOLDER)
    for name, doc in ASSETS.items():
        blob = repo.blobs.put_bytes(name.encode() * 10) if doc["type"] == "BLOB" else None
        repo.create(("t", name), ASSET, properties={"doc": doc}, blob=blob,
                    mime_type="text/plain" if blob else None)
    repo.create(("other",), FOLDER)
    repo.create(("other", "x1"), ASSET, properties={"doc": {"type": "BLOB", "n": 5}})
    return ("t",)


def names(repo, q="", sort="", **paging):
    selection = Selection(tuple(parse_q(q)), tuple(parse_sort(sort)), resolve)
    return [n.name for n in repo.query_children(("t",), selection, **paging).nodes]


@pytest.mark.parametrize("q, expected", [
    ("", ["a1", "a2", "b1", "b2"]),
    ("type:BLOB", ["a1", "a2"]),
    ("type:blob", []),                      # case-sensitive
    ("access:PUBLIC type:LINK", ["b1"]),    # clauses combine with AND
    ("id:a1", ["a1"]),
    ("id:(a1,b2)", ["a1", "b2"]),
    ('id:("a1","b1")', ["a1", "b1"]),
    ('title:"Red Apple"', ["a1"]),
    ("n:5", ["a1", "b1"]),                  # unquoted: the number 5 or the string "5"
    ('n:"5"', ["b1"]),                      # quoted: strings only
    ("n:>5", ["a2"]),
    ("n:>=5", ["a1", "a2"]),
    ("n:<50", ["a1"]),
    ("n:<=50", ["a1", "a2"]),
    ("n:(>=1 AND <=10)", ["a1"]),
    ("n:(>1 AND <2)", []),
    ("flag:true", ["a1"]),
    ("flag:false", ["a2"]),
    ("title:~pple", ["a1", "a2"]),          # unanchored
    ("title:~^B", ["b1", "b2"]),
    ("title:~apple", ["a2"]),               # case-sensitive
    ('title:~"\\(wild\\)"', ["b2"]),
    ("title:(~Red Ap)", ["a1"]),            # a regex with a space
    ("refIds.id:c2", ["a2"]),               # any element of an array
    ("refIds.type:PRODUCT", ["a1"]),
    ("refIds.type:CATEGORY access:PRIVATE", ["a2"]),
    ("tags:red", ["a1"]),                   # any item of an array of strings
    ("rows.cells.v:3", ["b1"]),             # arrays inside arrays
    ("rows.cells.v:>2", ["b1"]),
    ("range:(>=2 AND <=9)", []),            # both conditions on the same item
    ("range:(>=1 AND <=1)", ["b2"]),
    ("refIds:exists", ["a1", "a2"]),
    ("refIds:null", ["b1", "b2"]),          # empty array or absent
    ("refIds:missing", ["b2"]),             # absent only
    ("empty:null", ["a1", "a2", "b1", "b2"]),  # "", JSON null, [], {}
    ("empty:exists", []),
    ("empty:missing", []),
    ("details:exists", ["a1", "a2", "b1"]),  # a group: bytes or details
    ("details:null", ["b2"]),
    ("details.filename:b.txt", ["b1"]),
    ("mime:text/plain", ["a1", "a2"]),
    ("mime:null", ["b1", "b2"]),
    ("bytes:20", ["a1", "a2"]),
    ("bytes:>19 type:BLOB", ["a1", "a2"]),
    ("version:1", ["a1", "a2", "b1", "b2"]),
    ("unknown:x", []),                      # an unknown field matches nothing
    ("unknown:null", []),
    ("nosuchkey:x", []),
    ("nosuchkey:missing", ["a1", "a2", "b1", "b2"]),
])
def test_each_operator_filters_in_the_database(repo, folder, q, expected):
    assert names(repo, q) == expected


def test_dates_compare_as_instants_at_millisecond_precision(repo, folder):
    node = repo.get(("t", "b1"))
    shown = node.created.strftime("%Y-%m-%dT%H:%M:%S.") + f"{node.created.microsecond // 1000:03d}Z"
    assert "b1" in names(repo, f'created:"{shown}"')
    assert "b1" in names(repo, f'created:(>="{shown}" AND <="{shown}")')
    assert "b1" not in names(repo, f'created:>"{shown}"')
    assert "b1" not in names(repo, f'created:<"{shown}"')
    before = (node.created - timedelta(days=1)).isoformat()
    after = (node.created + timedelta(days=1)).isoformat()
    assert names(repo, f'created:(>"{before}" AND <"{after}")') == ["a1", "a2", "b1", "b2"]
    assert names(repo, f'created:<"{before}"') == []


@pytest.mark.parametrize("q, expected", [
    ('created:"9999-12-31T23:59:59.999Z"', []),
    ('created:<="9999-12-31T23:59:59.999Z"', ["a1", "a2", "b1", "b2"]),
    ('created:>"9999-12-31T23:59:59.999Z"', []),
    ('created:>="0001-01-01T00:00:00.000Z"', ["a1", "a2", "b1", "b2"]),
    ('created:<"0001-01-01T00:00:00.000Z"', []),
])
def test_the_first_and_last_instants_a_date_can_hold_compare(repo, folder, q, expected):
    assert names(repo, q) == expected


def test_a_bad_date_or_number_for_a_column_names_the_clause(repo, folder):
    with pytest.raises(InvalidValue, match="created:>yesterday"):
        names(repo, "created:>yesterday")
    with pytest.raises(InvalidValue, match="'bytes' is a number"):
        names(repo, "bytes:many")
    with pytest.raises(InvalidValue, match="not a text field"):
        names(repo, "bytes:~1")


@pytest.mark.parametrize("sort, expected", [
    ("", ["a1", "a2", "b1", "b2"]),
    ("id:desc", ["b2", "b1", "a2", "a1"]),
    ("id:DESC", ["b2", "b1", "a2", "a1"]),
    ("id:Desc", ["a1", "a2", "b1", "b2"]),          # only desc/DESC descend
    ("type:desc,id", ["b1", "b2", "a1", "a2"]),
    ("type,id:desc", ["a2", "a1", "b2", "b1"]),
    ("title", ["b1", "b2", "a1", "a2"]),           # byte order: upper case first
    ("n", ["b2", "a1", "a2", "b1"]),               # missing < numbers < strings
    ("n:desc", ["b1", "a2", "a1", "b2"]),
    ("bytes:desc,id", ["a1", "a2", "b1", "b2"]),
    ("mime,id:desc", ["b2", "b1", "a2", "a1"]),
])
def test_sort_directions_and_missing_values(repo, folder, sort, expected):
    assert names(repo, sort=sort) == expected


def test_sort_by_an_object_is_refused(repo, folder):
    with pytest.raises(InvalidValue, match="'details' is an object"):
        names(repo, sort="details")


def test_sort_by_an_unknown_field_ties_everything_and_the_next_key_decides(repo, folder):
    assert names(repo, sort="unknown,n:desc") == names(repo, sort="n:desc")


def test_paging_and_count(repo, folder):
    selection = Selection((), tuple(parse_sort("id")), resolve)
    page = repo.query_children(("t",), selection, offset=1, limit=2, count=True)
    assert [n.name for n in page.nodes] == ["a2", "b1"] and page.total == 4
    assert repo.query_children(("t",), selection, offset=4, limit=2).nodes == []
    assert repo.query_children(("t",), selection, offset=10**9, limit=2).nodes == []
    assert repo.query_children(("t",), selection).total == -1  # not counted unless asked
    filtered = Selection(tuple(parse_q("type:LINK")), (), resolve)
    assert repo.query_children(("t",), filtered, limit=1, count=True).total == 2


def test_only_direct_children_of_the_folder(repo, folder):
    assert "x1" not in names(repo, "n:5")


def test_nodes_carry_their_blobs(repo, folder):
    [node] = repo.query_children(("t",), Selection(tuple(parse_q("id:a1")), (), resolve)).nodes
    assert node.blob is not None and node.blob.size == 20 and node.path == ("t", "a1")


def test_missing_folder_and_bad_paging(repo, folder):
    selection = Selection((), (), resolve)
    with pytest.raises(NotFound):
        repo.query_children(("nope",), selection)
    with pytest.raises(InvalidValue):
        repo.query_children(("t",), selection, offset=-1)
    with pytest.raises(InvalidValue):
        repo.query_children(("t",), selection, limit=0)


def test_a_regex_outside_re2s_language_is_refused_on_every_backend(repo, folder):
    # Python's re read this as a character class; RE2 and PostgreSQL know no such class.
    with pytest.raises(InvalidValue, match="not a valid regex"):
        parse_q('title:~"[[:nosuch:]]"')


def test_a_regex_the_database_refuses_is_invalid_value(repo, folder, backend):
    # RE2 accepts \C (any byte); PostgreSQL does not know the escape.
    selection = Selection(tuple(parse_q(r"title:~\C")), (), resolve)
    if backend == "postgresql":
        with pytest.raises(InvalidValue, match="cannot evaluate"):
            repo.query_children(("t",), selection)
    else:
        assert len(names(repo, r"title:~\C")) > 0
