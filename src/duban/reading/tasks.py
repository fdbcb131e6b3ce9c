"""Tasks of a work report: the plan part's commitment clauses, with what, where, when and figures.

Owns ``extract_tasks`` and the describing helpers (``find_action``, ``find_projects``,
``find_places``, ``find_counts``). Where a task starts and ends is ``duban.reading.cut``'s
(one commitment clause a task, as a 督查室 cuts the plan); this module names each one's action
and object, its projects, places and counts (words in ``lexicon/tasks.yaml``), its deadline
(``duban.reading.deadlines``), the plan-period figures inside its span (from the quantities
already read, never read twice) and the unit a routing rule gives it (``duban.reading.leads``).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from duban.reading.cut import cut_plan
from duban.reading.deadlines import parse_deadline
from duban.reading.leads import route_lead
from duban.reading.lexicon_file import load_yaml
from duban.reading.model import Deadline, Quantity, Section, Task
from duban.reading.trie import alternation as _alternation

_QUOTED = re.compile(r"“([^“”\n]{2,30})”|《([^《》\n]{2,40})》")
_BOUNDARY = re.compile(r"[\s，,。；;、：:“”《》（）()]")
_PROJECT_LEAD = re.compile(
    r"^(?:在建|拟建|[和与及等为以在将把对要再]|(?:\d+(?:\.\d+)?|[一二两三四五六七八九十百千]+)[个座项条家批所])*"
)
_PROJECT_SUFFIX_END = re.compile(r"(?:项目|工程|基地|产业园区|园区|产业园|电站|枢纽|平台|中心)$")
_HAS_NUMBER = re.compile(r"[\d一二两三四五六七八九十百千]")
_TRIM = " \t\u3000，,；;：:。！？!?、"


@dataclass(frozen=True)
class _Lexicon:
    verbs: re.Pattern[str]
    verb_words: frozenset[str]
    adverbs: frozenset[str]
    noun_prone: frozenset[str]
    noun_prone_after: str
    last_verb: re.Pattern[str]
    verb_before: re.Pattern[str]
    lead_words: re.Pattern[str]
    projects: re.Pattern[str]
    generic_project: re.Pattern[str]
    places: re.Pattern[str]
    place_leading: re.Pattern[str]
    place_stop: frozenset[str]
    place_bad_chars: re.Pattern[str]
    place_bad_words: re.Pattern[str]
    not_projects: re.Pattern[str]
    place_bad_endings: dict[str, tuple[str, ...]]
    counts: re.Pattern[str]


def _load() -> dict[str, Any]:
    return load_yaml("tasks.yaml")


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    d = _load()
    verbs = [*d["action_verbs"], *d["compound_actions"]]
    adverbs = list(d["adverbs"])
    not_after = re.escape(d["place_not_followed_by"])
    num = r"(?:\d+(?:\.\d+)?|[一二两三四五六七八九十百千]+)"
    return _Lexicon(
        verbs=re.compile(_alternation([*verbs, *adverbs])),
        verb_words=frozenset(verbs),
        adverbs=frozenset(adverbs),
        noun_prone=frozenset(d["noun_prone_verbs"]),
        noun_prone_after=str(d["noun_prone_after"]),
        last_verb=re.compile("(?:" + _alternation([*verbs, *adverbs]) + ")"),
        verb_before=re.compile("(?:" + _alternation([*verbs, *adverbs]) + ")$"),
        lead_words=re.compile("^(?:" + _alternation([*verbs, *adverbs]) + ")+"),
        projects=re.compile("(?:" + _alternation(d["project_suffixes"]) + ")"),
        generic_project=re.compile(d["generic_project_names"]),
        places=re.compile(r"(?:" + _alternation(d["place_suffixes"]) + rf")(?![{not_after}])"),
        place_leading=re.compile("^(?:" + _alternation([*d["place_leading_words"], *verbs, *adverbs]) + ")+"),
        place_stop=frozenset(d["place_stopwords"]),
        place_bad_chars=re.compile("[" + re.escape(d["place_bad_chars"]) + "]"),
        place_bad_words=re.compile(_alternation(d["place_bad_words"])),
        not_projects=re.compile(d["not_projects"]),
        place_bad_endings={k: tuple(v) for k, v in d["place_bad_endings"].items()},
        counts=re.compile(
            rf"(?<![\d.]){num}(?:\s*(?:—|－|-|~|～|至|到)\s*{num})?\s*(?:多|余|左右)?(?:{d['count_units']})"
        ),
    )


def find_action(clause: str) -> tuple[str, int, int] | None:
    """The action verb of a clause and its span; an adverb before a verb gives way to it.

    >>> find_action("全年建成高标准农田20.8万亩")
    ('建成', 2, 4)
    >>> find_action("持续巩固“大同蓝”")
    ('巩固', 2, 4)
    >>> find_action("加快建设陆港型国家物流枢纽")
    ('加快建设', 0, 4)
    >>> find_action("落实好结构性减税降费政策")
    ('落实好', 0, 3)
    >>> find_action("营商环境明显改善") is None
    True
    """
    lex = _lexicon()
    pos = 0
    while True:
        m = lex.verbs.search(clause, pos)
        if m is None:
            return None
        word, start, end = m.group(), m.start(), m.end()
        nxt = lex.verbs.match(clause, end)
        if word in lex.adverbs and (word not in lex.verb_words or nxt is not None):
            if nxt is None:  # an adverb before something else: look further
                pos = end
                continue
            if nxt.group() in lex.adverbs and nxt.group() not in lex.verb_words:
                pos = nxt.start()
                continue
            start, end = nxt.start(), nxt.end()
            if clause.startswith("好", end):
                end += 1
            return clause[start:end], start, end
        if word in lex.noun_prone and start > 0 and not _verb_context(clause[:start]):
            pos = end
            continue
        if clause.startswith("好", end):  # 落实好, 办好: the result complement joins the verb
            end += 1
        return clause[start:end], start, end


def _verb_context(before: str) -> bool:
    """Whether the text before a noun-prone verb lets it act as a verb (大力发展, 要建设)."""
    lex = _lexicon()
    if not before or before[-1] in lex.noun_prone_after or not ("\u4e00" <= before[-1] <= "\u9fff"):
        return True
    return lex.verb_before.search(before, max(0, len(before) - 6)) is not None


def find_projects(text: str) -> list[str]:
    """Named projects: text in “”/《》 and names ending with 项目/工程/基地/电站….

    >>> find_projects("开工建设华严安麓高端酒店项目和“引黄入桑”工程")
    ['引黄入桑', '华严安麓高端酒店项目']
    >>> find_projects("推动8个项目早日开工")
    []
    """
    lex = _lexicon()
    found: list[str] = []
    if "“" not in text and "《" not in text and lex.projects.search(text) is None:
        return found
    for m in _QUOTED.finditer(text):
        quoted = m[1] or m[2]
        if not lex.not_projects.match(quoted):
            found.append(quoted)
    plain = _QUOTED.sub("，", text) if found or "“" in text or "《" in text else text
    suffixes = list(lex.projects.finditer(plain))
    if not suffixes:
        return found
    bounds = [b.end() for b in _BOUNDARY.finditer(plain)]
    verb_ends = [v.end() for v in lex.last_verb.finditer(plain)]
    cut = 0
    for m in suffixes:
        lo = max(cut, bounds[bisect_right(bounds, m.start()) - 1] if bounds and bounds[0] <= m.start() else 0)
        cut = end = m.end()
        starts = [lo, *verb_ends[bisect_left(verb_ends, lo + 1) : bisect_right(verb_ends, m.start())]]
        name = ""
        for start in reversed(starts):  # the latest verb that leaves a name before the suffix
            cand = plain[start:end]
            cut_at = max(
                cand.rfind("的"), cand.rfind("等"), cand.rfind("和"), cand.rfind("及"), cand.rfind("与")
            )
            cand = _PROJECT_LEAD.sub("", lex.lead_words.sub("", cand[cut_at + 1 :]))
            stem = cand[: len(cand) - len(m.group())]
            if len(stem) >= 2:  # the nearest verb leaves a name; an earlier one would swallow it
                name = "" if lex.generic_project.match(stem) else cand
                break
        if not name or (name.endswith("线") and not re.search(r"\d|号线$", name)):
            continue
        if name not in found:
            found.append(name)
    return found


def find_places(text: str) -> list[str]:
    """County, district and town names: 2–4 characters and a suffix (县/区/市/镇/乡/开发区).

    >>> find_places("支持云州区和新荣区建设产业园，在浑源县开展试点")
    ['云州区', '新荣区', '浑源县']
    >>> find_places("加快京津冀地区协同，繁荣城市市场，建设全市示范区")
    []
    """
    lex = _lexicon()
    found: list[str] = []
    prev_end = 0
    for m in lex.places.finditer(text):
        suffix = m.group()
        lo = max(prev_end, m.start() - 8)
        back = text[lo : m.start()]
        run = re.search(r"[\u4e00-\u9fff]+$", back)
        prev_end = m.end()
        if run is None:
            continue
        name = re.split(r"[和与及的在对把将为以到向从等了是由并]", run.group())[-1]
        verb_ends = [v.end() for v in lex.last_verb.finditer(name)]
        if verb_ends:
            name = name[verb_ends[-1] :]
        while True:
            stripped = lex.place_leading.sub("", name)
            if stripped == name:
                break
            name = stripped
        if len(name) > 4:
            continue
        if len(name) < 2 or name in lex.place_stop or lex.place_bad_chars.search(name):
            continue
        if lex.place_bad_words.search(name):
            continue
        if len(suffix) == 1 and name.endswith(lex.place_bad_endings.get(suffix, ())):
            continue
        place = name + suffix
        if place not in found:
            found.append(place)
    return found


def find_counts(text: str) -> list[str]:
    """The figures of a clause as written, with their unit.

    >>> find_counts("全年建成高标准农田20.8万亩，新建5G基站3座、学校1—2个，增长6.5%左右")
    ['20.8万亩', '3座', '1—2个', '6.5%']
    """
    if _HAS_NUMBER.search(text) is None:
        return []
    return [m.group().strip() for m in _lexicon().counts.finditer(text)]


def extract_tasks(
    text: str,
    sections: list[Section],
    *,
    year: int | None,
    line_of: Callable[[int], int],
    quantities: Sequence[Quantity] = (),
    headline: tuple[int, int] | None = None,
    place: str = "",
) -> list[Task]:
    """Every task of the plan part as a Task, in text order (ids T1, T2, …), with its figures.

    The cut is ``duban.reading.cut``'s; ``quantities`` are the report's figures already read
    (their plan-period targets inside a task's span become its ``targets``), ``headline`` the
    主要预期目标 paragraph's span.
    """
    figures = sorted((q for q in quantities if q.kind == "target"), key=lambda q: q.start)
    fig_starts = [q.start for q in figures]
    tasks: list[Task] = []
    for cut in cut_plan(text, sections, headline=headline, year=year):
        clause = text[cut.start : cut.end]
        inside = [
            q
            for q in figures[bisect_left(fig_starts, cut.start) : bisect_left(fig_starts, cut.end)]
            if q.end <= cut.end or cut.headline
        ]
        action = find_action(clause)  # None for verbs the lexicon lacks (紧盯, 瞄准): still a task
        counts = find_counts(clause)
        verb, a_end = (action[0], action[2]) if action else ("", 0)
        deadline = parse_deadline(clause, year=year)
        if deadline is None and cut.due_span is not None:
            deadline = parse_deadline(text[cut.due_span[0] : cut.due_span[1]], year=year)
        if deadline is None and cut.headline:  # the year's targets are due at its end
            deadline = Deadline(text="全年", due=date(year, 12, 31) if year else None)
        tasks.append(
            Task(
                id=f"T{len(tasks) + 1}",
                section=cut.section.id,
                text=clause,
                action=verb,
                object=clause[a_end:].strip(_TRIM),
                start=cut.start,
                end=cut.end,
                line=line_of(cut.start),
                projects=find_projects(clause),
                places=find_places(clause),
                counts=counts,
                deadline=deadline,
                group=cut.group,
                targets=inside,
                lead=route_lead(
                    text=clause,
                    section_title=" › ".join(x for x in (cut.heading.title, cut.group) if x),
                    place=place,
                    year=year,
                ),
                headline=cut.headline,
            )
        )
    return tasks
