"""The unit that would lead a task, by the ledger's own routing words (read, not imported).

Owns ``route_lead``. The rules are the ledger's ``rules/routing.yaml`` (pure data: a unit,
keywords, section words); the reader reads the same file so a task read and a duty routed get
the same unit, without the reading package importing the ledger. Scoring is the ledger's:
2 points a keyword found in the task, 1 a section word found in its section's title; the best
score wins, then the longer matched words, then the rule listed first; nothing found → None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from duban.reading.trie import alternation

RULES = Path(__file__).resolve().parent.parent / "ledger" / "rules" / "routing.yaml"
KEYWORD_WEIGHT = 2
SECTION_WEIGHT = 1


@dataclass(frozen=True)
class _Rule:
    unit: str
    keywords: tuple[str, ...]
    sections: tuple[str, ...]


@lru_cache(maxsize=1)
def _rules() -> tuple[_Rule, ...]:
    try:
        data = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    except OSError:  # the ledger's rules are not installed beside the reader: no routing
        return ()
    rules = []
    for rec in data.get("rules") or []:
        words = {
            k: tuple(str(w).upper() for w in rec.get(k) or [] if str(w).strip())
            for k in ("keywords", "sections")
        }
        rules.append(_Rule(str(rec["unit"]).strip(), words["keywords"], words["sections"]))
    return tuple(rules)


@dataclass(frozen=True)
class _Keywords:
    pattern: re.Pattern[str]  # the longest keyword starting at a place
    within: dict[str, tuple[tuple[int, str], ...]]  # a keyword → (rule, keyword) for it and its prefixes


@lru_cache(maxsize=1)
def _keywords() -> _Keywords:
    owners: dict[str, list[int]] = {}
    for n, rule in enumerate(_rules()):
        for w in rule.keywords:
            owners.setdefault(w, []).append(n)
    within = {w: tuple((n, p) for p in owners if w.startswith(p) for n in owners[p]) for w in owners}
    return _Keywords(re.compile(alternation(list(owners))), within)


def _keyword_scores(text: str) -> dict[int, tuple[int, int]]:
    """Each rule's keywords found in ``text``, as (how many, their total length); a keyword
    counts once however often it occurs, as ``keyword in text`` would."""
    kw = _keywords()
    if not kw.within:  # no rules file: no keywords
        return {}
    found: set[tuple[int, str]] = set()
    pos = 0
    while (m := kw.pattern.search(text, pos)) is not None:  # every place a keyword starts
        found.update(kw.within[m.group()])
        pos = m.start() + 1
    scores: dict[int, tuple[int, int]] = {}
    for n, w in found:
        count, length = scores.get(n, (0, 0))
        scores[n] = (count + 1, length + len(w))
    return scores


@lru_cache(maxsize=256)
def _section_scores(section: str) -> dict[int, tuple[int, int]]:
    scores = {}
    for n, rule in enumerate(_rules()):
        found = [w for w in rule.sections if w in section]
        if found:
            scores[n] = (len(found), sum(map(len, found)))
    return scores


def route_lead(*, text: str, section_title: str | None) -> str | None:
    """The unit the routing rules give a task's text under a section title, or None.

    >>> route_lead(text="全年建成高标准农田20.8万亩", section_title="坚持强基固本")
    '市农业农村局'
    >>> route_lead(text="各项工作有序推进", section_title=None) is None
    True
    """
    own = _keyword_scores(text.upper())
    section = _section_scores((section_title or "").upper())
    best: str | None = None
    best_key = (0, 0)
    for n in sorted(own.keys() | section.keys()):  # rule order: the first listed wins a tie
        k_count, k_len = own.get(n, (0, 0))
        s_count, s_len = section.get(n, (0, 0))
        key = (KEYWORD_WEIGHT * k_count + SECTION_WEIGHT * s_count, k_len + s_len)
        if key > best_key:
            best, best_key = _rules()[n].unit, key
    return best
