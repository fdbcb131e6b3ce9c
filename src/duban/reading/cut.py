"""The plan part cut into tasks as a supervision office cuts it (its 重点工作任务分工).

Owns ``cut_plan`` and its ``Cut`` spans. The rules — framing paragraphs, prefixes to strip,
attitude phrases, how short a sub-lead is — live in ``lexicon/task_cut.yaml``; the tree of parts,
sections and lead sentences comes from ``duban.reading.structure``.

How a paragraph of a plan part is read:

- heading lines (parts, sections) and a lead sentence at a paragraph's start ("做强能源产业。")
  are structure; the lead names the ``group`` of the tasks after it;
- the 主要预期目标 paragraph is one task (``headline``);
- the plan part's own preamble before its first section, a section's opening paragraph before its
  first lead (the work on the section heading's own line after its first sentence is cut), a part
  without sections titled for the 总体要求, and framing paragraphs (总体要求, "各位代表…",
  "我们将坚持…", a line announcing a list) are not tasks;
- the rest is cut at ；(and at 。！？) outside quotes and brackets, never at a comma; a prefix
  ("煤炭方面，", "一是") is stripped; a short comma-less sentence before a sentence of
  semicolon clauses is a sub-lead ("加强市场化运营。"), and a comma-less attitude
  ("持续解放思想") is no task;
- a sentence that opens with a deadline alone ("到年底，…") lends it to each of its clauses that
  names none (``due_span``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from duban.reading.deadlines import parse_deadline
from duban.reading.lexicon_file import load_yaml
from duban.reading.model import Section
from duban.reading.periods import heading_period
from duban.reading.structure import SectionIndex, paragraph_kinds

_OPEN = frozenset("“《（(「‘")
_CLOSE = frozenset("”》）)」’")
_TRIM = " \t\u3000\r，,；;：:。！？!?、*"  # * : Markdown bold around a lead or a clause
_LINE = re.compile(r"[^\n]+")
_DIGIT = re.compile(r"[\d０-９]")
_FIGURE_IN_LEAD = re.compile(r"\d+(?:\.\d+)?\s*(?:%|％|万|亿|[个座所家项条户人吨亩公里台辆套])")


@dataclass(frozen=True)
class Cut:
    """One task's span in the cleaned text, with where it sits and what governs its deadline."""

    start: int
    end: int
    section: Section  # the deepest node of the tree holding it (its lead sentence's, if any)
    heading: Section  # the part or section (level ≤ 2) holding it
    group: str | None  # the lead sentence it falls under (做强能源产业), else None
    headline: bool = False  # the 主要预期目标 paragraph
    due_span: tuple[int, int] | None = None  # a sentence-opening deadline ("到年底") it inherits


@dataclass(frozen=True)
class _Rules:
    clause_ends: frozenset[str]
    sentence_ends: frozenset[str]
    marks: re.Pattern[str]  # every character split_clauses looks at
    framing: re.Pattern[str]
    framing_words: tuple[str, ...]
    framing_parts: tuple[str, ...]
    framing_min_rest: int
    framing_sentence_words: tuple[str, ...]
    framing_window: int
    prefixes: re.Pattern[str]
    ordinals: re.Pattern[str]
    lead_openers: re.Pattern[str]
    max_ordinal_lead: int
    max_sublead: int
    attitude: re.Pattern[str]
    summary: re.Pattern[str]
    min_chars: int
    deadline_prefix_max: int


def load_lexicon() -> dict[str, Any]:
    """The raw rules of ``lexicon/task_cut.yaml``."""
    return load_yaml("task_cut.yaml")


def _any(patterns: Sequence[str]) -> str:
    return "|".join(f"(?:{p})" for p in patterns)


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    d = load_lexicon()
    return _Rules(
        clause_ends=frozenset(d["clause_ends"]),
        sentence_ends=frozenset(d["sentence_ends"]),
        marks=re.compile(
            "[" + re.escape("".join(sorted({*d["clause_ends"], *d["sentence_ends"], *_OPEN, *_CLOSE}))) + "]"
        ),
        framing=re.compile(_any(d["framing_openers"])),
        framing_words=tuple(d["framing_words"]),
        framing_parts=tuple(d["framing_part_titles"]),
        framing_min_rest=int(d["framing_paragraph_min_rest"]),
        framing_sentence_words=tuple(d["framing_sentence_words"]),
        framing_window=int(d["framing_window"]),
        prefixes=re.compile(_any([*d["prefixes"], *d["ordinals"]])),
        ordinals=re.compile(_any(d["ordinals"])),
        lead_openers=re.compile(_any(d["lead_openers"])),
        max_ordinal_lead=int(d["max_ordinal_lead_chars"]),
        max_sublead=int(d["max_sublead_chars"]),
        attitude=re.compile(_any(d["attitude_patterns"])),
        summary=re.compile(_any(d["summary_patterns"])),
        min_chars=int(d["min_task_chars"]),
        deadline_prefix_max=int(d["deadline_prefix_max_chars"]),
    )


def split_clauses(text: str) -> list[tuple[int, int, bool]]:
    """Clause spans (start, end, ends_sentence) cut at ；。！？ outside quotes and brackets.

    The end excludes the mark; ``ends_sentence`` is true for a full stop (or the text's end).

    >>> t = "做强产业，力争“上半年建成；年底投产”；加快推进。新建学校"
    >>> [(t[a:b], s) for a, b, s in split_clauses(t)]
    [('做强产业，力争“上半年建成；年底投产”', False), ('加快推进', True), ('新建学校', True)]
    """
    r = _rules()
    out: list[tuple[int, int, bool]] = []
    start = depth = 0
    for m in r.marks.finditer(text):
        ch, i = m.group(), m.start()
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif depth == 0:
            out.append((start, i, ch in r.sentence_ends))
            start = i + 1
    if start < len(text):
        out.append((start, len(text), True))
    return out


def strip_prefix(clause: str) -> int:
    """How many characters of framing open the clause (煤炭方面，, 其中，, 一是, （三）), blanks included.

    >>> c = "煤炭方面，持续推进煤炭增产保供"
    >>> c[strip_prefix(c):]
    '持续推进煤炭增产保供'
    >>> strip_prefix("二是加快建设")
    2
    """
    r = _rules()
    pos = len(clause) - len(clause.lstrip(_TRIM))
    while True:
        m = r.prefixes.match(clause, pos)
        if m is None or m.end() == pos:
            return pos
        pos = m.end()
        pos += len(clause[pos:]) - len(clause[pos:].lstrip(_TRIM))


def is_framing(paragraph: str) -> bool:
    """Whether a paragraph frames the plan (总体要求, 各位代表, 我们将坚持, a list's lead-in).

    >>> is_framing("各位代表，实体经济是高质量发展的基石。"), is_framing("围绕上述目标任务，重点抓好以下八个方面工作：")
    (True, True)
    >>> is_framing("加快建设陆港型国家物流枢纽。")
    False
    """
    r = _rules()
    body = paragraph.strip(" \t\u3000")
    if r.framing.match(body) or body.endswith(("：", ":")):
        return True
    head = body[: r.framing_window]
    return any(w in head for w in r.framing_words)


def is_attitude(clause: str) -> bool:
    """A comma-less clause that is only an attitude or a stance, not a commitment.

    >>> is_attitude("持续解放思想"), is_attitude("坚持稳中求进工作总基调"), is_attitude("坚持“规划引领”的思路，实施景区培育工程")
    (True, True, False)
    >>> is_attitude("通过加强开放平台建设，为全面扩大开放提供支撑"), is_attitude("通过盘活存量，新增用地1万亩")
    (True, False)
    """
    if any(ch.isdigit() for ch in clause):
        return False
    if "，" in clause or "," in clause:  # 通过…，让…: what the work above is for, said again
        return _rules().summary.match(clause) is not None
    return _rules().attitude.match(clause) is not None


_GOAL_PART_WORDS = ("目标", "时期", "规划", "任务", "安排", "蓝图")


def _plan_roots(sections: Sequence[Section]) -> list[Section]:
    """The top-most plan nodes (a plan part, or a plan section of a part of another kind)."""
    by_id = {s.id: s for s in sections}
    roots = []
    for sec in sections:
        parent = by_id.get(sec.parent) if sec.parent else None
        if sec.part_kind == "plan" and (parent is None or parent.part_kind != "plan"):
            roots.append(sec)
    return roots


def _intros(text: str, root: Section, sections: Sequence[Section]) -> list[tuple[int, int]]:
    """The text of a node before its first child: a plan part's preamble (总体要求, the year's
    weight) before its first section, a section's one opening paragraph before its first lead
    (none when the heading's line carries the section's work, as :func:`_after_heading` reads it)."""
    out: list[tuple[int, int]] = []
    first: dict[str, int] = {}
    ids = {root.id}
    for s in sections:
        if s.parent in ids and root.start <= s.start < root.end:
            ids.add(s.id)
            if s.level == 2 or (s.level == 3 and s.parent != root.id):
                first.setdefault(s.parent, s.start)
    for s in sections:
        if s.id not in first:
            continue
        if s.level == 1:
            out.append((s.start, first[s.id]))
            continue
        line_end = _line_end(text, s.start)
        if _after_heading(text, s.start, line_end, s) < line_end:
            continue  # its body on the heading's line ("（一）…扩大有效投资。新建…"): it opens with its work
        start = min(line_end, first[s.id])  # one opening paragraph: work before a later lead stays work
        out.append((start, min(first[s.id], _paragraph_end(text, start))))
    return out


def _paragraph_end(text: str, pos: int) -> int:
    """The end of the first paragraph with words at or after ``pos``."""
    at = pos
    while at < len(text) and text[at] in " \t\u3000\n":
        at += 1
    return _line_end(text, at)


def _line_end(text: str, pos: int) -> int:
    end = text.find("\n", pos)
    return len(text) if end == -1 else end


def _after_heading(text: str, start: int, end: int, head: Section) -> int:
    """Where a paragraph's body starts when ``head`` opens it at ``start``.

    A part or section heading takes the line, or its first sentence when text follows on the
    same line ("（一）着力扩大国内需求。要把…"); a lead sentence takes itself and its 。 or ：,
    unless it states a figure (then it is a task the tree took for a lead).
    """
    if head.level <= 2:
        line = text[start:end]
        cut = line.find("。")
        if cut != -1 and line[cut + 1 :].strip() and len(line[:cut]) <= len(head.title) + 8:
            return start + cut + 1
        return end
    if _FIGURE_IN_LEAD.search(head.title):  # "全年新建5G基站1000个。" opening a paragraph: a task
        return start
    at = text.find(head.title, start, start + len(head.number) + len(head.title) + 4)  # after 1. / 一是
    after = at + len(head.title)
    if at != -1 and not text[start:at].strip(" \t\u3000*#" + head.number):
        if after >= end or text[after : after + 1] in ("。", "：", ":", "\n"):
            return after + 1
        if not text[after:end].strip(" \t\u3000*"):
            return end
    return start


def _year_roots(roots: list[Section], year: int | None) -> list[Section]:
    """The plan parts of the year: a part of the five-year goals ("二、“十五五”时期的主要目标任务",
    "今后五年奋斗目标和总体安排") is no part of the year's ledger when a part names the year's work
    ("三、2026年重点工作"); "全力推动“十五五”开好局" is the year's work."""
    periods = [heading_period(r.title, "plan", year) if r.level == 1 else None for r in roots]
    if "plan_year" not in periods:
        return roots
    return [
        r
        for r, period in zip(roots, periods, strict=True)
        if not (period == "goal_year" and any(w in r.title for w in _GOAL_PART_WORDS))
    ]


def cut_plan(
    text: str, sections: Sequence[Section], *, headline: tuple[int, int] | None, year: int | None = None
) -> list[Cut]:
    """Every task of the plan part, in text order (see the module docstring for the rules)."""
    r = _rules()
    index = SectionIndex(sections)
    starts: dict[int, list[Section]] = {}
    for s in sections:
        starts.setdefault(s.start, []).append(s)
    review_paragraphs = {a for a, _, kind in paragraph_kinds(text, sections) if kind == "review"}
    cuts: list[Cut] = []
    for root in _year_roots(_plan_roots(sections), year):
        intros = _intros(text, root, sections)
        framing_part = root.level == 1 and any(w in root.title for w in r.framing_parts)
        if framing_part and not any(s.parent == root.id and s.level == 2 for s in sections):
            intros.append((root.start, root.end))  # a part that frames the year: 总体要求
        for m in _LINE.finditer(text, root.start, root.end):
            p_start, p_end = m.start(), min(m.end(), root.end)
            body = p_start + len(m.group()) - len(m.group().lstrip(" \t\u3000#*"))
            group: str | None = None
            for s in starts.get(body, ()):
                body = _after_heading(text, body, p_end, s)
            if body >= p_end or p_start in review_paragraphs:
                continue
            deepest = node = index.at(body)
            if node is None or deepest is None or node.part_kind != "plan":
                continue
            while node.level > 2 and node.parent is not None:
                group = group or node.title
                node = index.by_id[node.parent]
            if headline and headline[0] < p_end and p_start < headline[1]:
                h_start = max(body, headline[0])
                h_end = min(p_end, headline[1])
                h_end = h_start + len(text[h_start:h_end].rstrip(_TRIM))
                if not cuts or not cuts[-1].headline:
                    cuts.append(Cut(h_start, h_end, deepest, node, "主要预期目标", headline=True))
                else:  # the list after "主要预期目标是：" on its own line joins the same task
                    last = cuts[-1]
                    cuts[-1] = Cut(last.start, h_end, last.section, last.heading, last.group, headline=True)
                continue
            if any(a <= body < b for a, b in intros):
                continue
            if is_framing(text[body:p_end]):
                body = _after_framing(text, body, p_end, r)
                if body >= p_end:
                    continue
            cuts.extend(_cut_paragraph(text, body, p_end, (deepest, node), group, r))
    return cuts


def _after_framing(text: str, start: int, end: int, r: _Rules) -> int:
    """Where the commitments start in a paragraph that opens framing ("各位代表！完成好今年各项
    工作任务，我们必须…。要坚持依法行政。认真接受…"): after its framing sentences, when at least
    ``framing_paragraph_min_rest`` sentences follow them; else ``end`` (all of it frames)."""
    starts = _sentence_starts(text[start:end])
    first = 1
    while first < len(starts):
        sentence = text[
            start + starts[first] : start + (starts[first + 1] if first + 1 < len(starts) else end - start)
        ]
        if not (is_framing(sentence) or any(w in sentence for w in r.framing_sentence_words)):
            break
        first += 1
    if len(starts) - first < r.framing_min_rest:
        return end
    return start + starts[first]


def _sentence_starts(para: str) -> list[int]:
    """Where each sentence of a paragraph starts (after 。！？ outside quotes and brackets)."""
    out = [0]
    for _a, b, ends_sentence in split_clauses(para):
        if ends_sentence and b + 1 < len(para):
            out.append(b + 1)
    return out


def _cut_paragraph(
    text: str, start: int, end: int, where: tuple[Section, Section], group: str | None, r: _Rules
) -> list[Cut]:
    para = text[start:end]
    clauses = split_clauses(para)
    out: list[Cut] = []
    due_span: tuple[int, int] | None = None
    sentence_open = True
    for k, (a, b, ends_sentence) in enumerate(clauses):
        raw = para[a:b]
        if sentence_open:
            due_span = _deadline_prefix(raw, start + a, r)
        opens = sentence_open
        sentence_open = ends_sentence
        lead = strip_prefix(raw)
        clause = raw[lead:].rstrip(_TRIM)
        listing = k + 1 < len(clauses) and not clauses[k + 1][2]  # the next sentence has a ；
        has_comma = "，" in clause or "," in clause
        if opens and ends_sentence and listing and not has_comma and len(clause) <= r.max_sublead:
            continue  # a sub-lead naming the line of work the clauses after it list
        blank = len(raw) - len(raw.lstrip(_TRIM))
        numbered = r.ordinals.match(raw, blank) is not None
        said = r.lead_openers.match(raw, blank) if not numbered else None
        if said is not None:  # "要坚持依法行政。": the opener is not part of the line of work
            numbered, clause = True, raw[said.end() :].rstrip(_TRIM)
        if (
            numbered
            and opens
            and ends_sentence
            and k + 1 < len(clauses)
            and not has_comma
            and not _DIGIT.search(clause)
            and len(clause) <= r.max_ordinal_lead
        ):
            group = clause  # "一是做精做优煤及煤化工产业。": the group of the tasks after it
            continue
        if said is not None:
            clause = raw[lead:].rstrip(_TRIM)
        if len(clause) < r.min_chars or is_attitude(clause):
            continue
        c_start = start + a + lead
        out.append(Cut(c_start, c_start + len(clause), *where, group, due_span=due_span))
        if ends_sentence:
            due_span = None
    return out


def _deadline_prefix(clause: str, offset: int, r: _Rules) -> tuple[int, int] | None:
    """The span of a deadline standing alone before a sentence's first comma (到年底，…)."""
    comma = min((i for i in (clause.find("，"), clause.find(",")) if i != -1), default=-1)
    if comma <= 0 or comma > r.deadline_prefix_max:
        return None
    head = clause[:comma]
    found = parse_deadline(head, year=2000)
    if found is None or len(head.strip(" \u3000")) - len(found.text) > 3:
        return None
    return offset, offset + comma
