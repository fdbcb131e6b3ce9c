"""The unit that would lead a task: keyword routing, one implementation for reader and ledger.

Owns :class:`Router` (rules in, the best rule for a text and a section title out),
``route_lead`` and ``unit_at_level`` (a city unit's name at a province's, the State Council's, an
autonomous prefecture's or a county's level, from ``lexicon/leads.yaml``). The rules are data: a
unit, keywords and section words, as in the ledger's ``rules/routing.yaml``, which the reader reads
by path so a task read and a duty routed get the same unit without the reading package importing
the ledger (the ledger's ``route`` builds its
``Router`` from the rules it parsed and validated). Scoring: 2 points a keyword found in the
text, 1 a section word found in the section's title; the best score wins, then the longer
matched words, then the rule listed first; nothing found → None.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from duban.reading.lexicon_file import load_yaml
from duban.reading.trie import alternation

RULES = Path(__file__).resolve().parent.parent / "ledger" / "rules" / "routing.yaml"
KEYWORD_WEIGHT = 2
SECTION_WEIGHT = 1


@dataclass(frozen=True)
class RouteRule:
    """One routing rule: the unit, the words of a text and of a section title that point to it."""

    unit: str
    keywords: tuple[str, ...]
    sections: tuple[str, ...]


@dataclass(frozen=True)
class Routed:
    """The rule a text was routed by: its position, score and the words that matched (rule order)."""

    rule: int
    score: int
    matched: tuple[str, ...]


class Router:
    """Score texts against rules: every keyword found with one trie regex pass over the text."""

    def __init__(self, rules: Iterable[RouteRule]) -> None:
        self.rules = tuple(rules)
        self._sections: dict[str, dict[int, list[str]]] = {}  # a section title → its words per rule
        owners: dict[str, list[int]] = {}
        for n, rule in enumerate(self.rules):
            for w in rule.keywords:
                owners.setdefault(w.upper(), []).append(n)
        # a keyword → (rule, keyword) for it and for every keyword it starts with
        self._within = {
            w: tuple((n, p) for p in owners if w.startswith(p) for n in owners[p]) for w in owners
        }
        self._pattern = re.compile(alternation(list(owners))) if owners else None

    def _found(self, text: str) -> set[tuple[int, str]]:
        """(rule, upper-cased keyword) for every keyword in ``text``, as ``keyword in text`` finds them."""
        found: set[tuple[int, str]] = set()
        pos = 0
        while self._pattern is not None and (m := self._pattern.search(text, pos)) is not None:
            found.update(self._within[m.group()])
            pos = m.start() + 1
        return found

    def _section_words(self, title: str) -> dict[int, list[str]]:
        """The section words of each rule found in a title (titles repeat: kept per router)."""
        if title not in self._sections:
            if len(self._sections) >= 4096:  # a batch of many reports: keep the memory bounded
                self._sections.clear()
            upper = title.upper()
            self._sections[title] = {
                n: hits
                for n, rule in enumerate(self.rules)
                if (hits := [w for w in rule.sections if w.upper() in upper])
            }
        return self._sections[title]

    def best(self, *, text: str, section_title: str | None) -> Routed | None:
        """The best rule for ``text`` under ``section_title``, or None when no word matches."""
        found = self._found(text.upper())
        section = self._section_words(section_title or "")
        best: Routed | None = None
        best_key = (0, 0)
        for n in sorted({n for n, _w in found} | section.keys()):
            rule = self.rules[n]
            hits = [w for w in rule.keywords if (n, w.upper()) in found]
            shits = section.get(n, [])
            score = KEYWORD_WEIGHT * len(hits) + SECTION_WEIGHT * len(shits)
            key = (score, sum(len(w) for w in hits + shits))
            if score and key > best_key:
                best, best_key = Routed(n, score, tuple(hits + shits)), key
        return best


@lru_cache(maxsize=1)
def _default() -> Router:
    try:
        data = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    except OSError:  # the ledger's rules are not installed beside the reader: no routing
        return Router(())
    return Router(
        RouteRule(
            unit=str(rec["unit"]).strip(),
            keywords=tuple(str(w) for w in rec.get("keywords") or [] if str(w).strip()),
            sections=tuple(str(w) for w in rec.get("sections") or [] if str(w).strip()),
        )
        for rec in data.get("rules") or []
    )


def route_lead(
    *, text: str, section_title: str | None, place: str = "", year: int | None = None
) -> str | None:
    """The unit the routing rules give a task's text under a section title, or None; named at
    ``place``'s level (a province's department for "河南省") and as the units were named in
    ``year`` (省农业厅 before the 2018 reform, 省农业农村厅 after).

    >>> route_lead(text="全年建成高标准农田20.8万亩", section_title="坚持强基固本")
    '市农业农村局'
    >>> route_lead(text="全年建成高标准农田20.8万亩", section_title=None, place="河南省")
    '省农业农村厅'
    >>> route_lead(text="全年建成高标准农田20.8万亩", section_title=None, place="江西省", year=2015)
    '省农业厅'
    >>> route_lead(text="各项工作有序推进", section_title=None) is None
    True
    """
    router = _default()
    got = router.best(text=text, section_title=section_title)
    return unit_in_year(unit_at_level(router.rules[got.rule].unit, place), year) if got else None


def unit_in_year(unit: str, year: int | None) -> str:
    """A unit's name as it was in ``year``: reforms renamed departments (2018: 农业厅 → 农业农村厅,
    环境保护厅 → 生态环境厅 …; 2013: 卫生厅 → 卫生和计划生育委员会), ``lexicon/leads.yaml``'s
    ``renamed``. Newest reform first, so a name goes back step by step.

    >>> unit_in_year("省卫生健康委员会", 2010), unit_in_year("市生态环境局", 2017), unit_in_year("市生态环境局", 2024)
    ('省卫生厅', '市环境保护局', '市生态环境局')
    >>> unit_in_year("省林业和草原局", 2015), unit_in_year("市卫生健康委员会", 2010)
    ('省林业厅', '市卫生局')
    """
    if year is None:
        return unit
    for until, names in _renamed():
        if year < until:
            unit = next((unit[: -len(new)] + old for new, old in names if unit.endswith(new)), unit)
    return unit


_MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")


def unit_at_level(unit: str, place: str) -> str:
    """A city unit's name in ``place``'s government: 市商务局 → 省商务厅 (河南省), 自治区商务厅
    (a region), 商务部 (国务院), 县商务局 (a county); a city or a municipality keeps it.

    >>> unit_at_level("市发展和改革委员会", "广西壮族自治区"), unit_at_level("市卫生健康委员会", "样例县")
    ('自治区发展和改革委员会', '县卫生健康局')
    """
    if not unit.startswith("市") or not place or place in _MUNICIPALITIES:
        return unit
    tables = _level_tables()
    if place == "国务院":
        return tables["national"].get(unit, unit)
    for suffix, prefix, table in (
        ("自治区", "自治区", "province"),
        ("省", "省", "province"),
        ("州", "州", "prefecture"),  # 凉山彝族自治州: a city's units under 州
        ("盟", "盟", "prefecture"),
        ("县", "县", "county"),
        ("旗", "旗", "county"),
        ("区", "区", "county"),
    ):
        if place.endswith(suffix):
            return prefix + tables.get(table, {}).get(unit, unit[1:])
    return unit


@lru_cache(maxsize=1)
def _renamed() -> tuple[tuple[int, tuple[tuple[str, str], ...]], ...]:
    raw = load_yaml("leads.yaml").get("renamed") or []
    return tuple(
        (
            int(r["until"]),
            tuple(sorted(((str(k), str(v)) for k, v in r["names"].items()), key=lambda kv: -len(kv[0]))),
        )
        for r in sorted(raw, key=lambda r: -int(r["until"]))
    )


@lru_cache(maxsize=1)
def _level_tables() -> dict[str, dict[str, str]]:
    raw = load_yaml("leads.yaml")
    return {
        level: {str(k): str(v) for k, v in (raw.get(level) or {}).items()}
        for level in ("province", "national", "county")
    }
