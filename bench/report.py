"""Rows of the result table, number formatting and the aligned text table."""
from __future__ import annotations

import statistics
import sys
from dataclasses import dataclass

HEADERS = ("benchmark", "figure", "baseline", "ratio", "target", "met?")


@dataclass
class Row:
    name: str
    figure: str
    baseline: str = "-"
    ratio: str = "-"
    target: str = "-"
    #: True / False when there is a target, None when the row is informational.
    met: bool | None = None

    def cells(self) -> tuple[str, ...]:
        met = "-" if self.met is None else ("yes" if self.met else "NO")
        return (self.name, self.figure, self.baseline, self.ratio, self.target, met)


def table(rows: list[Row]) -> str:
    lines = [HEADERS] + [row.cells() for row in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(HEADERS))]

    def render(cells) -> str:
        # Text left-aligned, numbers (figure, ratio) right-aligned would misalign units;
        # everything left-aligned reads best with mixed units.
        return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths)).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([render(HEADERS), rule] + [render(cells) for cells in lines[1:]])


def progress(message: str) -> None:
    """Progress goes to stderr, so stdout holds only the header and the table."""
    print(f"  .. {message}", file=sys.stderr, flush=True)


def median(values: list[float]) -> float:
    return statistics.median(values)


def ms(seconds: float) -> str:
    value = seconds * 1000
    if value < 10:
        return f"{value:.2f} ms"
    if value < 100:
        return f"{value:.1f} ms"
    return f"{value:.0f} ms"


def ratio(value: float, base: float) -> str:
    if base <= 0:
        return "-"
    return f"{value / base:.2f}x"


def mib(n_bytes: float) -> str:
    return f"{n_bytes / 2**20:.1f} MB"


def count(n: int) -> str:
    return f"{n:,}"


def spread(values: list[float]) -> str:
    """min..max of timings, for the progress log."""
    return f"min {ms(min(values))}, max {ms(max(values))}, n={len(values)}"
