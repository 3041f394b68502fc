"""Password logins under a flood of wrong passwords.

A legitimate client sends HTTP Basic with admin's right password on every request (one
keep-alive connection, sequential GETs of the root listing). Baseline: its p50 alone.
Figure: its p50 while four other connections send wrong passwords for admin as fast as the
server answers them (at least 32 a second). Remembered logins and the failed-login throttle
(app/logins.py) keep the flood from costing scrypt on every request.
"""
from __future__ import annotations

import base64
import threading
import time
from pathlib import Path

from .report import Row, median, ms, progress, ratio
from .server import API, Client, Server

TARGET = 2.0
FLOODERS = 4


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def timed_gets(client: Client, headers: dict[str, str], count: int) -> list[float]:
    times = []
    for _ in range(count):
        started = time.perf_counter()
        client.request("GET", API + ".json", headers=headers, expect=[200])
        times.append(time.perf_counter() - started)
    return times


def run(workdir: Path, quick: bool) -> list[Row]:
    count = 100 if quick else 400
    with Server(workdir, "logins") as server:
        right = basic("admin", server.password)
        wrong = basic("admin", "not the password")
        with server.client() as client:
            timed_gets(client, right, 20)  # warm-up; admin's login is remembered from here
            alone = timed_gets(client, right, count)
            stop = threading.Event()
            sent = [0] * FLOODERS

            def flood(index: int) -> None:
                with server.client() as attacker:
                    while not stop.is_set():
                        attacker.request("GET", API + ".json", headers=wrong, expect=[401, 429])
                        sent[index] += 1

            threads = [threading.Thread(target=flood, args=(i,), daemon=True)
                       for i in range(FLOODERS)]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            during = timed_gets(client, right, count)
            elapsed = time.perf_counter() - started
            stop.set()
            for thread in threads:
                thread.join(timeout=30)
    rate = sum(sent) / elapsed
    progress(f"logins: flood of {sum(sent)} wrong logins in {elapsed:.1f} s ({rate:.0f}/s)")
    alone_p50, during_p50 = median(alone), median(during)
    return [Row(f"Basic-auth client p50 during a wrong-password flood ({rate:.0f}/s)",
                ms(during_p50), f"alone: {ms(alone_p50)}", ratio(during_p50, alone_p50),
                f"<= {TARGET:.0f}x", during_p50 / alone_p50 <= TARGET)]
