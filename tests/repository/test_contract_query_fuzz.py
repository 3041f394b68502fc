"""Property: whatever q parses into, the database evaluates it (or refuses it as
InvalidValue) on SQLite and on PostgreSQL; never another error."""
from __future__ import annotations

import warnings

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from repository import ASSET, FOLDER, InvalidValue
from repository.query import Selection, parse_q, parse_sort

from .test_contract_query import resolve

FIELDS = ["id", "created", "version", "bytes", "mime", "details", "n", "refIds.id", "a.b.c",
          "unknown"]
OPERANDS = ["", ">", "<", ">=", "<=", "~"]
VALUES = ["1", "-2.5", "1e308", "x", '"a b"', '"2021-05-18T07:27:27.455Z"', "2021-05-18",
          "true", "(1,x)", "(>=1 AND <=2)", "(~a b)", "null", "exists", "missing", '"[[:x:]]"',
          "^a$", "é", '"\\""', "9999-12-31T23:59:59.999", "0000-01-01"]

clauses = st.lists(
    st.tuples(st.sampled_from(FIELDS), st.sampled_from(OPERANDS), st.sampled_from(VALUES))
    .map(lambda t: f"{t[0]}:{t[1]}{t[2]}"), min_size=1, max_size=4).map(" ".join)
sorts = st.lists(st.tuples(st.sampled_from(FIELDS), st.booleans())
                 .map(lambda t: t[0] + (":desc" if t[1] else "")), max_size=3).map(",".join)


def test_parsed_queries_always_evaluate(repo):
    repo.create(("t",), FOLDER)
    repo.create(("t", "x"), ASSET, properties={"doc": {"n": 1, "refIds": [{"id": "a"}],
                                                       "a": {"b": [{"c": "x"}]}}},
                blob=repo.blobs.put_bytes(b"x"), mime_type="text/plain")
    repo.create(("t", "y"), ASSET, properties={"doc": {"n": "x", "details": {}}})

    @settings(max_examples=60, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(q=clauses, sort=sorts)
    def check(q: str, sort: str) -> None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", FutureWarning)
                selection = Selection(tuple(parse_q(q)), tuple(parse_sort(sort)), resolve)
            repo.query_children(("t",), selection, count=True)
        except InvalidValue:
            pass

    check()
