"""Figure 4: peak memory of the server process during a 1 GB upload.

A fresh server (so no earlier benchmark's peak is in its high-water mark) takes two 4 MiB
warm-up uploads (so first-use allocations are not counted; its idle RSS is shown too), then its peak RSS is reset (``/proc/<pid>/clear_refs``) and VmRSS/VmHWM
read; a 1 GiB body streamed from a generator (a random 1 MiB block, numbered per chunk)
is uploaded while a thread samples VmRSS every 20 ms; VmHWM is read again afterwards.
Growth = VmHWM after − VmRSS before.
"""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Iterator

from .report import Row, mib, ms, progress, ratio
from .server import BenchError, Server, proc_status, reset_peak_rss

CHUNK = 1 << 20
TARGET = 50 * 2**20


def numbered_chunks(size: int) -> Iterator[bytes]:
    block = os.urandom(CHUNK)
    sent = 0
    n = 0
    while sent < size:
        chunk = (n.to_bytes(8, "big") + block[8:])[: size - sent]
        yield chunk
        sent += len(chunk)
        n += 1


class Sampler(threading.Thread):
    def __init__(self, pid: int, interval: float = 0.02) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak = 0
        self.samples = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            try:
                self.peak = max(self.peak, proc_status(self.pid)["VmRSS"])
                self.samples += 1
            except (OSError, KeyError):
                return
            self.done.wait(self.interval)


def run(workdir: Path, quick: bool) -> list[Row]:
    size = (100 if quick else 1024) * 2**20
    label = f"{size // 2**20} MB" if size < 2**30 else f"{size // 2**30} GB"
    with Server(workdir, "memory") as server, server.client() as client:
        idle = proc_status(server.pid)["VmRSS"]
        client.create_folder("bench")
        for i in range(2):
            client.upload(("bench", f"warm-{i}.bin"), numbered_chunks(4 * CHUNK), 4 * CHUNK)
        time.sleep(0.2)
        was_reset = reset_peak_rss(server.pid)
        before = proc_status(server.pid)
        sampler = Sampler(server.pid)
        sampler.start()
        started = time.perf_counter()
        response = client.upload(("bench", "huge.bin"), numbered_chunks(size), size)
        elapsed = time.perf_counter() - started
        sampler.done.set()
        sampler.join()
        after = proc_status(server.pid)
        stored, _files = server.blob_bytes()
        if stored < size:
            raise BenchError(f"only {stored} bytes in the blob store after a {size}-byte upload")
        del response

    if was_reset:
        peak = after["VmHWM"]
        how = "VmHWM (reset before)"
    else:  # cannot reset: the high-water mark may predate the upload; use it only if it grew
        peak = max(sampler.peak, after["VmHWM"] if after["VmHWM"] > before["VmHWM"] else 0)
        how = "sampled VmRSS / VmHWM"
    growth = peak - before["VmRSS"]
    progress(f"memory: pid {server.pid}, VmRSS before {mib(before['VmRSS'])}, "
             f"VmHWM before {mib(before['VmHWM'])}, VmHWM after {mib(after['VmHWM'])}, "
             f"VmRSS after {mib(after['VmRSS'])}, sampled peak {mib(sampler.peak)} "
             f"({sampler.samples} samples), peak reset: {was_reset}")
    return [
        Row(f"server peak RSS growth, {label} upload", f"+{mib(growth)} ({how})",
            f"VmRSS before: {mib(before['VmRSS'])} (idle {mib(idle)})", ratio(peak, before["VmRSS"]),
            f"< {TARGET // 2**20} MB", growth < TARGET),
        Row(f"  {label} upload time (same run)", f"{ms(elapsed)} ({mib(size / elapsed)}/s)",
            "-", "-", "(info)"),
    ]
