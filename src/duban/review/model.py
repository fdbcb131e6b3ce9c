"""The records a review produces: a promise (a target of the plan year) and its result.

Fields follow ``shared/gold/README.md`` ("Promises and results"): ``target`` comes from the
plan-year report, ``actual`` from the next year's report (or ``None`` when it gives no result
for that year), ``verdict`` is met / missed / unverifiable / ambiguous and ``reason`` says why
in words. Plain values, no database, no web.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Verdict = Literal["met", "missed", "unverifiable", "ambiguous"]
VERDICTS: tuple[Verdict, ...] = ("met", "missed", "unverifiable", "ambiguous")
VERDICT_LABELS: dict[str, str] = {
    "met": "已实现",
    "missed": "未实现",
    "unverifiable": "无法核实",
    "ambiguous": "待研判",
}


@dataclass(frozen=True)
class Target:
    """What the plan-year report committed to; ``value`` is None for a target without a figure."""

    value: float | None
    value_high: float | None
    unit: str
    bound: str  # about | at_least | at_most | exact
    quote: str
    line: int | None = None
    change: str | None = None  # 增长 / 下降 …: the value is a change in that direction


@dataclass(frozen=True)
class Actual:
    """What the next report says was reached; ``value`` is None for "完成/超额完成" without a figure."""

    value: float | None
    unit: str
    quote: str
    line: int | None = None
    change: str | None = None  # 增长 / 下降 …: the value is a change in that direction


@dataclass(frozen=True)
class Promise:
    """One target of a plan year with its result and verdict."""

    place: str
    year: int
    metric: str  # the vocabulary's standard name where it knows the metric, else the report's words
    metric_id: str | None  # the vocabulary's canonical id, e.g. "gdp"
    headline: bool
    target: Target
    actual: Actual | None
    verdict: Verdict
    reason: str
    metric_words: str = ""  # the plan-year report's own words for the metric
    scope: str | None = None  # 城镇 / 农村 / 同口径 … where the target names one

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict in the gold format (``actual`` is null when there is no result)."""
        return asdict(self)
