"""What every bench module hands to the summary: rows (measure, figure, baseline, ratio, goal,
met or not). ``python -m bench`` prints them as one table and writes them to
``.local/bench/latest.json`` (see bench/README.md, "Adding a bench module").

A module returns ``list[Row]`` from its ``run``. A figure measured several times is one row
made by ``Row.of_runs`` (min/median/max kept, the goal judged on the worst run: "every run").
A goal is ``Goal(">=", 0.5, on="ratio")`` or ``Goal("<=", 20, on="figure")``; a row without a
goal is reported, not judged.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal


@dataclass(frozen=True)
class Goal:
    op: Literal[">=", "<="]
    value: float
    on: Literal["figure", "ratio"] = "figure"

    def met_by(self, figure: float, ratio: float | None) -> bool | None:
        measured = figure if self.on == "figure" else ratio
        if measured is None or measured != measured:  # no baseline, or NaN
            return None
        return measured >= self.value if self.op == ">=" else measured <= self.value

    def __str__(self) -> str:
        what = "x" if self.on == "ratio" else ""
        return f"{'ratio ' if self.on == 'ratio' else ''}{self.op} {self.value:,g}{what}"


@dataclass(frozen=True)
class Row:
    """One figure of the summary. ``figure`` and ``baseline`` are in ``unit``; the ratio is
    figure / baseline unless ``ratio`` is given (e.g. a time against a time: baseline / figure
    reads as "x as fast", or figure / baseline as "x slower": the module says which)."""

    measure: str
    figure: float
    unit: str
    baseline: float | None = None
    baseline_name: str = ""
    goal: Goal | None = None
    ratio: float | None = None
    runs: tuple[float, ...] = ()
    ratios: tuple[float, ...] = ()
    note: str = ""

    @property
    def ratio_value(self) -> float | None:
        if self.ratio is not None:
            return self.ratio
        if self.baseline:
            return self.figure / self.baseline
        return None

    @property
    def met(self) -> bool | None:
        if self.goal is None:
            return None
        if self.runs:
            # Every run must meet it: judge the worst figure (and the worst ratio).
            pairs = zip(self.runs, self._run_ratios(), strict=True)
            each = [self.goal.met_by(f, r) for f, r in pairs]
            return None if None in each else all(each)
        return self.goal.met_by(self.figure, self.ratio_value)

    def _run_ratios(self) -> list[float | None]:
        if self.ratios:
            return list(self.ratios)
        return [self.ratio_value] * len(self.runs)

    @classmethod
    def of_runs(
        cls,
        measure: str,
        figures: Sequence[float],
        unit: str,
        *,
        baselines: Sequence[float] = (),
        baseline_name: str = "",
        goal: Goal | None = None,
        note: str = "",
    ) -> Row:
        """Several runs of one measure: the figure is the median, min/median/max are shown and
        the goal must be met by every run. ``baselines`` are the same runs' baselines."""
        pairs = zip(figures, baselines, strict=True) if baselines else ()
        ratios = tuple(f / b for f, b in pairs if b)
        return cls(
            measure,
            statistics.median(figures),
            unit,
            baseline=statistics.median(baselines) if baselines else None,
            baseline_name=baseline_name,
            goal=goal,
            ratio=statistics.median(ratios) if ratios else None,
            runs=tuple(figures),
            ratios=ratios,
            note=note,
        )

    def spread(self) -> str:
        if len(self.runs) < 2:
            return ""
        low, mid, high = min(self.runs), statistics.median(self.runs), max(self.runs)
        text = f"runs: min {_num(low)} median {_num(mid)} max {_num(high)} {self.unit}"
        if self.ratios:
            text += f"; ratio {min(self.ratios):.2f}-{max(self.ratios):.2f}x"
        return text

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data["goal"] = str(self.goal) if self.goal else None
        data["ratio"] = self.ratio_value
        data["met"] = self.met
        return data


def _num(value: float | None) -> str:
    if value is None or value != value:
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def table(rows: Sequence[Row]) -> str:
    """The closing summary: one line per row."""
    head = ("measure", "figure", "baseline", "ratio", "goal", "met")
    lines = []
    for r in rows:
        ratio = r.ratio_value
        met = {True: "yes", False: "NO", None: "-"}[r.met]
        lines.append(
            (
                r.measure,
                f"{_num(r.figure)} {r.unit}",
                f"{_num(r.baseline)} {r.unit if r.baseline is not None else ''}".strip()
                + (f" ({r.baseline_name})" if r.baseline_name else ""),
                "-" if ratio is None else f"{ratio:.2f}x",
                str(r.goal) if r.goal else "-",
                met,
            )
        )
    widths = [max(len(str(x[i])) for x in [head, *lines]) for i in range(len(head))]
    widths[2] = min(widths[2], 44)
    out = ["  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True))]
    out.append("  ".join("-" * w for w in widths))
    for line, r in zip(lines, rows, strict=True):
        out.append("  ".join(str(x).ljust(w) for x, w in zip(line, widths, strict=True)))
        if r.runs and len(r.runs) > 1:
            out.append("    " + r.spread())
    return "\n".join(out)


@dataclass(frozen=True)
class Result:
    """One throughput measurement (count in seconds) against a baseline in the same run."""

    name: str
    count: int
    seconds: float
    baseline_name: str | None = None
    baseline_seconds: float | None = None
    goal: str = ""
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.count / self.seconds

    @property
    def baseline_rate(self) -> float | None:
        return self.count / self.baseline_seconds if self.baseline_seconds else None

    def line(self) -> str:
        text = f"{self.name:<28} {self.count:>8} events {self.rate:>12,.0f} events/s"
        if self.baseline_seconds is not None:
            baseline_rate = self.count / self.baseline_seconds
            text += (
                f" | baseline {self.baseline_name}: {baseline_rate:,.0f} events/s"
                f" | ratio {self.rate / baseline_rate:.2f}x"
            )
        if self.goal:
            text += f" | goal {self.goal}"
        return text


class Summary:
    """Collects what the bench modules return and closes ``make bench`` with one table.

    ``add`` takes rows (``Row`` or a list of them) or, from a module that reports a line of
    text, that line (printed now, kept in the JSON under ``lines``, listed under the table)."""

    def __init__(self) -> None:
        self.rows: list[Row] = []
        self.lines: list[str] = []

    def add(self, result: Row | Sequence[Row] | str) -> None:
        if isinstance(result, str):
            print(result, flush=True)
            self.lines.append(result)
        elif isinstance(result, Row):
            self.rows.append(result)
        else:
            self.rows.extend(result)

    def close(self, path: Path, **context: object) -> None:
        print()
        print(table(self.rows))
        for line in self.lines:
            print(f"  (text) {line[:150]}")
        document_rows = [r.to_json() for r in self.rows]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            json.dumps(
                {
                    "at": datetime.now(UTC).isoformat(timespec="seconds"),
                    **context,
                    "rows": document_rows,
                    "lines": self.lines,
                },
                indent=2,
                ensure_ascii=False,
            )
            + "\n"
        )
        print(f"written to {path}")
