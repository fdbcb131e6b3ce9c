"""The verdict rule: a target and its result in, met / missed / unverifiable / ambiguous out.

The figures and words live in ``review/rules.yaml`` (its header states the rule in order);
this module loads them once and applies them. ``judge`` works on plain values so the ledger's
year-end report can share it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Any

import yaml

from duban.review.model import Actual, Target, Verdict

REASON_KEYS = (
    "unverifiable",
    "qualitative",
    "no_figure",
    "ambiguous_metric",
    "units",
    "scope",
    "real",
    "deflated",
    "in_step",
    "from_levels",
    "rough_levels",
    "plan_share_met",
    "plan_share_missed",
    "cap_met",
    "cap_missed",
    "about_met",
    "about_missed",
    "at_least_met",
    "at_least_missed",
)


class RulesError(ValueError):
    """rules.yaml is missing a key or holds a value of the wrong kind."""


@dataclass(frozen=True)
class Rules:
    """The verdict rule's figures and words."""

    rate_about_tolerance: float
    level_about_share: float
    cap_about_tolerance: float
    plan_share_met: float
    rate_units: tuple[str, ...]
    lower_is_better_units: tuple[str, ...]
    decline_changes: tuple[str, ...]
    qualitative_met: tuple[str, ...]
    qualitative_objects: tuple[str, ...]
    reasons: dict[str, str]


def parse_rules(raw: dict[str, Any], *, source: str = "rules.yaml") -> Rules:
    """Check and build the rules from a parsed YAML mapping; RulesError names the bad key."""
    try:
        numbers = {
            k: float(raw[k])
            for k in ("rate_about_tolerance", "level_about_share", "cap_about_tolerance", "plan_share_met")
        }
        words = {
            k: tuple(str(w) for w in raw[k])
            for k in (
                "rate_units",
                "lower_is_better_units",
                "decline_changes",
                "qualitative_met",
                "qualitative_objects",
            )
        }
        reasons = {str(k): str(v) for k, v in raw["reasons"].items()}
    except KeyError as exc:
        raise RulesError(f"{source}: 缺少字段 {exc.args[0]}") from None
    except (TypeError, ValueError, AttributeError) as exc:
        raise RulesError(f"{source}: 字段类型不对（{exc}）") from None
    if missing := [k for k in REASON_KEYS if k not in reasons]:
        raise RulesError(f"{source}: reasons 缺少 {', '.join(missing)}")
    if not 0 < numbers["level_about_share"] <= 1:
        raise RulesError(f"{source}: level_about_share 应在 0 与 1 之间")
    if numbers["rate_about_tolerance"] < 0 or numbers["cap_about_tolerance"] < 0:
        raise RulesError(f"{source}: 容差不能为负")
    return Rules(
        rate_about_tolerance=numbers["rate_about_tolerance"],
        level_about_share=numbers["level_about_share"],
        cap_about_tolerance=numbers["cap_about_tolerance"],
        plan_share_met=numbers["plan_share_met"],
        rate_units=words["rate_units"],
        lower_is_better_units=words["lower_is_better_units"],
        decline_changes=words["decline_changes"],
        qualitative_met=words["qualitative_met"],
        qualitative_objects=words["qualitative_objects"],
        reasons=reasons,
    )


@cache
def rules() -> Rules:
    """The packaged rules (loaded once)."""
    text = resources.files("duban.review").joinpath("rules.yaml").read_text(encoding="utf-8")
    return parse_rules(yaml.safe_load(text))


def _fmt(v: float) -> str:
    from duban.reading.output import human_number

    return human_number(round(v, 2))


def _against(target: Target, change: str | None, r: Rules) -> bool:
    """A result's change runs against the target's direction (下降 against 增长, 增长 against 下降;
    a target without one reads as growth)."""
    return (target.change in r.decline_changes) != (change in r.decline_changes)


def on_target_scale(target: Target, actual: Actual | None, r: Rules | None = None) -> Actual | None:
    """The result as a change in the target's direction: 下降4.7% against 增长7.5% is 增长 −4.7
    (how the keys and a reader put it); a level, or a change in the same direction, unchanged."""
    r = r or rules()
    if actual is None or actual.value is None or target.change is None or actual.change is None:
        return actual
    if not _against(target, actual.change, r):
        return actual
    return replace(actual, value=-actual.value if actual.value else 0.0, change=target.change)


def judge(
    target: Target,
    actual: Actual | None,
    *,
    cap: bool = False,
    ambiguous: bool = False,
    share_of_plan: bool = False,
    comparable: bool = True,
    factor: float = 1.0,
    r: Rules | None = None,
) -> tuple[Verdict, str]:
    """The verdict and its reason in words for one target and its result.

    ``factor`` turns the result into the target's unit; ``comparable`` is False when no factor
    can; ``cap``/``ambiguous`` come from the metric vocabulary.
    """
    r = r or rules()
    say = r.reasons
    if actual is None:
        return "unverifiable", say["unverifiable"]
    if actual.value is None:
        return "met", say["qualitative"]
    if target.value is None:
        return "ambiguous", say["no_figure"]
    if ambiguous:
        return "ambiguous", say["ambiguous_metric"]
    a = actual.value * factor  # 315天 × 100/365 → % where the vocabulary converts
    if share_of_plan:
        ok = a >= r.plan_share_met
        return ("met" if ok else "missed"), say["plan_share_met" if ok else "plan_share_missed"].format(
            actual=_fmt(a)
        )
    if not comparable:
        return "ambiguous", say["units"].format(
            target_unit=target.unit or "—", actual_unit=actual.unit or "—"
        )
    t = target.value

    def fmt(v: float) -> str:
        return f"第{_fmt(v)}" if target.unit == "rank" else _fmt(v) + target.unit

    if _against(target, actual.change, r):  # a target of decline compares the size of the decline
        a = -a
    rate = target.unit in r.rate_units
    lower_is_better = cap and target.change not in r.decline_changes  # PM2.5下降5%以上: the fall's size
    if (
        target.bound == "at_most"
        or lower_is_better
        or target.unit in r.lower_is_better_units
        or "控制在" in target.quote
    ):
        limit = t + (r.cap_about_tolerance if target.bound == "about" and rate else 0.0)
        ok = a <= limit + 1e-9
        key = "cap_met" if ok else "cap_missed"
        return ("met" if ok else "missed"), say[key].format(actual=fmt(a), limit=fmt(limit), target=fmt(t))
    if target.bound == "about":
        limit = t - r.rate_about_tolerance if rate else t * r.level_about_share
        ok = a >= limit - 1e-9
        key = "about_met" if ok else "about_missed"
        return ("met" if ok else "missed"), say[key].format(actual=fmt(a), limit=fmt(limit), target=fmt(t))
    ok = a >= t - 1e-9
    key = "at_least_met" if ok else "at_least_missed"
    return ("met" if ok else "missed"), say[key].format(actual=fmt(a), target=fmt(t))
