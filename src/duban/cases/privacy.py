"""What a case shows on Open311's anonymous list (公开): which cases may be published at all, the
address coarsened to 街道/乡镇/社区, the coordinates rounded to about 100 m, and phone numbers, ID
numbers and names masked in the text. The rules are data (``privacy.yaml``); this module is pure
(the query that keeps only publishable cases is ``duban.web.open311_access.published``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

RULES_FILE = Path(__file__).with_name("privacy.yaml")


@dataclass(frozen=True)
class PrivacyRules:
    """The rules of ``privacy.yaml``, compiled."""

    never_case_types: tuple[str, ...]
    never_channels: tuple[str, ...]
    levels: re.Pattern[str]
    not_levels: tuple[str, ...]
    stop: re.Pattern[str]
    decimals: int
    mask: str
    numbers: re.Pattern[str]
    names: re.Pattern[str]


@cache
def load_rules(path: Path = RULES_FILE) -> PrivacyRules:
    """The publication rules (cached)."""
    raw: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    levels = sorted(raw["keep_levels"], key=len, reverse=True)
    cues = "|".join(re.escape(c) for c in raw["name_cues"])
    return PrivacyRules(
        never_case_types=tuple(raw["never_case_types"]),
        never_channels=tuple(raw["never_channels"]),
        levels=re.compile("|".join(re.escape(x) for x in levels)),
        not_levels=tuple(raw["not_levels"]),
        stop=re.compile("|".join(raw["stop_at"])),
        decimals=int(raw["coordinate_decimals"]),
        mask=str(raw["mask"]),
        numbers=re.compile("|".join(f"(?:{p})" for p in [*raw["id_patterns"], *raw["phone_patterns"]])),
        names=re.compile(f"({cues})[：:\\s]*([\u4e00-\u9fff]{{1,{int(raw['name_max'])}}})"),
    )


def coarse_address(address: str | None, rules: PrivacyRules | None = None) -> str | None:
    """The address up to its last administrative level before any road or number (None: nothing left).

    >>> coarse_address("平城区新建南路街道和平路12号3栋201室")
    '平城区新建南路街道'
    >>> coarse_address("云冈区阳光小区5号楼")
    '云冈区'
    >>> coarse_address("和平路12号") is None
    True
    """
    if not address:
        return None
    rules = rules or load_rules()
    text = address.strip()
    end = 0
    first_stop = rules.stop.search(text)
    limit = first_stop.start() if first_stop is not None else len(text)
    for m in rules.levels.finditer(text, 0, limit):
        if _inside_not_level(text, m.start(), m.end(), rules):
            continue
        end = m.end()
    return text[:end] or None


def _inside_not_level(text: str, start: int, end: int, rules: PrivacyRules) -> bool:
    """Whether the level word at ``start:end`` is the tail of a place below it (``小区``)."""
    for word in rules.not_levels:
        for i in range(max(0, end - len(word)), start + 1):
            if text.startswith(word, i) and i + len(word) >= end:
                return True
    return False


def round_coordinate(value: float | None, rules: PrivacyRules | None = None) -> float | None:
    """A latitude or longitude rounded to about 100 m.

    >>> round_coordinate(40.090123)
    40.09
    """
    if value is None:
        return None
    return round(value, (rules or load_rules()).decimals)


def mask_text(text: str | None, rules: PrivacyRules | None = None) -> str | None:
    """Phone numbers, ID numbers and names after 我叫 masked.

    >>> mask_text("我叫张三，电话13812341234，身份证110101199003071234")
    '我叫＊＊，电话＊＊＊＊＊＊＊＊＊＊＊，身份证＊＊＊＊＊＊＊＊＊＊＊＊＊＊＊＊＊＊'
    """
    if not text:
        return text
    rules = rules or load_rules()
    text = rules.numbers.sub(lambda m: rules.mask * len(m.group(0)), text)
    return rules.names.sub(lambda m: m.group(0)[: -len(m.group(2))] + rules.mask * len(m.group(2)), text)
