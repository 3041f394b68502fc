"""Costly listings are stopped by a time budget and answered 400, on both backends; q
regexes are RE2's language on both backends.

A regex such as ``"a?" * 46 + "a" * 46`` backtracked for minutes in Python's ``re`` (what
SQLite's REGEXP used); ``bench/regex.py`` times it. The tests here do not time anything:
they make a listing exceed a tiny budget (PostgreSQL: by holding a lock it waits for;
SQLite: a budget shorter than any query) and check the answer."""
from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import text

from tests.aem.helpers import json_url
from tests.emporix.helpers import TENANT, create_link, error_body

LINKS = 150


@contextmanager
def slow_listings(app, backend):
    """Every listing from here on runs past the app's (tiny) budget. On PostgreSQL a lock
    on the blobs table, which a listing's page joins and a single node's lookup does not
    read, holds the listing until its budget ends."""
    repository = app.extensions["repository"]
    budget = repository.listing_budget
    repository.listing_budget = 1e-9 if backend == "sqlite" else 0.05
    try:
        if backend == "sqlite":
            yield
            return
        with repository.engine.connect() as connection:
            with connection.begin():
                connection.execute(text("LOCK TABLE blobs IN ACCESS EXCLUSIVE MODE"))
                yield
    finally:
        repository.listing_budget = budget


@pytest.fixture
def links(client, emporix):
    return [create_link(client, emporix, url=f"https://example.com/{i}/aaaa")
            for i in range(LINKS)]


def test_emporix_listing_over_its_budget_is_the_vendors_400_naming_the_clause(
        app, backend, client, emporix, links):
    q = "access:PUBLIC url:~" + "a?" * 46 + "a" * 46
    with slow_listings(app, backend):
        response = client.get(f"/media/{TENANT}/assets", headers=emporix,
                              query_string={"q": q, "pageSize": 100})
    assert response.status_code == 400, response.get_data(as_text=True)
    body = error_body(response)
    assert body["status"] == "Bad request"
    assert "url:~" + "a?" * 46 in body["message"]
    assert "access:PUBLIC" not in body["message"]  # the regex is the costly clause
    assert "budget" in body["message"]
    # Within the budget again, the same listing answers.
    response = client.get(f"/media/{TENANT}/assets", headers=emporix,
                          query_string={"q": "url:~" + "a?" * 46 + "a" * 4, "pageSize": 1000})
    assert response.status_code == 200
    assert len(response.get_json()) == LINKS


def test_emporix_listing_without_q_over_its_budget_is_400_too(app, backend, client, emporix,
                                                              links):
    with slow_listings(app, backend):
        response = client.get(f"/media/{TENANT}/assets",
                              headers={**emporix, "X-Total-Count": "true"})
    assert response.status_code == 400, response.get_data(as_text=True)
    assert "budget" in error_body(response)["message"]


def test_aem_folder_listing_over_its_budget_is_a_siren_400(app, backend, aem):
    aem.make_folder("f")
    for i in range(LINKS):
        aem.make_folder(f"f/sub{i}")
    with slow_listings(app, backend):
        response = aem.get(json_url("f") + "?limit=1000")
    assert response.status_code == 400, response.get_data(as_text=True)
    assert "budget" in response.get_json()["properties"]["status.message"]
    assert len(aem.child_names("f", limit=1000)) == LINKS


def test_posix_classes_match_alike_on_both_backends(client, emporix):
    """RE2 and PostgreSQL both read [[:digit:]] as a class of digits (Python's re, which
    SQLite used, read it as a set of the characters '[:digt')."""
    digits = create_link(client, emporix, url="https://example.com/2024")
    create_link(client, emporix, url="https://example.com/about")
    response = client.get(f"/media/{TENANT}/assets", headers=emporix,
                          query_string={"q": "url:~/[[:digit:]]+$"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert [asset["id"] for asset in response.get_json()] == [digits]
