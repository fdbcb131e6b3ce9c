"""Deadlines in a plan clause: the words a report uses for "by when" and the date they mean.

Owns ``parse_deadline``. The words (季度, 上半年, 年底, 国庆节前, 十四五 …) and the Spring
Festival table live in ``lexicon/tasks.yaml`` under ``deadlines``; the patterns for written
dates ("2024年6月底前", "9月1日前", "10月中旬") are built here once at import.

Every expression found gets a rank of how specific it is (a day 5, a month 4, a quarter 3,
a half-year 2, the year 1, several years 0); the most specific one in the clause wins, the
earliest on a tie, and an expression inside a longer one ("年底" in "2024年底") is dropped.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from duban.reading.lexicon_file import load_yaml
from duban.reading.model import Deadline
from duban.reading.numbers import CN_DIGITS, parse_chinese

_MONTH = r"(?:1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"
_PART = r"(?:底|末|上旬|中旬|下旬|份|初)"
_BEFORE = r"(?:以前|之前|前)?"

_EXPLICIT = re.compile(
    rf"(?P<to>到|至)?(?P<y>(?:19|20)\d\d|[〇零一二三四五六七八九]{{4}})年"
    rf"(?:(?P<m>{_MONTH})月(?:(?P<d>[1-3]?\d)日|(?P<part>{_PART}))?|(?P<ye>底|末))?(?P<before>{_BEFORE})"
)
_MONTH_RE = re.compile(
    rf"(?<![\d年个])(?P<m>{_MONTH})月(?:(?P<d>[1-3]?\d)日|(?P<part>{_PART}))?(?P<before>{_BEFORE})"
)
# Every deadline expression contains one of these; a clause without them is skipped at once.
_TRIGGER = re.compile(
    r"年[底末内]|[全今当明半]年|本年度|\d年|[〇零一二三四五六七八九]{4}年|月|季|节前|国庆|春节|元旦|汛|十[一二三四五六]五|五一"
)
_YEARS_WITHIN = re.compile(r"(?<![\d])(?P<n>[一二两三四五\d])年(?:内|之内)")


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    rank: int
    due: date | None


@dataclass(frozen=True)
class _Rules:
    fixed: re.Pattern[str]
    fixed_meaning: dict[str, tuple[int, int, int, int]]  # word → month, day, rank, year offset
    periods: re.Pattern[str]
    period_year: dict[str, int]
    spring: dict[int, date]


def _lexicon() -> dict[str, Any]:
    return load_yaml("tasks.yaml")


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    spec = _lexicon()["deadlines"]
    meaning: dict[str, tuple[int, int, int, int]] = {}
    for row in spec["fixed"]:
        for word in row["words"]:
            meaning[word] = (
                int(row["month"]),
                int(row["day"]),
                int(row["rank"]),
                int(row.get("year_offset", 0)),
            )
    words = sorted([*meaning, "春节前", "春节期间"], key=len, reverse=True)
    period_year = {str(k): int(v) for k, v in spec["periods"].items()}
    alt = "|".join(map(re.escape, period_year))
    periods = re.compile(f"(?:到|至)“?({alt})”?(?:期间|末期|末|时期)?|“?({alt})”?(?:期间|末期|末|时期)")
    spring = {
        int(k): v if isinstance(v, date) else date.fromisoformat(str(v))
        for k, v in spec["spring_festival"].items()
    }
    return _Rules(re.compile("|".join(map(re.escape, words))), meaning, periods, period_year, spring)


def cn_number(word: str) -> int:
    """A small number written in digits or Chinese numerals.

    >>> cn_number("6"), cn_number("六"), cn_number("十"), cn_number("十二"), cn_number("二〇二五")
    (6, 6, 10, 12, 2025)
    """
    if word.isdigit() and word.isascii():
        return int(word)
    if len(word) > 2 and all(ch in CN_DIGITS for ch in word):
        return int("".join(str(CN_DIGITS[ch]) for ch in word))  # 二〇二五: a year read digit by digit
    value = parse_chinese(word)
    if value is None:
        raise ValueError(f"not a number: {word}")
    return int(value)


def month_end(year: int, month: int) -> date:
    """The last day of a month, February included.

    >>> month_end(2024, 2), month_end(2023, 2), month_end(2023, 6)
    (datetime.date(2024, 2, 29), datetime.date(2023, 2, 28), datetime.date(2023, 6, 30))
    """
    return date(year, month, calendar.monthrange(year, month)[1])


def _month_date(year: int, month: int, day: str | None, part: str | None, before: str) -> tuple[date, int]:
    """The date a month expression means and its rank (5 for a day or a ten-day period)."""
    if day:
        return date(year, month, int(day)), 5
    if part == "上旬":
        return date(year, month, 10), 5
    if part == "中旬":
        return date(year, month, 20), 5
    if part == "初":
        return date(year, month, 10), 5
    if part is None and before:  # "6月前": before June begins
        return (date(year - 1, 12, 31) if month == 1 else month_end(year, month - 1)), 4
    return month_end(year, month), 4


def _candidates(text: str, year: int | None) -> list[_Candidate]:
    rules = _rules()
    found: list[_Candidate] = []
    for m in _EXPLICIT.finditer(text):
        if not (m["m"] or m["ye"] or m["before"] or m["to"]):
            continue  # a bare "2023年" is a year mentioned, not a deadline
        y = cn_number(m["y"])
        try:
            if m["m"]:
                due, rank = _month_date(y, cn_number(m["m"]), m["d"], m["part"], m["before"])
            else:
                due, rank = date(y, 12, 31), 1
        except ValueError:
            continue
        found.append(_Candidate(m.start(), m.end(), rank, due))
    for m in _MONTH_RE.finditer(text):
        if year is None:
            found.append(_Candidate(m.start(), m.end(), 4, None))
            continue
        try:
            due, rank = _month_date(year, cn_number(m["m"]), m["d"], m["part"], m["before"])
        except (ValueError, KeyError):
            continue
        found.append(_Candidate(m.start(), m.end(), rank, due))
    for m in rules.fixed.finditer(text):
        word = m.group()
        if word.startswith("春节"):
            found.append(_Candidate(m.start(), m.end(), 4, rules.spring.get(year) if year else None))
            continue
        month, day, rank, offset = rules.fixed_meaning[word]
        found.append(_Candidate(m.start(), m.end(), rank, date(year + offset, month, day) if year else None))
    for m in rules.periods.finditer(text):
        found.append(_Candidate(m.start(), m.end(), 0, date(rules.period_year[m[1] or m[2]], 12, 31)))
    for m in _YEARS_WITHIN.finditer(text):
        n = cn_number(m["n"])
        found.append(_Candidate(m.start(), m.end(), 0, date(year + n - 1, 12, 31) if year else None))
    return found


def parse_deadline(text: str, *, year: int | None) -> Deadline | None:
    """The most specific deadline expression in a clause, dated in the plan year.

    >>> parse_deadline("力争光伏项目上半年建成并网", year=2023)
    Deadline(text='上半年', due=datetime.date(2023, 6, 30))
    >>> parse_deadline("2024年6月底前完成", year=2023)
    Deadline(text='2024年6月底前', due=datetime.date(2024, 6, 30))
    >>> parse_deadline("年底前建成", year=None)
    Deadline(text='年底前', due=None)
    >>> parse_deadline("推动产业升级", year=2023) is None
    True
    """
    if _TRIGGER.search(text) is None:
        return None
    found = _candidates(text, year)
    if not found:
        return None
    kept = [
        c
        for c in found
        if not any(
            o is not c and o.start <= c.start and c.end <= o.end and (o.end - o.start) > (c.end - c.start)
            for o in found
        )
    ]
    best = min(kept, key=lambda c: (-c.rank, c.start))
    return Deadline(text=text[best.start : best.end], due=best.due)
