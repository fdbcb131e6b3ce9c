"""A place's record as panels: one metric's targets and results by year.

Pure: takes promises of several plan years (from :func:`duban.review.promises`, a series or the
store) and lays them out metric × year — the headline metrics and any metric reviewed in two
years or more. The CLI prints the table (``duban review series``); the console draws each
panel as a chart.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from duban.review.model import Promise


def metric_years(rows: Iterable[Promise]) -> dict[str, dict[int, Promise]]:
    """Metric → year → promise: the headline metrics and any metric reviewed in two years or more."""
    table: dict[str, dict[int, Promise]] = {}
    headline: set[str] = set()
    for p in rows:
        table.setdefault(p.metric, {}).setdefault(p.year, p)
        if p.headline:
            headline.add(p.metric)
    return {m: years for m, years in table.items() if m in headline or len(years) >= 2}


@dataclass
class Panel:
    """Targets and results of one metric across years, as the page's chart script reads them."""

    metric: str
    unit: str
    headline: bool
    years: list[int] = field(default_factory=list)
    targets: list[float | None] = field(default_factory=list)
    actuals: list[float | None] = field(default_factory=list)
    verdicts: list[str] = field(default_factory=list)

    def as_chart(self) -> dict[str, object]:
        """The JSON the page's chart script reads."""
        return {
            "metric": self.metric,
            "unit": self.unit,
            "years": self.years,
            "targets": self.targets,
            "actuals": self.actuals,
            "verdicts": self.verdicts,
        }


def panels(rows: Iterable[Promise]) -> list[Panel]:
    """One panel per metric of :func:`metric_years`, headline metrics first, then the longest series.

    >>> from duban.review.model import Target, Actual
    >>> def p(y, v, a):
    ...     t = Target(value=v, value_high=None, unit="%", bound="about", quote="")
    ...     return Promise("示例市", y, "地区生产总值", "gdp", True, t, Actual(a, "%", ""), "met", "")
    >>> [(x.metric, x.years, x.targets, x.actuals) for x in panels([p(2023, 6.5, 7.0), p(2022, 6.0, 5.5)])]
    [('地区生产总值', [2022, 2023], [6.0, 6.5], [5.5, 7.0])]
    """
    out: list[Panel] = []
    for metric, years in metric_years(rows).items():
        first = years[min(years)]
        panel = Panel(metric=metric, unit=first.target.unit, headline=any(p.headline for p in years.values()))
        for year in sorted(years):
            p = years[year]
            if p.target.unit != panel.unit:
                continue  # a year that states the metric in another unit does not share the axis
            panel.years.append(year)
            panel.targets.append(p.target.value)
            panel.actuals.append(p.actual.value if p.actual else None)
            panel.verdicts.append(p.verdict)
        out.append(panel)
    out.sort(key=lambda x: (not x.headline, -len(x.years), x.metric))
    return out
