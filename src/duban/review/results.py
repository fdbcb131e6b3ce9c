"""The later report's results and which of them answers a target.

Results are the later report's achievements of the year before it (``period == "last_year"``),
never a repeated figure. A target and a result pair when they have the same ``metric_id`` and a
compatible scope, or — outside the vocabulary — when their names name one thing
(:mod:`duban.review.naming`), and they measure the same way (:func:`unit_rank`): a share or a
rank only with its like, an addition only with an addition (a figure with no word of change or of
level is the year's addition), a unit of one family or one the vocabulary converts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from duban.reading.metrics import Metric, unit_family, vocabulary
from duban.reading.model import Plan, Quantity, TextTarget
from duban.review.naming import (
    CORE_SIMILARITY,
    MIN_SIMILARITY,
    bigrams,
    name_similarity,
    norm,
    same_count_unit,
)

_INCREMENTS = ("新增", "净增", "增加")
_LEVEL_WORDS = (
    "达到",
    "达",
    "总数",
    "总量",
    "累计",
    "突破",
    "超过",
    "保有",
    "稳定在",
    "保持",
    "规模",
    "余额",
    "总计",
)
SUB_SCOPES = frozenset(("城镇", "农村", "城市", "乡村"))


@dataclass(frozen=True)
class TargetItem:
    """A target of the plan year: a figure, or a main target in words."""

    item: Quantity | TextTarget

    @property
    def value(self) -> float | None:
        return self.item.value if isinstance(self.item, Quantity) else None

    @property
    def unit(self) -> str:
        return self.item.unit if isinstance(self.item, Quantity) else ""

    @property
    def measure(self) -> str | None:
        return self.item.measure if isinstance(self.item, Quantity) else None

    @property
    def change(self) -> str | None:
        return self.item.change if isinstance(self.item, Quantity) else None


def same_metric(t: TargetItem, r: Quantity) -> float:
    """How well a result's metric names the target's: 0 when they differ."""
    tid, rid = t.item.metric_id, r.metric_id
    if tid and rid:
        return 1.0 if tid == rid else 0.0
    voc = vocabulary().metrics
    if tid and any(n in r.metric for n in voc[tid].names):
        return 0.0  # the vocabulary saw the name and turned it down (脱贫地区农村居民人均可支配收入)
    ours = [t.item.metric] + ([voc[tid].name] if tid else [])
    theirs = [r.metric] + ([voc[rid].name] if rid else [])
    best = max(name_similarity(a, b) for a in ours for b in theirs)
    return best if best > MIN_SIMILARITY else 0.0


def scope_rank(t: TargetItem, r: Quantity) -> int | None:
    """0 same scope, 1 a compatible one (同口径 beside none), None when they differ."""
    ts, rs = t.item.scope, r.scope
    if ts == rs:
        return 0
    if ts in SUB_SCOPES or rs in SUB_SCOPES:
        return None
    return 1


def unit_rank(t: TargetItem, r: Quantity, metric: Metric | None) -> int | None:
    """0 same unit family, 1 convertible, 2 not comparable (an ambiguous result), None: not a result."""
    same_id = t.item.metric_id is not None and t.item.metric_id == r.metric_id
    # a share or rank pairs only with its like, unless the vocabulary names both (优良天数比例 ~ 天)
    if r.measure != t.measure and {r.measure, t.measure} & {"share", "rank"} and not same_id:
        return None
    if r.measure == "share_of_plan":
        return 0 if t.value is not None and unit_family(t.unit) not in ("percent", "points") else None
    if t.value is None:  # 增长与经济增长同步, 高于GDP增速: a rate speaks to it first
        return 0 if unit_family(r.unit) in ("percent", "points") else 1
    tf, rf = unit_family(t.unit), unit_family(r.unit)
    if (
        tf not in ("percent", "points")
        and (t.change in _INCREMENTS) != (r.change in _INCREMENTS)
        and not (r.change in _INCREMENTS and implied_increment(t.item))
        and not (t.change in _INCREMENTS and implied_increment(r))
    ):  # 新增市场主体20万户 is not 市场主体总量200万户, unless the vocabulary names both: weigh it
        return 2 if same_id and tf == rf else None
    if tf == rf and (tf != "count" or same_count_unit(t.unit, r.unit)):
        return 0
    if tf == rf:  # 500家 against 7.6万户: counts of different things unless the vocabulary says so
        if same_id and {t.unit, r.unit} == {"家", "户"} and "企业" in t.item.metric and "企业" in r.metric:
            return 0  # firms counted in 家 or in 户: 高新技术企业800家 ~ 1842户 (not 38万家市场主体 ~ 户)
        return 2 if same_id else None
    if metric is not None and r.unit in metric.convert:
        return 1
    if {tf, rf} & {"percent", "points", "index"} or not same_id:
        return None  # only the vocabulary's own indicator in another unit is a result to weigh
    return 2


def implied_increment(item: Quantity | TextTarget) -> bool:
    """A figure without a word of change or of level is the year's addition: 培育省级专精特新企业25家
    is answered by 新增…54家, and 新增充电桩1000个 by 建成公共充电桩1239个; 市场主体达到200万户 is a
    level."""
    change = item.change if isinstance(item, Quantity) else None
    return change is None and not any(w in item.quote for w in _LEVEL_WORDS)


_SUMMED = ("累计", "合计", "共计", "总计", "完成", "共")


def end_of_span_level(q: Quantity) -> bool:
    """A level a review of several years says an indicator reached (四年来…，地方财政一般预算收入达到
    566亿元，年均增长17.9%): where the years end, the year before the report, as a yearly figure of an
    indicator whose targets are rates; not a sum of the years (五年累计完成固定资产投资2万亿元)."""
    metric = vocabulary().metrics.get(q.metric_id or "")
    return (
        q.period == "span"
        and metric is not None
        and metric.unit == "percent"
        and q.measure == "level"
        and q.change is None
        and unit_family(q.unit) not in ("percent", "points")
        and "达" in q.quote
        and not any(w in q.quote for w in _SUMMED)
    )


@dataclass
class Results:
    """The later report's results for last year, indexed by metric id and by character pairs."""

    items: list[Quantity]
    by_id: dict[str, list[int]]
    by_gram: dict[str, list[int]]

    @classmethod
    def of(cls, later: Plan) -> Results:
        items = [
            q
            for q in later.quantities
            if q.kind == "achievement"
            and (q.period == "last_year" or end_of_span_level(q))
            and "repeated" not in q.flags
        ]
        by_id: dict[str, list[int]] = {}
        by_gram: dict[str, list[int]] = {}
        for i, q in enumerate(items):
            if q.metric_id:
                by_id.setdefault(q.metric_id, []).append(i)
            names = [q.metric] + ([vocabulary().metrics[q.metric_id].name] if q.metric_id else [])
            for g in {g for n in names for g in bigrams(norm(n))}:
                by_gram.setdefault(g, []).append(i)
        return cls(items, by_id, by_gram)

    def rates(self, metric_id: str) -> Iterator[Quantity]:
        """The later report's growth rates of one indicator of the vocabulary, in text order."""
        for i in self.by_id.get(metric_id, ()):
            if (q := self.items[i]).unit == "%" and q.measure == "growth":
                yield q

    def candidates(self, t: TargetItem) -> list[Quantity]:
        """Results that share the target's id or a character pair of its names, in text order."""
        tid = t.item.metric_id
        found = set(self.by_id.get(tid, ())) if tid else set()
        for n in [t.item.metric] + ([vocabulary().metrics[tid].name] if tid else []):
            for g in bigrams(norm(n)):
                found.update(self.by_gram.get(g, ()))
        items = (self.items[i] for i in sorted(found))
        return [q for q in items if not (tid and q.metric_id and q.metric_id != tid)]  # two ids never pair


def best_result(t: TargetItem, results: Results) -> tuple[Quantity, int] | None:
    """The best result for a target and its unit rank, or None."""
    metric = vocabulary().metrics.get(t.item.metric_id or "")
    best: tuple[tuple[int, int, float, bool, bool, int], Quantity, int] | None = None
    for r in results.candidates(t):
        scope = scope_rank(t, r)
        unit = unit_rank(t, r, metric) if scope is not None else None
        if scope is None or unit is None:
            continue
        sim = same_metric(t, r)
        if not sim:
            continue
        key = (scope, unit, -sim, r.measure != t.measure, r.change != t.change, r.start)
        if best is None or key < best[0]:
            best = (key, r, unit)
    return (best[1], best[2]) if best else None


def level_growth(
    t: TargetItem, later: Results, earlier: Callable[[], Results]
) -> tuple[Quantity, Quantity] | None:
    """A growth target the later report answers only with the year's level: that level and the
    earlier report's level of the year before, in one unit (社会消费品零售总额1907亿元 against
    1715.7亿元 for "增长18%"); the growth is worked out from them. ``earlier`` gives the earlier
    report's results, indexed only when a target needs them."""
    if t.value is None or t.unit != "%" or t.measure != "growth" or t.change not in ("增长", None):
        return None

    def level(results: Results, unit: str | None) -> Quantity | None:
        # an exact level first: 2010年达到452亿元, not the milestone 相继突破…400亿元 before it
        for q in sorted(results.candidates(t), key=lambda q: q.bound != "exact"):
            if q.measure != "level" or q.change is not None or unit_family(q.unit) in ("percent", "points"):
                continue
            if (
                (unit is None or q.unit == unit)
                and scope_rank(t, q) == 0
                and same_metric(t, q) >= CORE_SIMILARITY
            ):
                return q
        return None

    now = level(later, None)
    before = level(earlier(), now.unit) if now is not None else None
    return (now, before) if now is not None and before is not None and before.value > 0 else None
