"""Headline targets stated without a figure: "居民收入增长与经济增长同步", "完成省下达任务".

Each clause of the headline paragraph that holds no digit and one of the words of
``text_targets`` in ``lexicon/quantities.yaml`` becomes a :class:`TextTarget`, written out as a
target item whose ``value`` is null; the metric is the clause up to that word. ``shared/tools/score_quantities.py`` counts only items
with a numeric value, so these items neither help nor hurt the quantity scores.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import cache

from duban.reading.lexicon_file import load_yaml
from duban.reading.metrics import identify
from duban.reading.model import Bound, Quantity, TextTarget

_CLAUSE = re.compile(r"[^，,；;。：:\n]+")
_TRAIL = re.compile(r"(?:基本|要|力争|确保|努力|继续|保持|均)+$")
_ASSIGNED = re.compile(
    r"(?:完成|落实)[^，；。]{0,8}?下达(?:的)?(?P<metric>[^，；。]{2,20}?)(?:目标任务|任务|目标|指标)$"
)
_POLLUTANTS_TAIL = re.compile(r"(?:等)?(?P<tail>减排|排放总量|排放量)(?:指标|任务)?$")
_LEAD = re.compile(r"^(?:今年|全年|全市|全省|全区|力争|确保|努力|要|其中|同时|并|且|和)+")


@cache
def _words() -> tuple[tuple[str, Bound], ...]:
    raw = load_yaml("quantities.yaml")["text_targets"]
    pairs = [(str(w), b) for b, words in raw.items() for w in words]
    return tuple(sorted(pairs, key=lambda p: -len(p[0])))


def text_targets(
    text: str,
    quantities: Sequence[Quantity],
    *,
    line_of: Callable[[int], int],
    section_at: Callable[[int], str | None],
) -> list[TextTarget]:
    """Targets without a figure in the headline paragraph(s) of ``quantities``."""
    heads = [q for q in quantities if q.headline]
    if not heads:
        return []
    start = text.rfind("\n", 0, heads[0].start) + 1
    end = text.find("\n", heads[-1].end)
    end = len(text) if end < 0 else end
    out: list[TextTarget] = []
    for m in _CLAUSE.finditer(text, start, end):
        clause = m.group()
        if any(ch.isdigit() for ch in clause):
            continue
        assigned = _ASSIGNED.search(clause)  # 全面完成省政府下达的主要污染物总量减排任务: the metric after
        hits = [(clause.find(w), b) for w, b in _words() if w in clause]
        if not hits and not assigned:
            continue
        at, bound = (
            min(hits) if hits else (0, "exact")
        )  # the earliest word: …减排完成国省下达任务 cuts at 完成
        metric = _LEAD.sub("", clause[:at].strip()).split("与")[0].split("完成")[0]
        if len(metric) < 2 and assigned:
            metric, bound = assigned["metric"], "exact"
        if "同步" in clause:  # 居民收入增长和经济增长同步: 和 names the partner, not a second target
            metric = metric.split("和")[0]
        metric = _TRAIL.sub("", metric)
        if len(metric) < 2:
            continue
        parts = re.split("[、和及]", metric)  # 一般公共预算收入、城乡居民收入与经济增长同步: two
        if len(parts) >= 3 and (whole := _POLLUTANTS_TAIL.search(parts[-1])):
            parts = ["主要污染物" + whole["tail"]]  # 化学需氧量、二氧化硫、氨氮、氮氧化物等减排指标: one
        for part in parts:
            if len(part) < 2:
                continue
            metric_id, scope = identify(part)
            out.append(
                TextTarget(
                    metric=part,
                    bound=bound,
                    quote=clause.strip(),
                    start=m.start(),
                    end=m.end(),
                    line=line_of(m.start()),
                    section=section_at(m.start()),
                    metric_id=metric_id,
                    scope=scope,
                )
            )
    return out
