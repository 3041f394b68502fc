"""Emporix Media listing: ``q`` filter and ``sort`` over 100,000 assets of one tenant.

The assets are inserted straight into the database under ``/emporix/bench`` (half BLOBs, half
LINKs; every third PUBLIC with a CATEGORY reference, ...), with creation times one second
apart. The request is

    GET /media/bench/assets?q=access:PUBLIC refIds.type:CATEGORY
        &sort=metadata.createdAt:desc&pageSize=60&pageNumber=1 (and 100)

with a tenant-bound ``media.asset_read`` token, median of 10 after a warm-up (``--quick``:
10,000 assets, pages 1 and 20, median of 3). Then the regexes that used to run away
(Python's backtracking ``re`` behind SQLite's REGEXP): ``url:~`` with 46 ``a?`` and 46
``a``, and ``.*``/``a*`` piled up, over the same assets, of which every hundredth LINK
has a url ending in 45 ``a``; each must answer (200, or the 400 of the listing's time
budget) within a second. The baseline is the same SQL statement (the one ``Repository.query_children``
builds, with the same parameters) executed directly through SQLAlchemy Core on a connection
in the benchmark process: what the database alone costs.
"""
from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import insert, select

from app.emporix.documents import DOC, resolve
from app.emporix.views import DEFAULT_SORT, OWN_ASSETS
from repository.models import ROOT_ID, Blob, NodeRow, utcnow
from repository.query import Selection, parse_q, parse_sort

from . import populate
from .report import Row, count, median, ms, progress, ratio, spread
from .server import BenchError, Client, Server

TENANT = "bench"
Q = "access:PUBLIC refIds.type:CATEGORY"
SORT = "metadata.createdAt:desc"
PAGE_SIZE = 60
DEEP_PAGE = 100
BLOB_SIZES = [1000 * (i + 1) for i in range(10)]
#: Regexes that take exponential time in a backtracking engine on a run of "a".
RUNAWAY_QS = {
    "a?^46 a^46": "url:~" + "a?" * 46 + "a" * 46,
    "(.*)^8 (a*)^8 b": "url:~" + ".*" * 8 + "a*" * 8 + "b",
}


def asset_rows(parent_id: str, n: int) -> tuple[list[dict], list[dict]]:
    """``n`` asset rows and the blob rows they reference."""
    blobs = [{"sha256": f"{i:064x}", "md5": None, "size": size, "created": utcnow()}
             for i, size in enumerate(BLOB_SIZES)]
    start = utcnow()
    rows = []
    for i in range(n):
        is_blob = i % 2 == 0
        doc: dict = {"type": "BLOB" if is_blob else "LINK",
                     "access": "PUBLIC" if i % 3 else "PRIVATE"}
        if i % 3:
            doc["refIds"] = [{"id": f"cat{i % 50}", "type": "CATEGORY" if i % 4 else "BRAND"}]
        if not is_blob:
            doc["url"] = f"https://example.com/{i}.html" if i % 200 != 1 else \
                "https://example.com/" + "a" * 45
        else:
            doc["details"] = {"filename": f"file-{i}.jpg"}
        when = start.replace(microsecond=0) - timedelta(seconds=n - i)
        row = populate.node_row(parent_id, f"{i:024x}", "asset",
                                blob_sha256=blobs[i % len(blobs)]["sha256"] if is_blob else None,
                                mime_type="image/jpeg" if is_blob else None, now=when)
        row["properties"] = {DOC: doc}
        rows.append(row)
    return rows, blobs


def selection() -> Selection:
    return Selection(OWN_ASSETS + tuple(parse_q(Q)), tuple(parse_sort(SORT)) + DEFAULT_SORT,
                     resolve)


def direct_sql_seconds(repository, parent_id: str, offset: int, reps: int) -> tuple[float, int]:
    """Median time of the listing's SQL statement run directly; and the rows it returned."""
    chosen = selection()
    dialect = repository.engine.dialect.name
    statement = (select(NodeRow, Blob).outerjoin(Blob)
                 .where(NodeRow.parent_id == parent_id, chosen.where(dialect))
                 .order_by(*chosen.order_by(dialect), NodeRow.name)
                 .offset(offset).limit(PAGE_SIZE))
    times = []
    rows = 0
    with repository.engine.connect() as connection:
        connection.execute(statement).fetchall()  # warm-up
        for _ in range(reps):
            started = time.perf_counter()
            rows = len(connection.execute(statement).fetchall())
            times.append(time.perf_counter() - started)
    return median(times), rows


def run(workdir: Path, quick: bool) -> list[Row]:
    n = 10_000 if quick else 100_000
    reps = 3 if quick else 10
    deep = 20 if quick else DEEP_PAGE
    with Server(workdir, "emporix") as server:
        token = [line for line in server.flask(
            "tokens", "create", "--user", "admin", "--tenant", TENANT,
            "--scope", "media.asset_read").splitlines() if line.strip()][-1].strip()
        repository = server.repository()
        try:
            top = populate.node_row(ROOT_ID, "emporix")
            folder = populate.node_row(top["id"], TENANT)
            rows, blobs = asset_rows(folder["id"], n)
            with repository.engine.begin() as connection:
                connection.execute(insert(Blob.__table__), blobs)
            populate.bulk_insert(repository, [top, folder])
            seconds = populate.bulk_insert(repository, rows)
            progress(f"emporix: inserted {count(n)} assets in {ms(seconds)}")
            direct = {page: direct_sql_seconds(repository, folder["id"],
                                               (page - 1) * PAGE_SIZE, reps)
                      for page in (1, deep)}
        finally:
            repository.dispose()

        client = Client(server.port, token)
        try:
            urls = {page: "/media/bench/assets?" + urlencode(
                {"q": Q, "sort": SORT, "pageSize": PAGE_SIZE, "pageNumber": page})
                for page in (1, deep)}
            for page, url in urls.items():
                body = client.request("GET", url, expect=[200]).json()
                if len(body) != direct[page][1] or len(body) != PAGE_SIZE:
                    raise BenchError(f"page {page} has {len(body)} assets, the SQL "
                                     f"{direct[page][1]}")
                if any(a["access"] != "PUBLIC" for a in body):
                    raise BenchError(f"page {page} holds a non-PUBLIC asset")
            times: dict[int, list[float]] = {page: [] for page in urls}
            for _ in range(reps):
                for page, url in urls.items():
                    started = time.perf_counter()
                    client.request("GET", url, expect=[200])
                    times[page].append(time.perf_counter() - started)
            runaway: dict[str, tuple[float, int]] = {}
            for name, q in RUNAWAY_QS.items():
                url = "/media/bench/assets?" + urlencode({"q": q, "pageSize": PAGE_SIZE})
                started = time.perf_counter()
                response = client.request("GET", url, expect=[200, 400])
                runaway[name] = (time.perf_counter() - started, response.status)
        finally:
            client.close()
    for page, values in times.items():
        progress(f"emporix page {page}: {spread(values)}")
    size = f"{n // 1000}k"
    result = []
    for page in (1, deep):
        http_s, sql_s = median(times[page]), direct[page][0]
        result.append(Row(
            f"emporix list {size} assets, q+sort, page {page} ({PAGE_SIZE}/page)", ms(http_s),
            f"same SQL directly: {ms(sql_s)}", ratio(http_s, sql_s), "(info)"))
    first_page = median(times[1])
    for name, (seconds, status) in runaway.items():
        result.append(Row(
            f"emporix list {size} assets, q=url:~{name} (answer {status})", ms(seconds),
            f"q+sort page 1: {ms(first_page)}", ratio(seconds, first_page), "<= 1 s",
            seconds <= 1.0))
    return result
