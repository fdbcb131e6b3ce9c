"""The paragraph that states the year's main targets (主要预期目标是：…), found once.

Owns ``find_headline_block``. The wordings that open it live in ``lexicon/structure.yaml``
(``headline_pattern``, ``headline_year_before``, ``headline_not_after``) and
``lexicon/headings.yaml`` (``headline_patterns``, tried first).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from duban.reading.lexicon_file import load_yaml
from duban.reading.model import Section
from duban.reading.structure import SectionIndex

_FIGURE = re.compile(r"\d+(?:\.\d+)?\s*(?:%|％|万|亿|个百分点)")
_NEXT_LINE = re.compile(r"\S[^\n]*")
_LIST_ITEM_LINE = re.compile(r"(?:\n[ \t\u3000]*)+(?:——|—|-|\d{1,2}[.、．]|[（(]\d{1,2}[）)])[^\n]*")


@dataclass(frozen=True)
class _Rules:
    headline: re.Pattern[str]
    headline_year_before: re.Pattern[str]
    headline_not_after: re.Pattern[str]


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    d = load_yaml("structure.yaml")
    return _Rules(
        headline=re.compile(
            "(?:"
            + ")|(?:".join([*load_yaml("headings.yaml")["headline_patterns"], d["headline_pattern"]])
            + ")"
        ),
        headline_year_before=re.compile(d["headline_year_before"]),
        headline_not_after=re.compile("|".join(map(re.escape, d["headline_not_after"]))),
    )


def find_headline_block(text: str, sections: Sequence[Section]) -> tuple[int, int] | None:
    """The span of the paragraph stating this year's main targets (主要预期目标是：…).

    The first mention that opens with a colon (or "今年…目标为") outside the review and the
    five-year-plan sentences, preferring one in the plan part followed by a figure; the span is
    its paragraph (with the next line after a bare colon, and the list lines after that).
    """
    r = _rules()
    index = SectionIndex(sections) if sections else None
    best: tuple[tuple[bool, bool, int], tuple[int, int]] | None = None
    for m in r.headline.finditer(text):
        sent_start = max(text.rfind("。", 0, m.start()), text.rfind("\n", 0, m.start())) + 1
        said = m.group()
        if text.startswith("**", m.end()):  # Markdown bold: "**主要预期目标**是："
            bold = r.headline.match(text[m.start() : m.end()] + text[m.end() + 2 : m.end() + 12])
            said = bold.group() if bold else said
        if not said.endswith(("：", ":")):
            if not said.endswith(("是", "为")):
                continue  # a bare mention (完成主要目标任务)
            if not r.headline_year_before.search(text, max(sent_start, m.start() - 24), m.start()):
                continue
        if r.headline_not_after.search(text, sent_start, m.start()):
            continue
        sec = index.at(m.start()) if index else None
        if sec is not None and sec.part_kind == "review":
            continue
        in_plan = sec is None or sec.part_kind == "plan"
        has_figure = _FIGURE.search(text, m.end(), m.end() + 60) is not None
        key = (not in_plan, not has_figure, m.start())
        if best is None or key < best[0]:
            p_start, p_end = _paragraph(text, m.start(), m.end())
            best = (key, (max(p_start, sent_start), p_end))  # not the framing sentences before it
    return best[1] if best else None


def _paragraph(text: str, start: int, end: int) -> tuple[int, int]:
    """The paragraph around [start, end); a paragraph that ends in its colon takes the next one."""
    p_start = text.rfind("\n", 0, start) + 1
    p_end = text.find("\n", end)
    p_end = len(text) if p_end == -1 else p_end
    if not text[end:p_end].strip(" \t\u3000：:"):  # "主要预期目标是：" then the list on the next line(s)
        nxt = _NEXT_LINE.search(text, p_end)
        if nxt:
            p_end = nxt.end()
            while (item := _LIST_ITEM_LINE.match(text, p_end)) is not None:  # "——规上工业增加值增长5.5%；"
                p_end = item.end()
    return p_start, p_end
