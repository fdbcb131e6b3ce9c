"""A place's record as panels: one metric's target and result by year.

Pure: takes the promises of several plan years (from :func:`duban.review.promises` or the
store) and lays them out per metric, in the order a reader expects (headline metrics first,
then by how many years they span). The console draws each panel as a chart.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from duban.review.model import Promise


@dataclass
class Panel:
    """Target and result of one metric across years (None where a year has none)."""

    key: str  # metric_id, or the metric's words when it has none
    metric: str
    unit: str
    headline: bool
    years: list[int] = field(default_factory=list)
    targets: list[float | None] = field(default_factory=list)
    actuals: list[float | None] = field(default_factory=list)
    verdicts: list[str | None] = field(default_factory=list)

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


def panels(by_year: Mapping[int, Sequence[Promise]], *, min_years: int = 1) -> list[Panel]:
    """One panel per metric (and unit) found in the years given.

    >>> from duban.review.model import Target, Actual
    >>> def p(y, v, a):
    ...     t = Target(value=v, value_high=None, unit="%", bound="about", quote="")
    ...     return Promise("示例市", y, "地区生产总值", "gdp", True, t, Actual(a, "%", ""), "met", "")
    >>> [(x.key, x.years, x.targets, x.actuals) for x in panels({2022: [p(2022, 6.0, 5.5)], 2023: [p(2023, 6.5, 7.0)]})]
    [('gdp', [2022, 2023], [6.0, 6.5], [5.5, 7.0])]
    """
    found: dict[tuple[str, str], dict[int, Promise]] = defaultdict(dict)
    first: dict[tuple[str, str], Promise] = {}
    for year in sorted(by_year):
        for promise in by_year[year]:
            key = (promise.metric_id or promise.metric, promise.target.unit)
            found[key].setdefault(year, promise)
            first.setdefault(key, promise)
    out: list[Panel] = []
    for key, years in found.items():
        if len(years) < min_years:
            continue
        head = first[key]
        panel = Panel(
            key=key[0], metric=head.metric, unit=key[1], headline=any(p.headline for p in years.values())
        )
        for year in sorted(years):
            p = years[year]
            panel.years.append(year)
            panel.targets.append(p.target.value)
            panel.actuals.append(p.actual.value if p.actual else None)
            panel.verdicts.append(p.verdict)
        out.append(panel)
    out.sort(key=lambda x: (not x.headline, -len(x.years), x.key))
    return out
