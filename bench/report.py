"""One line per measurement: rate, baseline rate, ratio, and the goal it is judged against."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Result:
    name: str
    count: int
    seconds: float
    baseline_name: str | None = None
    baseline_seconds: float | None = None
    goal: str = ""

    @property
    def rate(self) -> float:
        return self.count / self.seconds

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
