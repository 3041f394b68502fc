"""The q and sort language (repository.query): what parses into what, and what is refused
with a message that names the clause."""
from __future__ import annotations

import pytest

from repository.errors import InvalidValue
from repository.query import Clause, Condition, SortKey, Value, parse_q, parse_sort


def single(q: str) -> Clause:
    [clause] = parse_q(q)
    return clause


def test_empty_q_has_no_clauses():
    assert parse_q(None) == [] and parse_q("") == [] and parse_q("   ") == []


def test_field_value_is_an_equality():
    clause = single("access:PUBLIC")
    assert clause.field == ("access",)
    assert clause.alternatives == ((Condition("eq", Value("PUBLIC")),),)


def test_dotted_field_splits_into_parts():
    assert single("refIds.id:X").field == ("refIds", "id")


@pytest.mark.parametrize("symbol, op", [(">", "gt"), ("<", "lt"), (">=", "ge"), ("<=", "le")])
def test_comparison_operators(symbol, op):
    assert single(f"details.bytes:{symbol}200").alternatives == ((Condition(op, Value("200")),),)


def test_range_is_one_alternative_with_both_conditions():
    clause = single('metadata.createdAt:(>="2021-05-18T07:27:27.455Z" AND <"2021-05-20")')
    assert clause.alternatives == ((
        Condition("ge", Value("2021-05-18T07:27:27.455Z", quoted=True)),
        Condition("lt", Value("2021-05-20", quoted=True)),
    ),)


def test_list_is_one_alternative_per_value():
    clause = single('id:(a,"b c", d)')
    assert clause.alternatives == (
        (Condition("eq", Value("a")),),
        (Condition("eq", Value("b c", quoted=True)),),
        (Condition("eq", Value("d")),),
    )


@pytest.mark.parametrize("keyword", ["null", "exists", "missing"])
def test_keywords(keyword):
    assert single(f"details:{keyword}").alternatives == ((Condition(keyword),),)


def test_quoted_keyword_is_a_plain_value():
    assert single('details:"null"').alternatives == ((Condition("eq", Value("null", True)),),)


def test_regex_forms():
    assert single("id:~ABCD12").alternatives == ((Condition("regex", Value("ABCD12", True)),),)
    assert single("id:(~AB CD)").alternatives == ((Condition("regex", Value("AB CD", True)),),)
    assert single("id:~a(b|c)").alternatives[0][0].value.text == "a(b|c)"


def test_clauses_are_split_at_spaces_outside_quotes_and_parentheses():
    clauses = parse_q('a:"x y"  b:(1, 2)\tc:(>=1 AND <=2)')
    assert [c.field for c in clauses] == [("a",), ("b",), ("c",)]


def test_escaped_quote_inside_a_quoted_value():
    assert single(r'a:"say \"hi\""').alternatives[0][0].value == Value('say "hi"', True)


@pytest.mark.parametrize("q, names", [
    ("access", "expected field:value"),
    ("a b:c", "'a'"),
    ("acc ess:X", "'acc'"),
    (":X", "not a field name"),
    ("a..b:X", "not a field name"),
    ("a:", "value is missing"),
    ('a:"open', "not closed"),
    ("a:(x,y", "not closed"),
    ("a:x)", "closes no"),
    ("a:(x,)", "empty value"),
    ("a:(>1 AND)", "both sides"),
    ("a:(1)x", "follows"),
    ('a:"x"y', "follows a closing"),
    ('a:~"("', "not a valid regex"),
    ("a:~(", "not closed"),
    ("a:~(a+)+$", "exponential"),
    ("a:~(a|b)*c", "exponential"),
    (r"a:~(a)\1", "back-references"),
    ("a:~(?i)abc", "inline flags"),
    ("a.b.c.d.e.f.g:1", "at most 6 parts"),
    ("a:x\x00", "control characters"),
])
def test_bad_q_is_refused_naming_the_problem(q, names):
    with pytest.raises(InvalidValue) as raised:
        parse_q(q)
    assert names in str(raised.value)


def test_bad_clause_is_named_in_the_message():
    with pytest.raises(InvalidValue, match="'details.bytes:>'"):
        parse_q("access:PUBLIC details.bytes:>")


def test_q_size_limits():
    with pytest.raises(InvalidValue, match="at most 32 clauses"):
        parse_q(" ".join(f"f{i}:x" for i in range(33)))
    with pytest.raises(InvalidValue, match="values in all"):
        parse_q("id:(" + ",".join(str(i) for i in range(65)) + ")")
    with pytest.raises(InvalidValue, match="characters"):
        parse_q("a:" + "x" * 5000)


def test_sort_directions():
    assert parse_sort("name,metadata.createdAt:desc,id:DESC,x:asc,y:Desc") == [
        SortKey(("name",)), SortKey(("metadata", "createdAt"), True), SortKey(("id",), True),
        SortKey(("x",)), SortKey(("y",)),
    ]


@pytest.mark.parametrize("sort", ["a,,b", "a b", ":desc", "a.:desc"])
def test_bad_sort_is_refused(sort):
    with pytest.raises(InvalidValue, match="sort"):
        parse_sort(sort)
