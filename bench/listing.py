"""Figure 2: listing a folder of 100,000 children, first page vs a page at offset 90,000.

The children are folders ``item-000000`` ... ``item-099999`` inserted straight into the
database (byte order = number order). The deep page is measured twice:

* as a client reaches it: the ``next`` link of the page before it, which carries the
  keyset cursor ``after=<name of child 89,999>`` along with ``offset=90000``;
* as a bare ``?offset=90000&limit=20`` with no cursor (the database skips 90,000 names in its
  index, then fetches the page by key).

A 20-child folder's first page is the baseline of the first page (what folder size costs).
Requests are interleaved round-robin on one keep-alive connection, after a warm-up.
"""
from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

from . import populate
from .report import Row, count, median, ms, progress, ratio, spread
from .server import BenchError, Client, Server, asset_url, path_and_query

LIMIT = 20
TARGET = 1.2  # the issue: "the deep page within 1.2x of the first"


def name_of(i: int) -> str:
    return f"item-{i:06d}"


def page(client: Client, url: str) -> dict:
    return client.request("GET", url, expect=[200]).json()


def first_name(entity: dict) -> str | None:
    children = entity.get("entities") or []
    return children[0]["properties"]["name"] if children else None


def next_href(entity: dict) -> str | None:
    for link in entity.get("links", []):
        if "next" in link.get("rel", []):
            return link["href"]
    return None


def run(workdir: Path, quick: bool) -> list[Row]:
    n = 10_000 if quick else 100_000
    deep = n * 9 // 10
    reps = 10 if quick else 20
    with Server(workdir, "listing") as server:
        repository = server.repository()
        try:
            big, children = populate.flat_folder("big", (name_of(i) for i in range(n)))
            small, small_children = populate.flat_folder("small", (name_of(i) for i in range(LIMIT)))
            populate.bulk_insert(repository, [big, small])
            seconds = populate.bulk_insert(repository, children + small_children)
            progress(f"listing: inserted {count(n + LIMIT)} rows in {ms(seconds)}")
        finally:
            repository.dispose()

        with server.client() as client:
            base = asset_url("big", json_suffix=True)
            first_url = f"{base}?{urlencode({'limit': LIMIT})}"
            bare_url = f"{base}?{urlencode({'offset': deep, 'limit': LIMIT})}"
            small_url = asset_url("small", json_suffix=True) + f"?{urlencode({'limit': LIMIT})}"
            # Reach the deep page the way a client does: follow the previous page's next link.
            before = deep - LIMIT
            previous = page(client, f"{base}?" + urlencode(
                {"offset": before, "limit": LIMIT, "after": name_of(before - 1)}))
            if first_name(previous) != name_of(before):
                raise BenchError(f"the page at offset {before} starts at {first_name(previous)}")
            href = next_href(previous)
            if href is None:
                raise BenchError(f"the page at offset {before} has no next link")
            cursor_url = path_and_query(href)
            query = parse_qs(urlsplit(cursor_url).query)
            if query.get("offset") != [str(deep)] or query.get("after") != [name_of(deep - 1)]:
                raise BenchError(f"unexpected next link {href}")

            urls = {"small": small_url, "first": first_url, "cursor": cursor_url, "bare": bare_url}
            expected = {"small": name_of(0), "first": name_of(0), "cursor": name_of(deep),
                        "bare": name_of(deep)}
            for key, url in urls.items():
                entity = page(client, url)
                total = entity["properties"]["srn:paging"]["total"]
                if first_name(entity) != expected[key] or len(entity["entities"]) != LIMIT:
                    raise BenchError(f"{url} starts at {first_name(entity)}, not {expected[key]}")
                if total != (LIMIT if key == "small" else n):
                    raise BenchError(f"{url} reports a total of {total}")
            times: dict[str, list[float]] = {key: [] for key in urls}
            for _ in range(3):  # warm-up
                for url in urls.values():
                    page(client, url)
            for _ in range(reps):
                for key, url in urls.items():
                    started = time.perf_counter()
                    client.request("GET", url, expect=[200])
                    times[key].append(time.perf_counter() - started)
    for key, values in times.items():
        progress(f"listing {key}: {spread(values)}")

    small_s, first_s, cursor_s, bare_s = (median(times[k]) for k in ("small", "first", "cursor", "bare"))
    size = f"{n // 1000}k"
    return [
        Row(f"list {size} folder: first page (limit={LIMIT})", ms(first_s),
            f"{LIMIT}-child folder: {ms(small_s)}", ratio(first_s, small_s), "(info)"),
        Row(f"list {size} folder: offset {count(deep)} via next link (after=)", ms(cursor_s),
            f"first page: {ms(first_s)}", ratio(cursor_s, first_s), f"<= {TARGET:.1f}x",
            cursor_s / first_s <= TARGET),
        Row(f"list {size} folder: bare ?offset={deep} (no cursor)", ms(bare_s),
            f"first page: {ms(first_s)}", ratio(bare_s, first_s), "(info: skips names)"),
    ]
