"""Place names in a citizen's message (小区, 路, 村, 学校 … and anonymised areas like A3区), by the
patterns in ``lexicon/places.yaml``: what duplicate search and hot topics use to tell where a
case is. Pure: no database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml


@dataclass(frozen=True)
class _PlaceRules:
    admin: re.Pattern[str]
    named: re.Pattern[str]
    not_places: frozenset[str] = field(default_factory=frozenset)
    generic_endings: tuple[str, ...] = ()


@cache
def _place_rules() -> _PlaceRules:
    data: dict[str, Any] = yaml.safe_load(
        resources.files("duban.cases").joinpath("lexicon/places.yaml").read_text(encoding="utf-8")
    )
    suffixes = sorted(data["suffixes"], key=len, reverse=True)
    stop = re.escape(data["stop_chars"])
    body = rf"[^\W_{stop}]{{1,8}}?"
    alternatives = "|".join(map(re.escape, suffixes))
    long_ones = "|".join(re.escape(s) for s in suffixes if len(s) > 1)
    # Non-greedy body, then any longer suffixes that follow at once (杜鹃文苑 + 小区).
    named = re.compile(rf"{body}(?:{alternatives})(?:{long_ones})*")
    return _PlaceRules(
        admin=re.compile(data["admin"]),
        named=named,
        not_places=frozenset(data["not_places"]),
        generic_endings=tuple(data["generic_endings"]),
    )


def extract_places(text: str) -> list[str]:
    """Place names in a text, in order of first mention, without repeats.

    Anonymised areas (A市, A3区) come out on their own; named places (小区, 路, 村, 学校 …)
    are cut at the area name or a function word before them.

    >>> extract_places("A市A3区杜鹃文苑小区外，杜鹃路和雷峰大道交界处")
    ['A市', 'A3区', '杜鹃文苑小区', '杜鹃路', '雷峰大道']
    >>> extract_places("反映A7县春华镇金鼎村水泥路的问题")
    ['A7县', '春华镇', '金鼎村', '水泥路']
    """
    rules = _place_rules()
    found: list[tuple[int, str]] = []
    spans: list[tuple[int, int]] = []
    for m in rules.admin.finditer(text):
        found.append((m.start(), m.group()))
        spans.append(m.span())
    # Named places are searched in the pieces between area names, so "A3区" never starts one.
    start = 0
    for a, b in [*spans, (len(text), len(text))]:
        piece = text[start:a]
        for m in rules.named.finditer(piece):
            name = m.group()
            if name in rules.not_places or len(name) < 2 or name.endswith(rules.generic_endings):
                continue
            found.append((start + m.start(), name))
        start = b
    out: list[str] = []
    for _, name in sorted(found):
        if name not in out:
            out.append(name)
    return out


def specific_places(place: str | None, text: str) -> set[str]:
    """The places that identify where a case is: the given place, else the named (not
    administrative) places in its text."""
    if place:
        return {place.strip()}
    rules = _place_rules()
    return {p for p in extract_places(text) if not rules.admin.fullmatch(p)}
