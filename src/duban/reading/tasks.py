"""Tasks of a work report: every commitment clause in its plan part, with what, where and when.

Owns ``extract_tasks`` and its helpers (``split_clauses``, ``find_action``, ``find_projects``,
``find_places``, ``find_counts``). Words — action verbs, adverbs, project and place suffixes,
count units — live in ``lexicon/tasks.yaml``; deadlines come from ``duban.reading.deadlines``.

A clause is a stretch between ，；。！？： outside quotes and brackets; a clause whose verb has
nothing after it ("加快建设，") keeps the next clause as its object. Headings (levels 1–2) and the
main-targets paragraph are not tasks: they are themes and figures, read elsewhere.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from duban.reading.deadlines import parse_deadline
from duban.reading.model import Deadline, Section, Task
from duban.reading.structure import SectionIndex, find_headline_block, split_sentences

_CLAUSE_MARK = re.compile(r"[，,；;：:。！？!?“”《》（）()「」]")
_CLAUSE_RUN = re.compile(r"[^，,；;：:。！？!?]+")
_BRACKET = re.compile(r"[“”《》（）()「」]")
_OPEN = frozenset("“《（(「")
_CLOSE = frozenset("”》）)」")
_ENUM = re.compile(
    r"^(?:[一二三四五六七八九十]是|[（(][一二三四五六七八九十\d]+[）)]|\d+[.．、]|[—-]{1,2}|第[一二三四五六七八九十]+[，、])\s*"
)
_QUOTED = re.compile(r"“([^“”\n]{2,30})”|《([^《》\n]{2,40})》")
_BOUNDARY = re.compile(r"[\s，,。；;、：:“”《》（）()]")
_PROJECT_LEAD = re.compile(
    r"^(?:在建|拟建|[和与及等为以在将把对要再]|(?:\d+(?:\.\d+)?|[一二两三四五六七八九十百千]+)[个座项条家批所])*"
)
_PROJECT_SUFFIX_END = re.compile(r"(?:项目|工程|基地|产业园区|园区|产业园|电站|枢纽|平台|中心)$")
_ENUM_FIRST = frozenset("一二三四五六七八九十（(0123456789—-第")
_HAS_NUMBER = re.compile(r"[\d一二两三四五六七八九十百千]")
_TRIM = " \t\u3000，,；;：:。！？!?、"
MIN_CLAUSE_CHARS = 4


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
    slogans: re.Pattern[str]
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


def _alternation(words: Sequence[str]) -> str:
    """A regex matching any of ``words``, longest first, built as a trie (fast in ``re``).

    >>> _alternation(["开工", "开工建设", "推动", "推进"])
    '(?:开(?:工(?:建设)?)|推[动进])'
    """
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _trie_regex(trie)


def _trie_regex(node: dict[str, Any]) -> str:
    ends = "" in node
    keys = sorted(k for k in node if k)
    if not keys:
        return ""
    if all(set(node[k]) == {""} for k in keys) and len(keys) > 1:
        body = "[" + "".join(re.escape(k) for k in keys) + "]"
    else:
        alts = [re.escape(k) + _trie_regex(node[k]) for k in keys]
        body = alts[0] if len(alts) == 1 and len(alts[0]) == 1 else "(?:" + "|".join(alts) + ")"
    return body + "?" if ends else body


def _load() -> dict[str, Any]:
    text = resources.files("duban.reading").joinpath("lexicon/tasks.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


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
        slogans=re.compile("|".join(f"(?:{p})" for p in d["slogan_patterns"])),
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


def split_clauses(sentence: str) -> list[tuple[int, int]]:
    """Clause spans in a sentence, split at ，；：。！？ outside quotes and brackets.

    >>> s = "力争光伏项目上半年建成并网，风电项目“三季度，建成”；加快推进"
    >>> [s[a:b] for a, b in split_clauses(s)]
    ['力争光伏项目上半年建成并网', '风电项目“三季度，建成”', '加快推进']
    """
    if _BRACKET.search(sentence) is None:  # the common case: no quotes, no brackets
        return [m.span() for m in _CLAUSE_RUN.finditer(sentence)]
    spans: list[tuple[int, int]] = []
    start = 0
    depth = 0
    for m in _CLAUSE_MARK.finditer(sentence):
        ch = m.group()
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif depth == 0:
            if m.start() > start:
                spans.append((start, m.start()))
            start = m.end()
    if start < len(sentence):
        spans.append((start, len(sentence)))
    return spans


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


def _is_slogan(clause: str) -> bool:
    return _lexicon().slogans.search(clause) is not None


def _plan_sentences(text: str, sections: Sequence[Section]) -> list[tuple[int, int]]:
    """Sentence spans inside the top-most plan sections only (review text is never split)."""
    by_id = {s.id: s for s in sections}
    spans: list[tuple[int, int]] = []
    for sec in sections:
        parent = by_id.get(sec.parent) if sec.parent else None
        if sec.part_kind == "plan" and (parent is None or parent.part_kind != "plan"):
            spans.extend(
                (sec.start + a, sec.start + b) for a, b in split_sentences(text[sec.start : sec.end])
            )
    return spans


def extract_tasks(
    text: str, sections: list[Section], *, year: int | None, line_of: Callable[[int], int]
) -> list[Task]:
    """Every commitment clause of the plan part as a Task, in text order (ids T1, T2, …)."""
    index = SectionIndex(sections)
    headings = {s.start for s in sections if s.level <= 2}
    headline = find_headline_block(text, sections)
    tasks: list[Task] = []
    for s_start, s_end in _plan_sentences(text, sections):
        section = index.at(s_start)
        if section is None or section.part_kind != "plan":
            continue
        if s_start in headings or (headline and headline[0] <= s_start < headline[1]):
            continue
        sentence = text[s_start:s_end]
        if sentence.startswith("各位代表"):  # an address to the deputies, not a commitment
            continue
        sentence_deadline: Deadline | None = None
        sentence_checked = False  # the sentence's deadline is parsed on first need
        clauses = split_clauses(sentence)
        i = 0
        while i < len(clauses):
            c_start, c_end = clauses[i]
            i += 1
            raw = sentence[c_start:c_end]
            lead = len(raw) - len(raw.lstrip(_TRIM))
            if lead < len(raw) and raw[lead] in _ENUM_FIRST:
                enum = _ENUM.match(raw[lead:])
                if enum:
                    lead += enum.end()
            clause = raw[lead:].rstrip(_TRIM)
            if len(clause) < MIN_CLAUSE_CHARS or clause.startswith("各位代表"):
                continue
            action = find_action(clause)
            if action is None:
                continue
            verb, _a_start, a_end = action
            obj = clause[a_end:].strip(_TRIM)
            if len(obj) < 2 and i < len(clauses):  # keep the clause with its object
                c_end = clauses[i][1]
                i += 1
                clause = sentence[c_start + lead : c_end].rstrip(_TRIM)
                obj = clause[a_end:].strip(_TRIM)
            if len(obj) < 2 or _is_slogan(clause):
                continue
            start = s_start + c_start + lead
            deadline = parse_deadline(clause, year=year)
            if deadline is None:
                if not sentence_checked:
                    sentence_deadline = parse_deadline(sentence, year=year)
                    sentence_checked = True
                deadline = sentence_deadline
            tasks.append(
                Task(
                    id=f"T{len(tasks) + 1}",
                    section=section.id,
                    text=clause,
                    action=verb,
                    object=obj,
                    start=start,
                    end=start + len(clause),
                    line=line_of(start),
                    projects=find_projects(clause),
                    places=find_places(clause),
                    counts=find_counts(clause),
                    deadline=deadline,
                )
            )
    return tasks
