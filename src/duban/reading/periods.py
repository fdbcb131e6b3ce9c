"""The time each figure speaks of: the plan year, last year, a span of years, or a later goal.

The words live in ``lexicon/periods.yaml`` (its header gives the order of the rules). A report's
review part often mixes a five-year look back with last year's results ("过去五年工作回顾" then
"刚刚过去的2021年…"), so a paragraph's opening words set a state that the following paragraphs
of the same part keep; a figure's own clause and sentence (年均, 累计, 到2025年, 2021年) come first.

The headline flag is checked here too: the 主要预期目标 block must be the plan year's, and when
the report states its targets without the words 主要预期目标 ("今年全市地区生产总值增长8.5%左右。
规上工业增加值增长9%。…") the first plan-year paragraph holding several headline indicators is it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

from duban.reading.lexicon_file import load_yaml
from duban.reading.metrics import describe, vocabulary
from duban.reading.model import PartKind, Period, Quantity, Section

_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)年")
_GOAL_YEAR = re.compile(r"(?:到|至|在|于)((?:19|20)\d\d)年|((?:19|20)\d\d)年(?:末|底前|前)")
_QUOTES = str.maketrans("", "", '“”"‘’')
_CLAUSE_END = "，,；;。：:！？!?\n"
_SENTENCE_END = "；;。！？!?\n"
MIN_HEADLINE_ITEMS = 3
MAX_LEAD = 24  # a paragraph's lead sentence ("一是经济发展取得新成效。") is at most this long
_ADDRESS = re.compile(r"^(?:各位代表|同志们)[，,！!：:]?")  # 各位代表，刚刚过去的2025年…
_BASES = ("较", "比", "于", "同")  # 较2021年提高: a comparison's base year, not the figure's time


@dataclass(frozen=True)
class _Words:
    clause_span: tuple[str, ...]
    sentence_span: tuple[str, ...]
    goal: tuple[str, ...]
    paragraph: tuple[tuple[tuple[str, ...], Period], ...]
    heading_span: tuple[str, ...]
    heading_goal: tuple[str, ...]


@cache
def _words() -> _Words:
    raw = load_yaml("periods.yaml")
    return _Words(
        clause_span=tuple(raw["clause_span"]),
        sentence_span=tuple(raw["sentence_span"]),
        goal=tuple(raw["goal_words"]),
        paragraph=(
            (tuple(raw["paragraph_span"]), "span"),
            (tuple(raw["paragraph_goal"]), "goal_year"),
            (tuple(raw["paragraph_last"]), "last_year"),
            (tuple(raw["paragraph_plan"]), "plan_year"),
        ),
        heading_span=tuple(raw["heading_span"]),
        heading_goal=tuple(raw["heading_goal"]),
    )


def heading_period(title: str, kind: PartKind, year: int | None) -> Period | None:
    """The period a part's or section's heading names ("“十四五”时期主要目标" → goal_year), if any."""
    w = _words()
    title = title.translate(_QUOTES)
    if kind == "plan" and ("今年" in title or (year is not None and f"{year}年" in title)):
        return "plan_year"  # “十四五”时期主要目标及2021年工作安排: this year's part of it
    if any(x in title for x in w.heading_goal) and kind != "review":
        return "goal_year"
    if any(x in title for x in w.heading_span):
        return "span" if kind == "review" else "goal_year"
    return None


def _opening(line: str, year: int | None, kind: PartKind) -> Period | None:
    """The period a paragraph's first words name, if any (after a short lead: "一是…。2021年…")."""
    starts = [line]
    lead = line.find("。")
    if 0 < lead <= MAX_LEAD:
        starts.append(line[lead + 1 :])
    for start in starts:
        head = _ADDRESS.sub("", start.lstrip("\u3000 \u2014-#*")).translate(_QUOTES)[:12]
        for openers, period in _words().paragraph:
            if head.startswith(openers):
                return period
        first = start.split("。", 1)[0]
        if kind == "plan" and "今年" in first and "目标" in first:
            return "plan_year"  # 综合各方面因素，今年经济社会发展主要预期目标是：
        m = _YEAR.match(head) or re.match(r"^(?:刚刚过去的|回顾)((?:19|20)\d\d)年", head)
        if m and year is not None:
            return _year_period(int(m[1]), year, kind)
    return None


def _paragraph_states(
    text: str, year: int | None, kind_at: Callable[[int], PartKind], part_at: Callable[[int], int]
) -> tuple[list[int], list[Period | None]]:
    """Each paragraph's carried state (None where only its heading and part decide)."""
    starts: list[int] = []
    states: list[Period | None] = []
    state: Period | None = None
    part = -1
    pos = 0
    for line in text.split("\n"):
        here = part_at(pos)
        if here != part:
            part, state = here, None
        state = _opening(line, year, kind_at(pos)) or state
        starts.append(pos)
        states.append(state)
        pos += len(line) + 1
    return starts, states


def paragraph_periods(
    text: str, sections: Sequence[Section], year: int | None
) -> Callable[[int], Period | None]:
    """For a read plan: the period each paragraph's opening words carry, as a lookup by offset.

    Parts and their kinds come from ``sections`` (the review uses it for results in words).
    """
    parts = [s for s in sections if s.level == 1]
    starts_of_parts = [s.start for s in parts]

    def part_at(pos: int) -> int:
        return bisect_right(starts_of_parts, pos) - 1

    def kind_at(pos: int) -> PartKind:
        i = part_at(pos)
        return parts[i].part_kind if i >= 0 else "other"

    starts, states = _paragraph_states(text, year, kind_at, part_at)

    def at(pos: int) -> Period | None:
        i = bisect_right(starts, pos) - 1
        state = states[i] if i >= 0 else None
        if state is not None:
            return state
        i = part_at(pos)
        heading = heading_period(parts[i].title, parts[i].part_kind, year) if i >= 0 else None
        return heading or ("last_year" if kind_at(pos) == "review" else None)

    return at


def _year_period(y: int, year: int, kind: PartKind) -> Period | None:
    if y == year - 1:
        return "last_year"
    if y == year:
        return "plan_year" if kind == "plan" else "last_year" if kind == "review" else None
    if y > year:
        return "goal_year"
    return "span"


def period_of(
    text: str,
    q: Quantity,
    *,
    year: int | None,
    kind: PartKind,
    sentence_start: int,
    default: Period | None,
) -> Period | None:
    """The period of one figure from its clause and sentence, else ``default``."""
    w = _words()
    before = text[sentence_start : q.start].translate(_QUOTES)
    cut = max(before.rfind(c) for c in _CLAUSE_END)
    quote = q.quote.translate(_QUOTES)
    inside = max(quote.rfind(c) for c in _CLAUSE_END)  # a quote may start in a clause before the figure's
    clause = quote[inside + 1 :] if inside >= 0 else before[cut + 1 :] + quote
    if any(x in clause for x in w.clause_span):
        return "span"
    for m in _GOAL_YEAR.finditer(before + q.quote):
        y = int(m[1] or m[2])
        if year is not None and y > year:
            return "goal_year"
    if any(x in before for x in w.goal):
        return "goal_year"
    if any(x in before for x in w.sentence_span):
        return "span"
    if year is not None and kind != "other":
        upto = before + q.quote  # 常住人口城镇化率从2020年的53.2%…: the year may sit inside the quote
        years = [
            int(m[1]) for m in _YEAR.finditer(upto) if upto[max(0, m.start() - 1) : m.start()] not in _BASES
        ]
        if years:  # the last year named before the figure in its sentence: 2021年全年地区生产总值增长8.7%
            return _year_period(years[-1], year, kind) or default
    return default


def assign_periods(
    text: str,
    quantities: Sequence[Quantity],
    *,
    year: int | None,
    sections: Sequence[Section],
    kind_at: Callable[[int], PartKind],
) -> None:
    """Fill ``period``, ``metric_id``, ``scope`` and ``measure`` of every quantity in place."""
    parts = [s for s in sections if s.level == 1]
    part_starts = [s.start for s in parts]
    by_start = sorted(sections, key=lambda s: s.start)

    def part_at(pos: int) -> int:
        return bisect_right(part_starts, pos) - 1

    starts, states = _paragraph_states(text, year, kind_at, part_at)
    for q in quantities:
        describe(q)
        kind = kind_at(q.start)
        default: Period | None = "last_year" if kind == "review" else "plan_year" if kind == "plan" else None
        heading = None
        for s in by_start:  # the narrowest heading above the figure that names a time
            if s.start <= q.start < s.end and s.title:
                heading = heading_period(s.title, kind, year) or heading
        state = states[bisect_right(starts, q.start) - 1] if starts else None
        if state is not None and (kind == "review" or state in ("plan_year", "goal_year")):
            default = state
        elif heading is not None:
            default = heading
        s_start = max(text.rfind(c, 0, q.start) for c in _SENTENCE_END) + 1
        q.period = period_of(text, q, year=year, kind=kind, sentence_start=s_start, default=default)
    _fix_headline(text, quantities)


def _fix_headline(text: str, quantities: Sequence[Quantity]) -> None:
    """Headline targets are the plan year's; without a marked block, the paragraph holding them."""
    for q in quantities:
        if q.headline and q.period != "plan_year":
            q.headline = False
    if any(q.headline for q in quantities):
        return
    voc = vocabulary()
    paragraphs: dict[int, list[Quantity]] = {}
    for q in quantities:
        if q.kind == "target" and q.period == "plan_year":
            paragraphs.setdefault(text.rfind("\n", 0, q.start) + 1, []).append(q)
    for _, items in sorted(paragraphs.items()):
        ids = {q.metric_id for q in items if q.metric_id and voc.metrics[q.metric_id].headline}
        if len(ids) >= MIN_HEADLINE_ITEMS:
            for q in items:
                q.headline = True
            return
