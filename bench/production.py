"""Slow clients against the production set-up, ``gunicorn -c python:app.gunicorn_conf``.

Four questions, each asked of a fresh server:

1. **Are others answered while slow clients hold connections?** 30 connections send a
   request line and then one byte of a header every second, never finishing their headers,
   and 4 raw-body uploads (``Content-Length`` 1 GiB, Bearer token) send 8 KiB every 0.1 s
   (80 KB/s). Two seconds after they start, a probe — a new connection, ``GET /api.json``
   with a Bearer token — starts every 0.5 s, each waiting up to 5 s for its answer.
   Baseline: the same probes against the same set-up with no slow clients, in the same run.
   The same attack against gunicorn's defaults (``sync`` workers, ``-w 4``: the README's
   earlier command) shows what the configuration changes, and as many slow-header
   connections as the configuration takes in all (``workers × worker_connections``) shows
   where it stops helping.
2. **Does a long, slow but steady upload complete?** A raw POST of 2 GiB paced at
   16 MiB/s (about 130 s, four times gunicorn's 30 s worker timeout), streamed from a
   generator; figure: its duration and status, against the pacing alone (size / rate).
   Probes run during it too. Against gunicorn's defaults the same upload is cut when the
   worker timeout kills the worker serving it.
3. **Does memory stay flat during it?** The peak RSS of the master and all workers together
   (each process's ``VmHWM`` after a reset, summed) against their RSS before.
4. **What does gunicorn cost a fast upload?** 100 MiB raw POSTs from a file to the
   production set-up and to Flask's development server (what the ``upload`` benchmark
   measures), alternating, median of 5 after a warm-up round.

``--quick`` runs gunicorn with ``--timeout 5`` (both set-ups), 10 probes, uploads
80 MiB at 8 MiB/s (10 s, twice the timeout), and 10 MiB in question 4.
"""
from __future__ import annotations

import http.client
import os
import socket
import threading
import time
from pathlib import Path
from typing import Iterator

from app import gunicorn_conf as conf

from .memory import numbered_chunks
from .report import Row, median, mib, ms, progress, ratio, spread
from .server import BenchError, Server, file_chunks, proc_status, reset_peak_rss
from .upload import make_source

PRODUCTION = ["-c", "python:app.gunicorn_conf", "--access-logfile", "/dev/null"]
#: gunicorn's defaults, as the README's earlier `gunicorn -w 4 'app:create_app()'`.
DEFAULTS = ["-w", "4", "app:create_app()"]

SLOW_HEADERS = 30
SLOW_UPLOADS = 4
UPLOAD_CHUNK = 8 * 1024  # per slow upload every TICK: 80 KB/s
TICK = 0.1
PROBE_INTERVAL = 0.5
PROBE_TIMEOUT = 5.0
TARGET_SECONDS = 1.0
MEMORY_TARGET = 50 * 2**20


class SlowClients(threading.Thread):
    """Holds ``headers`` connections that trickle their headers and ``uploads`` that trickle
    their bodies, from one thread with non-blocking sockets, until ``stop()``."""

    def __init__(self, port: int, token: str, headers: int, uploads: int) -> None:
        super().__init__(daemon=True)
        self.port, self.token = port, token
        self.n_headers, self.n_uploads = headers, uploads
        self.header_socks: list[socket.socket] = []
        self.upload_socks: list[socket.socket] = []
        self.sent_header_bytes = 0
        self.sent_body_bytes = 0
        self.dropped = 0  # connections the server closed
        self.done = threading.Event()

    def _connect(self, head: bytes) -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        sock.sendall(head)
        sock.setblocking(False)
        return sock

    def run(self) -> None:
        for _ in range(self.n_headers):
            self.header_socks.append(self._connect(
                b"GET /api.json HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "))
        for i in range(self.n_uploads):
            self.upload_socks.append(self._connect(
                f"POST /api/assets/slow-{i}.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Authorization: Bearer {self.token}\r\n"
                f"Content-Type: application/octet-stream\r\nContent-Length: {2**30}\r\n\r\n"
                .encode()))
        chunk = os.urandom(UPLOAD_CHUNK)
        ticks = 0
        while not self.done.wait(TICK):
            ticks += 1
            for sock in self.upload_socks:
                self.sent_body_bytes += self._send(sock, chunk)
            if ticks % round(1 / TICK) == 0:
                for sock in self.header_socks:
                    self.sent_header_bytes += self._send(sock, b"a")

    def _send(self, sock: socket.socket, data: bytes) -> int:
        try:
            return sock.send(data)
        except BlockingIOError:  # the server is not reading: its buffers are full
            return 0
        except OSError:
            self.dropped += 1
            return 0

    def stop(self) -> None:
        self.done.set()
        self.join(10)
        for sock in self.header_socks + self.upload_socks:
            sock.close()


def probe(port: int, token: str) -> float | None:
    """Seconds to a complete ``200`` for ``GET /api.json`` on a new connection; None when
    there was none within PROBE_TIMEOUT."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=PROBE_TIMEOUT)
    try:
        conn.request("GET", "/api.json", headers={"Authorization": f"Bearer {token}"})
        response = conn.getresponse()
        response.read()
        elapsed = time.perf_counter() - started
        return elapsed if response.status == 200 and elapsed <= PROBE_TIMEOUT else None
    except OSError:
        return None
    finally:
        conn.close()


def probe_round(server: Server, n: int) -> list[float | None]:
    """``n`` probes, one starting every PROBE_INTERVAL, each on its own thread."""
    results: list[float | None] = [None] * n

    def one(i: int) -> None:
        results[i] = probe(server.port, server.token)

    threads = []
    for i in range(n):
        thread = threading.Thread(target=one, args=(i,), daemon=True)
        thread.start()
        threads.append(thread)
        time.sleep(PROBE_INTERVAL)
    for thread in threads:
        thread.join(PROBE_TIMEOUT + 5)
    return results


def describe(results: list[float | None]) -> str:
    answered = [r for r in results if r is not None]
    text = f"{len(answered)} of {len(results)} answered"
    if answered:
        text += f", max {ms(max(answered))}, median {ms(median(answered))}"
    return text


def median_ratio(results: list[float | None], baseline: list[float | None]) -> str:
    answered = [r for r in results if r is not None]
    base = [r for r in baseline if r is not None]
    if not answered or not base:
        return "-"
    return f"{median(answered) / median(base):.2f}x median"


def all_within(results: list[float | None], seconds: float) -> bool:
    return all(r is not None and r <= seconds for r in results)


def under_slow_clients(server: Server, n_probes: int, headers: int = SLOW_HEADERS,
                       uploads: int = SLOW_UPLOADS) -> tuple[list[float | None], SlowClients]:
    attack = SlowClients(server.port, server.token, headers, uploads)
    attack.start()
    try:
        time.sleep(2.0)  # every connection open and trickling
        return probe_round(server, n_probes), attack
    finally:
        attack.stop()


def paced_chunks(size: int, rate: float) -> Iterator[bytes]:
    """``size`` bytes (see memory.numbered_chunks) at no more than ``rate`` bytes/s."""
    started = time.perf_counter()
    sent = 0
    for chunk in numbered_chunks(size):
        ahead = started + sent / rate - time.perf_counter()
        if ahead > 0:
            time.sleep(ahead)
        yield chunk
        sent += len(chunk)


def slow_upload(server: Server, size: int, rate: float) -> tuple[int | None, float, str]:
    """(status or None when cut, seconds, what happened) of one paced raw POST."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    try:
        conn.request("POST", "/api/assets/steady.bin", body=paced_chunks(size, rate),
                     headers={"Authorization": f"Bearer {server.token}",
                              "Content-Type": "application/octet-stream",
                              "Content-Length": str(size)})
        response = conn.getresponse()
        body = response.read()
        detail = "" if response.status == 201 else body[:80].decode(errors="replace")
        return response.status, time.perf_counter() - started, detail
    except OSError as error:
        return None, time.perf_counter() - started, f"{type(error).__name__}"
    finally:
        conn.close()


def processes(server: Server) -> list[int]:
    return [server.pid, *server.children()]


def rss_sum(pids: list[int], key: str) -> int:
    total = 0
    for pid in pids:
        try:
            total += proc_status(pid)[key]
        except (OSError, KeyError):
            pass
    return total


def run(workdir: Path, quick: bool) -> list[Row]:
    n_probes = 10 if quick else 12
    size, rate = (80 * 2**20, 8 * 2**20) if quick else (2 * 2**30, 16 * 2**20)
    timeout = ["--timeout", "5"] if quick else []
    timeout_s = 5 if quick else 30
    label = f"{size // 2**20} MiB" if size < 2**30 else f"{size // 2**30} GiB"
    rows: list[Row] = []
    attack_label = f"{SLOW_HEADERS} slow-header conns + {SLOW_UPLOADS} slow uploads"

    with Server(workdir, "prod-idle", PRODUCTION + timeout) as server:
        progress("production: probes, idle")
        idle = probe_round(server, n_probes)
        progress(f"production: idle probes {describe(idle)}")
        progress("production: probes under slow clients")
        attacked, attack = under_slow_clients(server, n_probes)
        progress(f"production: probes under attack {describe(attacked)}; slow clients sent "
                 f"{attack.sent_header_bytes} header bytes, {mib(attack.sent_body_bytes)} of "
                 f"bodies, {attack.dropped} dropped by the server")
        limit = conf.workers * conf.worker_connections
        progress(f"production: probes under {limit} slow-header connections (the limit)")
        beyond, _ = under_slow_clients(server, n_probes, headers=limit, uploads=0)
        progress(f"production: probes at the limit {describe(beyond)}")
    idle_text = f"idle: {describe(idle)}"
    rows.append(Row(f"probes during {attack_label}", describe(attacked), idle_text,
                    median_ratio(attacked, idle), f"all <= {TARGET_SECONDS:.0f} s",
                    all_within(attacked, TARGET_SECONDS)))

    rows.append(Row(f"  same, {limit} slow-header conns (the limit: {conf.workers} workers x "
                    f"{conf.worker_connections})", describe(beyond), "-", "-", "(info)"))

    with Server(workdir, "defaults", DEFAULTS + timeout) as server:
        progress("gunicorn defaults: probes under slow clients")
        old, _ = under_slow_clients(server, n_probes)
        progress(f"gunicorn defaults: {describe(old)}")
    rows.append(Row(f"  same, gunicorn defaults (sync, -w 4)", describe(old), "-", "-",
                    "(info)"))

    with Server(workdir, "prod-upload", PRODUCTION + timeout) as server:
        pids = processes(server)
        was_reset = all(reset_peak_rss(pid) for pid in pids)
        before = rss_sum(pids, "VmRSS")
        result: dict[str, object] = {}
        uploader = threading.Thread(
            target=lambda: result.update(zip(("status", "seconds", "detail"),
                                             slow_upload(server, size, rate))), daemon=True)
        progress(f"production: {label} at {mib(rate)}/s")
        uploader.start()
        time.sleep(min(size / rate / 3, 20))
        during = probe_round(server, n_probes)
        uploader.join()
        peak = rss_sum(pids, "VmHWM")
        stored, _ = server.blob_bytes()
        if result.get("status") == 201 and stored < size:
            raise BenchError(f"only {stored} bytes stored after a {size}-byte upload")
        progress(f"production: upload {result}, probes during it {describe(during)}, "
                 f"RSS before {mib(before)}, peak {mib(peak)} (reset: {was_reset})")
    pacing = size / rate
    status, seconds = result.get("status"), float(result.get("seconds", 0))
    rows.append(Row(f"{label} upload paced at {mib(rate)}/s", f"{status or 'cut'} after "
                    f"{seconds:.1f} s", f"pacing alone: {pacing:.1f} s", f"{seconds / pacing:.2f}x",
                    f"201 (> {timeout_s} s timeout)", status == 201))
    rows.append(Row("  probes during it", describe(during), idle_text, median_ratio(during, idle),
                    f"all <= {TARGET_SECONDS:.0f} s", all_within(during, TARGET_SECONDS)))
    rows.append(Row("  peak RSS growth, master + workers", f"+{mib(peak - before)}",
                    f"RSS before: {mib(before)} ({len(pids)} processes)", f"{peak / before:.2f}x",
                    f"< {MEMORY_TARGET // 2**20} MB", was_reset and peak - before < MEMORY_TARGET))

    with Server(workdir, "defaults-upload", DEFAULTS + timeout) as server:
        progress(f"gunicorn defaults: {label} at {mib(rate)}/s (until cut)")
        status, seconds, detail = slow_upload(server, size, rate)
    rows.append(Row("  same, gunicorn defaults (sync, -w 4)",
                    f"{status or 'cut'} after {seconds:.1f} s {detail[:40]!r}".rstrip(),
                    f"pacing alone: {pacing:.1f} s", f"{seconds / pacing:.2f}x", "(info)"))
    rows += upload_speed(workdir, quick)
    return rows


def upload_speed(workdir: Path, quick: bool) -> list[Row]:
    """The same raw uploads to the production set-up and to Flask's development server
    (which the ``upload`` benchmark measures), alternating, median of 5."""
    size = (10 if quick else 100) * 2**20
    times: dict[str, list[float]] = {"production": [], "flask": []}
    with Server(workdir, "speed-prod", PRODUCTION) as prod, Server(workdir, "speed-dev") as dev:
        source = prod.dir / "source.bin"
        make_source(source, size)
        with prod.client() as to_prod, dev.client() as to_dev:
            for i in range(6):  # the first round warms up
                for name, client in (("production", to_prod), ("flask", to_dev)):
                    started = time.perf_counter()
                    client.upload((f"speed-{i}.bin",), file_chunks(source), size)
                    if i:
                        times[name].append(time.perf_counter() - started)
    progress(f"upload speed: production {spread(times['production'])}, "
             f"flask {spread(times['flask'])}")
    prod_s, dev_s = median(times["production"]), median(times["flask"])
    return [Row(f"upload {size // 2**20} MB (raw POST) to the production set-up, median of 5",
                f"{ms(prod_s)} ({mib(size / prod_s)}/s)",
                f"Flask's server: {ms(dev_s)} ({mib(size / dev_s)}/s)", ratio(prod_s, dev_s),
                "(info)")]
