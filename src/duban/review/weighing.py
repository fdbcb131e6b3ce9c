"""Verdicts weighed beyond the plain rule (:func:`duban.review.rules.judge`): a target set against
the economy's growth (收入增长与经济增长同步), a growth target the later report answers only with the
year's level, and real growth (实际增长) against a rate that does not say it is real — met once the
year's consumer prices are taken off, else a person weighs it.
"""

from __future__ import annotations

import re

from duban.reading.metrics import Metric
from duban.reading.model import Quantity, TextTarget
from duban.reading.output import human_number
from duban.review.model import Actual, Target, Verdict
from duban.review.results import Results
from duban.review.rules import Rules, judge

_IN_STEP = re.compile("经济增长|经济增速|GDP增速|生产总值增速|生产总值增长")
_REAL_WORDS = ("实际增长", "实际下降", "扣除价格因素", "剔除价格因素", "按可比价", "可比价格")


def in_step(target: Target, actual: Actual | None, results: Results, r: Rules) -> tuple[Verdict, str] | None:
    """A target set against the economy's growth (收入增长与经济增长同步, 高于GDP增速) with a growth
    result: compared with the GDP growth the later report gives, in step within the 左右 tolerance."""
    if target.value is not None or actual is None or actual.value is None or actual.unit != "%":
        return None
    if not _IN_STEP.search(target.quote):
        return None
    gdp = next(results.rates("gdp"), None)
    if gdp is None:
        return None
    faster = target.bound == "at_least"  # 高于, 快于: strictly ahead of it
    pace = Target(
        value=gdp.value, value_high=None, unit="%", bound="at_least" if faster else "about", quote=""
    )
    verdict, reason = judge(pace, actual, r=r)
    return verdict, r.reasons["in_step"].format(gdp=human_number(round(gdp.value, 2))) + "：" + reason


def from_levels(
    target: Target, metric: Metric | None, now: Quantity, before: Quantity, r: Rules
) -> tuple[Actual, tuple[Verdict, str]]:
    """The year's level as the result of a growth target, judged by the growth from last year's."""
    growth = round((now.value / before.value - 1) * 100, 1)
    worked = r.reasons["from_levels"].format(
        before=human_number(before.value) + before.unit, now=human_number(now.value) + now.unit, growth=growth
    )
    actual = Actual(value=now.value, unit=now.unit, quote=now.quote, line=now.line, change=None)
    if (metric and metric.real) or said_real(target.quote):  # a real rate: prices are not taken off
        return actual, ("ambiguous", worked + r.reasons["real"])
    verdict, reason = judge(target, Actual(value=growth, unit="%", quote="", change="增长"), r=r)
    rough = {"met": before.bound in ("at_least", "about"), "missed": now.bound in ("at_least", "about")}
    if rough.get(verdict):  # 超过1900亿元 → 2233亿元: at most 17.5 %, which settles no target above it
        return actual, ("ambiguous", worked + r.reasons["rough_levels"])
    return actual, (verdict, worked + reason)


def real_against_nominal(target: Quantity | TextTarget, result: Quantity) -> bool:
    """A target of real growth (实际增长7.5%) and a result that does not say it is real: a nominal
    rate above the target may still be under it once prices are taken off."""
    if not said_real(target.quote) or result.unit != "%" or result.change not in ("增长", None):
        return False
    return not (said_real(result.sentence) or said_real(result.quote))


def deflated(target: Target, actual: Actual | None, results: Results, r: Rules) -> tuple[Verdict, str] | None:
    """A nominal growth against a target of real growth, met once the year's consumer prices (the
    later report's CPI) are taken off; None when there is no CPI or the real growth falls short."""
    if actual is None or actual.value is None:
        return None
    cpi = next((q for q in results.rates("cpi") if q.change is not None), None)
    if cpi is None:
        return None
    prices = -cpi.value if cpi.change in r.decline_changes else cpi.value
    real = round(((1 + actual.value / 100) / (1 + prices / 100) - 1) * 100, 1)
    verdict, reason = judge(target, Actual(value=real, unit="%", quote="", change="增长"), r=r)
    if verdict != "met":
        return None
    return verdict, r.reasons["deflated"].format(cpi=human_number(prices), real=human_number(real)) + reason


def said_real(text: str) -> bool:
    """实际增长, 扣除价格因素 …: a rate at constant prices (not the 实际 of 实际利用外资)."""
    return any(w in text for w in _REAL_WORDS)
