"""Pair each target of a plan year with the result the next year's report gives for it.

Targets are the earlier report's figures of its plan year (``period == "plan_year"``): the
headline targets first (with those stated without a figure), then every other target the
later report gives a result for. Results are the later report's achievements of the year
before it (``period == "last_year"``): five-year figures (年均, 累计, 过去五年, 十四五) and the
later report's own targets never count; which result answers a target is
:mod:`duban.review.results`' (names compared by :mod:`duban.review.naming`); a result in words
only ("超额完成全年目标任务", "国际收支基本平衡") is :mod:`duban.review.in_words`'. The verdict is
``rules.judge``'s, then weighed (:mod:`duban.review.weighing`: a target set against the economy's
growth, a growth target answered only by the year's level, real growth against a nominal rate)
and here (a narrower result below its target).
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cache
from pathlib import Path

from duban.reading.metrics import Metric, unit_family, vocabulary
from duban.reading.model import Plan, Quantity, TextTarget
from duban.review.in_words import ReviewClauses, said_done, state_reached
from duban.review.model import Actual, Promise, Target
from duban.review.naming import (
    core,
    other_scope,
    short_name,
)
from duban.review.results import SUB_SCOPES, Results, TargetItem, best_result, level_growth
from duban.review.rules import Rules, judge, on_target_scale, rules
from duban.review.weighing import deflated, from_levels, in_step, real_against_nominal

_PLACE_ENDS = ("省", "市", "自治区", "州", "盟", "县", "区", "旗")
_CAP_WORDS = re.compile("以内|以下|不超过|不高于")  # 涨幅控制在3%以内 is a cap, 涨幅3%左右 an aim both ways


class ReviewError(ValueError):
    """Two reports that cannot be reviewed as a plan and its next year's report."""


def place_of(plan: Plan) -> str:
    """The place: the folder the report was read from when it names one (archive/city/黔东南苗族
    侗族自治州/2023.md, whose text says 黔东南州), else the place the text names."""
    folder = Path(plan.source).parent.name if plan.source and not plan.source.startswith("<") else ""
    if len(folder) >= 2 and folder.endswith(_PLACE_ENDS):
        return folder
    return plan.place


def check_pair(earlier: Plan, later: Plan) -> None:
    """Raise ReviewError unless ``later`` is the next year's report of the same place."""
    if earlier.checksum == later.checksum:
        raise ReviewError(f"{later.source}: 与 {earlier.source} 是同一份报告")
    for plan in (earlier, later):
        if plan.year is None:
            raise ReviewError(f"{plan.source}: 认不出报告年度，不是政府工作报告？")
        if not plan.quantities:
            raise ReviewError(f"{plan.source}: 没有读到任何指标，不是政府工作报告？")
    a, b = place_of(earlier), place_of(later)
    if a and b and not same_place(a, b):
        raise ReviewError(f"{later.source}: 地区（{b}）与 {earlier.source}（{a}）不同")
    assert earlier.year is not None and later.year is not None
    if later.year != earlier.year + 1:
        raise ReviewError(
            f"{later.source}: 年度 {later.year} 不是 {earlier.source}（{earlier.year}）的下一年"
        )


def same_place(a: str, b: str) -> bool:
    """黔东南州 and 黔东南苗族侗族自治州 are one place: the short name without 州/市 begins the long one."""
    short, long = sorted((a, b), key=len)
    stem = short.rstrip("州市省盟区县")
    return a == b or (len(stem) >= 2 and long.startswith(stem) and long[-1] == short[-1])


def _standard_name(t: TargetItem, metric: Metric | None, *, national: bool = False) -> str:
    """The vocabulary's name with the target's scope (城镇居民人均可支配收入), else a short name."""
    if metric is None or isinstance(t.item, TextTarget):  # a target in words keeps its words
        return short_name(t.item.metric)
    scope = t.item.scope
    words = core(t.item.metric)
    if metric.id == "gdp" and words == "国内生产总值":  # a province's or a city's (1990s wording) is
        return words if national else metric.name  # its 地区生产总值; the country's is 国内生产总值
    if (
        not scope
        and metric.name not in words
        and any(
            words.endswith(n)
            and len(words) - len(n) >= 2
            and words[: -len(n)] not in vocabulary().neutral_heads  # 全社会研发…: the indicator
            for n in metric.names
        )
    ):
        return words  # a narrower thing than the indicator keeps its name: 人工造林 (营造林)
    name = next((n for w, n in metric.named.items() if w in words), metric.name)  # 农民人均纯收入
    if scope in SUB_SCOPES or scope == "城乡":
        return scope + name
    return f"{name}（{scope}）" if scope else name


def _indicator(t: TargetItem) -> bool:
    """A target an office tracks even without a result: a vocabulary indicator or a rate or share."""
    return t.item.metric_id is not None or (t.value is not None and unit_family(t.unit) == "percent")


def _target_items(plan: Plan) -> list[TargetItem]:
    """The plan year's targets, headline first (in text order), without repeats."""
    items: list[Quantity | TextTarget] = [q for q in plan.quantities if q.kind == "target"]
    items += plan.text_targets
    items = [q for q in items if q.period == "plan_year"]
    items.sort(key=lambda q: (not q.headline, q.start))
    seen: set[tuple[str, float | None, str]] = set()
    out = []
    for q in items:
        t = TargetItem(q)
        key = (q.metric, t.value, t.unit)
        if key not in seen:
            seen.add(key)
            out.append(t)
    return out


def _town_and_country(targets: list[TargetItem], results: Results) -> list[TargetItem]:
    """A target for 城乡 with a figure (城乡居民收入均增长12%左右) is two promises, one for 城镇 and one
    for 农村, where the later report gives the two results apart (as a reader weighs it)."""
    out = []
    for t in targets:
        q = t.item
        metric = vocabulary().metrics.get(q.metric_id or "")
        if isinstance(q, Quantity) and q.scope == "城乡" and q.value is not None and metric and metric.scoped:
            scopes = {r.scope for r in results.candidates(t) if r.metric_id == q.metric_id}
            if {"城镇", "农村"} <= scopes:
                out += [TargetItem(replace(q, scope="城镇")), TargetItem(replace(q, scope="农村"))]
                continue
        out.append(t)
    return out


def promises(earlier: Plan, later: Plan, *, rule_set: Rules | None = None) -> list[Promise]:
    """One Promise per target of ``earlier`` (headline first) with the result ``later`` gives."""
    check_pair(earlier, later)
    r = rule_set or rules()
    assert earlier.year is not None
    results, before = Results.of(later), cache(lambda: Results.of(earlier))
    place = place_of(earlier) or place_of(later)
    said = ReviewClauses.of(later, r)
    out: list[Promise] = []
    for t in _town_and_country(_target_items(earlier), results):
        metric = vocabulary().metrics.get(t.item.metric_id or "")
        found = best_result(t, results)
        actual: Actual | None = None
        share_of_plan, comparable, factor = False, True, 1.0
        if found is not None:
            q, unit_rank = found
            actual = Actual(value=q.value, unit=q.unit, quote=q.quote, line=q.line, change=q.change)
            share_of_plan, comparable = q.measure == "share_of_plan", unit_rank < 2
            if metric and unit_rank == 1:
                factor = metric.convert.get(q.unit, 1.0)
        else:
            actual = said_done(t.item, metric, said, r) or state_reached(t.item, said)
        if actual is None and not (t.item.headline or _indicator(t)):
            continue
        target = Target(
            value=t.value,
            value_high=t.item.value_high if isinstance(t.item, Quantity) else None,
            unit=t.unit,
            bound=t.item.bound,
            quote=t.item.quote,
            line=t.item.line,
            change=t.change,
        )
        verdict, reason = judge(
            target,
            actual,
            cap=bool(metric and metric.cap),
            ambiguous=bool(metric and metric.ambiguous and not _CAP_WORDS.search(target.quote)),
            share_of_plan=share_of_plan,
            comparable=comparable,
            factor=factor,
            r=r,
        )
        if (in_steps := in_step(target, actual, results, r)) is not None:
            verdict, reason = in_steps
        elif actual is None and (levels := level_growth(t, results, before)) is not None:
            actual, (verdict, reason) = from_levels(target, metric, *levels, r)
        if verdict == "met" and found is not None and real_against_nominal(t.item, found[0]):
            # 实际增长7% against 增长9%: met once the year's prices are taken off, else a person weighs it
            verdict, reason = deflated(target, actual, results, r) or ("ambiguous", r.reasons["real"])
        if verdict == "missed" and found is not None and other_scope(t.item.metric, found[0].metric):
            verdict = "ambiguous"  # 公共停车泊位5312个 may be part of the 新增停车泊位2万个 planned
            reason = r.reasons["scope"].format(actual_metric=found[0].metric, target_metric=t.item.metric)
        out.append(
            Promise(
                place=place,
                year=earlier.year,
                metric=_standard_name(t, metric, national=place == "国务院"),
                metric_id=t.item.metric_id,
                headline=t.item.headline,
                target=target,
                actual=on_target_scale(target, actual, r),
                verdict=verdict,
                reason=reason,
                metric_words=t.item.metric,
                scope=t.item.scope,
            )
        )
    return out
