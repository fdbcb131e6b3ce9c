"""Results the next report gives in words only, without a figure.

Two kinds, each from the later report's review parts, in clauses of last year (not a five-year
look back) that hold no digit:

- a task said done: "主要污染物排放削减率超额完成省定任务" — the clause's subject names the
  target's metric (or begins with its first four characters) and it says 完成/实现…目标/任务
  (``rules.yaml``: ``qualitative_met`` and ``qualitative_objects``);
- a state reached: a main target in words ("国际收支基本平衡", "进出口回稳向好", "生态环境质量
  稳定改善", "主要污染物排放继续减少") answered by a clause that names its metric and the state it
  aimed at ("国际收支基本平衡", "进出口逐步回稳", "生态环境质量稳中改善", "主要污染物排放量
  继续下降").
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from duban.reading.metrics import Metric, identify
from duban.reading.model import Plan, Quantity, TextTarget
from duban.reading.periods import paragraph_periods
from duban.review.model import Actual
from duban.review.rules import Rules

_CLAUSE = re.compile(r"[^，,。；;！？!?\n]+")
_DIGIT = re.compile(r"\d")
_LEAD = re.compile(r"^[\s　]*(?:全年|全市|全省|全区|全县)?")
# The state a main target in words aims at, and the words of a review clause that say it came.
_STATES = (
    ("平衡", ("平衡",)),
    ("改善", ("改善", "向好", "好转")),
    ("向好", ("改善", "向好", "好转", "回稳", "回升")),
    ("回稳", ("回稳", "向好", "回升", "企稳")),
    ("减少", ("减少", "下降")),
    ("下降", ("减少", "下降")),
)


@dataclass(frozen=True)
class ReviewClauses:
    """The later report's figureless clauses of last year, and those of them that say a task done."""

    plan: Plan
    clauses: list[tuple[int, str]]
    done: list[tuple[int, str]]

    @classmethod
    def of(cls, later: Plan, r: Rules) -> ReviewClauses:
        said, objects = _word_res(r.qualitative_met, r.qualitative_objects)
        period_at = paragraph_periods(later.text, later.sections, later.year)
        clauses, done = [], []
        for sec in later.sections:
            if sec.level != 1 or sec.part_kind != "review":
                continue
            for m in _CLAUSE.finditer(later.text, sec.start, sec.end):
                clause = m.group()
                if _DIGIT.search(clause) or period_at(m.start()) != "last_year":
                    continue  # a figure is read as a quantity; not a five-year look back
                clauses.append((m.start(), clause))
                if said.search(clause) and objects.search(clause):
                    done.append((m.start(), clause))
        return cls(later, clauses, done)

    def actual(self, start: int, clause: str) -> Actual:
        line = bisect_right(self.plan.line_starts, start) if self.plan.line_starts else 0
        return Actual(value=None, unit="", quote=clause.strip(), line=line or None)


@lru_cache(maxsize=8)
def _word_res(*groups: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile("|".join(re.escape(w) for w in words)) for words in groups)


def _same_start(name: str, subject: str) -> bool:
    """主要污染物总量减排 and 主要污染物排放削减率: one subject named twice (4+ characters alike)."""
    subject = _LEAD.sub("", subject)
    return len(name) >= 5 and subject[:4] == name[:4]


def said_done(
    item: Quantity | TextTarget, metric: Metric | None, said: ReviewClauses, r: Rules
) -> Actual | None:
    """A clause whose subject is the metric and says 完成…目标/任务, no figure."""
    verbs, _ = _word_res(r.qualitative_met, r.qualitative_objects)
    own = set(metric.names if metric else ())
    if isinstance(item, TextTarget) and (at := verbs.search(item.quote)):  # 化学需氧量、二氧化硫…减排完成…
        own.add(item.quote[: at.start()])  # the target's own subject, where its name is made of a list
    names = tuple(n for n in {item.metric} | own if len(n) >= 3)
    for start, clause in said.done:
        found = verbs.search(clause)
        subject = clause[: found.start()] if found else clause
        if not any(n in subject or _same_start(n, subject) for n in names):
            continue
        if identify(subject)[0] != (metric.id if metric else None) and not subject.endswith(names):
            continue  # 单位地区生产总值能耗降低完成…: another indicator that holds the name
        return said.actual(start, clause)
    return None


def state_reached(item: Quantity | TextTarget, said: ReviewClauses) -> Actual | None:
    """A main target in words whose state a review clause names for its metric."""
    if not isinstance(item, TextTarget) or len(item.metric) < 2:
        return None
    aim = item.quote[item.quote.find(item.metric) + len(item.metric) :]
    wanted = next((came for word, came in _STATES if word in aim), None)
    if wanted is None:
        return None
    for start, clause in said.clauses:
        at = clause.find(item.metric)
        if at >= 0 and any(w in clause[at + len(item.metric) :] for w in wanted):
            return said.actual(start, clause)
    return None
