"""Property: no q or sort string, however odd, makes the listing answer 5xx (SQLite here;
tests/repository/test_contract_query_fuzz.py runs the same on PostgreSQL)."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .helpers import TENANT, create_blob, create_link

FIELDS = ["id", "type", "access", "url", "refIds", "refIds.id", "refIds.type", "details",
          "details.bytes", "details.etag", "details.filename", "details.mimeType", "mixins.a",
          "mixins.a.b", "metadata", "metadata.createdAt", "metadata.version", "nosuch", "a-b"]
TOKENS = FIELDS + [":", " ", ",", "(", ")", '"', "\\", "~", ">", "<", ">=", "<=", "=", "AND",
                   " AND ", "null", "exists", "missing", "1", "-2.5e3", "1e999", "nan",
                   "2021-05-18T07:27:27.455Z", "*", "+", "?", "[", "]", "{", "}", "|", "^",
                   "$", ".", "\\d", "(?P<x>a)", "[[:alpha:]]", "é", "\x00", "%", "'"]

q_strings = st.one_of(
    st.text(max_size=60),
    st.lists(st.sampled_from(TOKENS), max_size=12).map("".join),
    st.lists(st.tuples(st.sampled_from(FIELDS), st.lists(st.sampled_from(TOKENS), max_size=5)),
             max_size=4).map(lambda clauses: " ".join(f"{f}:{''.join(v)}" for f, v in clauses)),
)


def test_random_q_and_sort_never_cause_a_5xx(app, manage):
    client = app.test_client()
    create_blob(client, manage, access="PUBLIC", refIds=[{"id": "c", "type": "CATEGORY"}])
    create_link(client, manage, mixins={"a": {"b": [1, "x"]}})

    @settings(max_examples=300, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(q=q_strings, sort=st.one_of(st.none(), q_strings))
    def check(q: str, sort: str | None) -> None:
        params = {"q": q} if sort is None else {"q": q, "sort": sort}
        response = client.get(f"/media/{TENANT}/assets", headers=manage, query_string=params)
        assert response.status_code in (200, 400), (q, sort, response.get_json())
        if response.status_code == 400:
            assert response.get_json()["message"]

    check()
