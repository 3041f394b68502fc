"""Figure 3: MOVE and COPY of a folder with 10,000 descendants.

``/tree`` holds 100 sub-folders of 99 assets each (10,000 descendants), inserted straight
into the database; the assets reference three real 64 KiB blobs uploaded over HTTP. ``/small``
holds one asset. MOVE goes ``/tree`` → ``/elsewhere/tree`` and back (and the same for
``/small``), interleaved, on one keep-alive connection. COPY goes to ``/tree-copy-N``; the
blob store (without ``tmp/``) is measured before and after each COPY.

Baselines: the 1-descendant MOVE for MOVE; for COPY, inserting the same 10,000 rows
directly with SQLAlchemy core in one transaction (what copying rows costs at the least);
for the bytes COPY writes, the bytes the copied assets reference (what copying bytes would
write).
"""
from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

from repository.models import ROOT_ID

from . import populate
from .report import Row, count, median, mib, ms, progress, ratio, spread
from .server import BenchError, Client, Server, asset_url

BLOB_SIZE = 64 * 1024
N_BLOBS = 3
MOVE_TARGET = 0.005


def move(client: Client, source: tuple[str, ...], destination: tuple[str, ...]) -> float:
    started = time.perf_counter()
    client.request("MOVE", asset_url(*source), headers={"X-Destination": asset_url(*destination)},
                   expect=[201])
    return time.perf_counter() - started


def total_of(client: Client, *names: str) -> int:
    entity = client.request("GET", asset_url(*names, json_suffix=True), expect=[200]).json()
    return entity["properties"]["srn:paging"]["total"]


def run(workdir: Path, quick: bool) -> list[Row]:
    folders, per_folder = (10, 99) if quick else (100, 99)
    descendants = folders * (per_folder + 1)
    round_trips = 5 if quick else 10
    copies = 3
    with Server(workdir, "transfer") as server, server.client() as client:
        client.create_folder("seed")
        client.create_folder("elsewhere")
        blobs = []
        for i in range(N_BLOBS):
            data = os.urandom(BLOB_SIZE)
            client.upload(("seed", f"blob-{i}.bin"), [data], len(data))
            blobs.append(hashlib.sha256(data).hexdigest())

        repository = server.repository()
        try:
            top, rows = populate.tree("tree", folders, per_folder, blobs)
            small = populate.node_row(ROOT_ID, "small")
            small_rows = [populate.node_row(small["id"], "only.bin", "asset", blob_sha256=blobs[0],
                                            mime_type="application/octet-stream")]
            populate.bulk_insert(repository, [top, small] + small_rows)
            insert_s = populate.bulk_insert(repository, rows)
        finally:
            repository.dispose()
        referenced = sum(BLOB_SIZE for row in rows if row["blob_sha256"])
        progress(f"transfer: inserted {count(len(rows))} descendant rows in {ms(insert_s)}")
        if total_of(client, "tree") != folders:
            raise BenchError("/tree does not list its sub-folders")

        big_moves: list[float] = []
        small_moves: list[float] = []
        floor: list[float] = []
        for i in range(round_trips + 1):  # the first round trip is a warm-up
            for name, bucket in (("tree", big_moves), ("small", small_moves)):
                there = move(client, (name,), ("elsewhere", name))
                back = move(client, ("elsewhere", name), (name,))
                if i:
                    bucket += [there, back]
            for _ in range(2):  # the server's per-request floor: authentication, no work
                started = time.perf_counter()
                client.request("GET", "/api.json", expect=[200])
                if i:
                    floor.append(time.perf_counter() - started)
        if total_of(client, "tree") != folders or total_of(client, "tree", "sub-0000") != per_folder:
            raise BenchError("/tree lost children while moving")
        progress(f"MOVE {count(descendants)} descendants: {spread(big_moves)}")
        progress(f"MOVE 1 descendant: {spread(small_moves)}")

        copy_times: list[float] = []
        written: list[tuple[int, int]] = []
        for i in range(copies):
            bytes_before, files_before = server.blob_bytes()
            started = time.perf_counter()
            client.request("COPY", asset_url("tree"),
                           headers={"X-Destination": asset_url(f"tree-copy-{i}"), "X-Depth": "infinity"},
                           expect=[201])
            copy_times.append(time.perf_counter() - started)
            bytes_after, files_after = server.blob_bytes()
            written.append((bytes_after - bytes_before, files_after - files_before))
            if total_of(client, f"tree-copy-{i}", "sub-0000") != per_folder:
                raise BenchError(f"/tree-copy-{i} is incomplete")
        progress(f"COPY {count(descendants)} descendants: {spread(copy_times)}")

    big_s, small_s, copy_s = median(big_moves), median(small_moves), median(copy_times)
    floor_s = median(floor)
    max_bytes = max(b for b, _ in written)
    max_files = max(f for _, f in written)
    n = count(descendants)
    return [
        Row("MOVE folder, 1 descendant", ms(small_s), f"GET /api.json (auth only): {ms(floor_s)}",
            ratio(small_s, floor_s), "< 5 ms", small_s < MOVE_TARGET),
        Row(f"MOVE folder, {n} descendants", ms(big_s), f"1-descendant MOVE: {ms(small_s)}",
            ratio(big_s, small_s), "< 5 ms", big_s < MOVE_TARGET),
        Row(f"COPY folder, {n} descendants", ms(copy_s),
            f"bulk INSERT of same rows: {ms(insert_s)}", ratio(copy_s, insert_s), "(info)"),
        Row(f"COPY: blob bytes written (worst of {copies})", f"{max_bytes} B, {max_files} files",
            f"bytes the copy references: {mib(referenced)}", f"{max_bytes / referenced:.3f}x",
            "0 B", max_bytes == 0 and max_files == 0),
    ]
