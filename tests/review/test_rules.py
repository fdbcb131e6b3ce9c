"""The verdict rule: rules.yaml is valid, and each branch of the rule gives the key's verdict."""

from __future__ import annotations

import pytest
import yaml

from duban.review.model import Actual, Target
from duban.review.rules import REASON_KEYS, RulesError, judge, parse_rules, rules


def t(value: float | None, bound: str = "exact", unit: str = "%", change: str | None = None) -> Target:
    return Target(value=value, value_high=None, unit=unit, bound=bound, quote="", change=change)


def a(value: float | None, unit: str = "%", change: str | None = None) -> Actual:
    return Actual(value=value, unit=unit, quote="", change=change)


def test_packaged_rules_load() -> None:
    r = rules()
    assert r.rate_about_tolerance == 0.5 and r.level_about_share == 0.95
    assert set(REASON_KEYS) <= set(r.reasons)


def test_a_broken_rules_file_names_the_key() -> None:
    from importlib import resources

    raw = yaml.safe_load(resources.files("duban.review").joinpath("rules.yaml").read_text(encoding="utf-8"))
    del raw["level_about_share"]
    with pytest.raises(RulesError, match="level_about_share"):
        parse_rules(raw)
    raw = yaml.safe_load(resources.files("duban.review").joinpath("rules.yaml").read_text(encoding="utf-8"))
    raw["level_about_share"] = 1.5
    with pytest.raises(RulesError, match="level_about_share"):
        parse_rules(raw)


@pytest.mark.parametrize(
    ("target", "actual", "kw", "verdict"),
    [
        (t(8.5, "about"), a(7.5), {}, "missed"),  # 7.5 < 8.5 − 0.5
        (t(8.5, "about"), a(8.0), {}, "met"),
        (t(9), a(9.0), {}, "met"),  # exactly on target
        (t(10), a(9.2), {}, "missed"),
        (t(100, "about", "个"), a(96, "个"), {}, "met"),  # a level with 左右: 95 %
        (t(100, "about", "个"), a(94, "个"), {}, "missed"),
        (t(4.5, "at_most"), a(4.6), {}, "missed"),
        (
            Target(value=2.8, value_high=None, unit="%", bound="exact", quote="赤字率控制在2.8%"),
            a(3.0),
            {},
            "missed",
        ),
        (
            Target(value=2.8, value_high=None, unit="%", bound="exact", quote="赤字率控制在2.8%"),
            a(2.7),
            {},
            "met",
        ),
        (t(5.5), a(5.1), {"cap": True}, "met"),  # unemployment is a cap
        (t(3, "about"), a(2.0), {"cap": True}, "met"),
        (t(3, "about"), a(3.4), {"cap": True}, "met"),  # +0.5 with 左右
        (t(3, "about"), a(2.0), {"ambiguous": True}, "ambiguous"),  # a CPI aim
        (t(3), None, {}, "unverifiable"),
        (t(None), a(None), {}, "met"),  # 超额完成 without a figure
        (t(None), a(4.0), {}, "ambiguous"),
        (t(4.2, unit="人"), a(118.2), {"share_of_plan": True}, "met"),
        (t(88, unit="个"), a(739000, "平方米"), {"comparable": False}, "ambiguous"),
        (t(85, "at_least"), a(315, "天"), {"factor": 100 / 365}, "met"),
        (t(3, change="下降"), a(3.5, change="下降"), {}, "met"),  # fell more than the target
        (t(3, change="下降"), a(1.0, change="增长"), {}, "missed"),
        (t(5, change="增长"), a(3.3, change="下降"), {}, "missed"),  # a fall against a growth target
        (t(5, "at_least", change="下降"), a(5.8, change="下降"), {"cap": True}, "met"),  # PM2.5下降5%以上
        (t(5, "at_least", change="下降"), a(4.0, change="下降"), {"cap": True}, "missed"),
    ],
)
def test_verdicts(target: Target, actual: Actual | None, kw: dict, verdict: str) -> None:
    got, reason = judge(target, actual, **kw)
    assert got == verdict, reason
    assert reason
