"""``python -m bench [upload] [listing] [transfer] [memory] [emporix] [renditions] [logins]
[production] [--quick] [--workdir DIR]``."""
from __future__ import annotations

import argparse
import datetime
import os
import platform
import shutil
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path

from . import BENCHMARKS
from .report import Row, table


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        memory_kb = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                             if line.startswith("MemTotal")))
        memory = f"{memory_kb / 2**20:.0f} GB RAM"
    except (OSError, StopIteration, ValueError):
        memory = "? RAM"
    return (f"{model}, {os.cpu_count()} cores, {memory}; Linux {platform.release()}; "
            f"Python {platform.python_version()}")


def load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3]) + " (1, 5, 15 min)"
    except OSError:
        return "?"


def filesystem_of(path: Path) -> str:
    best, found = "", "?"
    try:
        for line in Path("/proc/mounts").read_text().splitlines():
            device, mount, fstype, *_ = line.split()
            if str(path).startswith(mount.rstrip("/") + "/") or str(path) == mount:
                if len(mount) >= len(best):
                    best, found = mount, f"{fstype} on {device} (mounted at {mount})"
    except OSError:
        pass
    return found


def _terminate(signum, _frame) -> None:
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmarks of the asset server; prints a table of figures and ratios "
                    "against baselines measured in the same run.",
    )
    parser.add_argument("benchmarks", nargs="*", metavar="BENCHMARK",
                        help=f"which to run: {', '.join(BENCHMARKS)} (default: all)")
    parser.add_argument("--quick", action="store_true",
                        help="smaller sizes (10 MB upload, 10k children, 1k descendants, "
                             "100 MB memory upload): a smoke run of about 20 s")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()),
                        help="where the temporary instance folders go (default: %(default)s); "
                             "the upload baseline writes to the same filesystem")
    args = parser.parse_args(argv)
    unknown = [name for name in args.benchmarks if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    selected = [name for name in BENCHMARKS if name in args.benchmarks] or list(BENCHMARKS)

    # A SIGTERM (e.g. from `timeout`) unwinds like Ctrl-C, so servers and temp dirs go too.
    signal.signal(signal.SIGTERM, _terminate)
    workdir = Path(tempfile.mkdtemp(prefix="asset-bench-", dir=args.workdir)).resolve()
    started = time.perf_counter()
    stamp = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    print(f"asset-server benchmarks, {stamp}{' (--quick)' if args.quick else ''}")
    print(f"machine: {machine()}")
    print(f"workdir: {workdir} ({filesystem_of(workdir)})")
    print(f"load average at start: {load()}")
    print(flush=True)
    rows: list[Row] = []
    try:
        for name in selected:
            print(f"running {name} ...", file=sys.stderr, flush=True)
            t0 = time.perf_counter()
            module = __import__(f"bench.{name}", fromlist=["run"])
            try:
                rows += module.run(workdir, args.quick)
            except Exception as error:  # one failed benchmark must not hide the others
                traceback.print_exc()
                rows.append(Row(f"{name}: FAILED", f"{type(error).__name__}: {error}"[:160]))
            print(f"  {name} took {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(table(rows))
    print(f"\ntotal {time.perf_counter() - started:.0f} s; load average at end: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
