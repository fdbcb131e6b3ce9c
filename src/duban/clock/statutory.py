"""Provisional (暂定) days off for a year no official schedule covers, from the statutory rules.

Owns :class:`StatutoryRules` (``rules/statutory.yaml``: the 2024 revision of 全国年节及纪念日放假办法
as data), :func:`load_statutory_rules`, :func:`qingming` (the solar term by formula) and
:func:`statutory_days` (a year's days off by the rules: the holidays themselves and the
make-up day for one that falls on a weekend). No 调休 is guessed: the State Council sets those
each year, and until its notice is loaded the clock counts the year as 暂定.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "RULES_FILE",
    "RuleHoliday",
    "StatutoryRules",
    "load_statutory_rules",
    "qingming",
    "solar_term_day",
    "statutory_days",
]

RULES_FILE = Path(__file__).parent / "rules" / "statutory.yaml"


@dataclass(frozen=True)
class RuleHoliday:
    """One statutory holiday: how its first day is found and how many days it lasts."""

    name: str
    en: str
    kind: str  # "solar" | "lunar" | "solar_term"
    month: int  # solar/lunar month; 0 for a solar term
    day: int  # solar/lunar day; 0 for a solar term
    term: str  # the solar term's name ("" otherwise)
    offset: int
    days: int


@dataclass(frozen=True)
class StatutoryRules:
    """The statutory holidays, from which year they apply, and how far ahead to compute."""

    source: str
    effective_from: int
    horizon_years: int
    make_up_weekend: bool
    solar_terms: dict[str, tuple[int, float, float]]  # name → (month, D, C)
    holidays: tuple[RuleHoliday, ...]


def _fail(path: Path, where: str, what: str) -> ValueError:
    return ValueError(f"放假规则文件 {path} 字段 {where}：{what}")


def _int(data: dict[str, Any], key: str, path: Path, where: str) -> int:
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise _fail(path, f"{where}{key}", f"应为整数，实为 {value!r}")
    return value


def _month_day(text: Any, path: Path, where: str) -> tuple[int, int]:
    try:
        month, day = (int(part) for part in str(text).split("-"))
    except ValueError:
        month = day = 0
    if not (1 <= month <= 12 and 1 <= day <= 31):
        raise _fail(path, where, f"应为“月-日”（如 01-01），实为 {text!r}")
    return month, day


def _holiday(raw: Any, i: int, terms: dict[str, Any], path: Path) -> RuleHoliday:
    where = f"holidays[{i}]."
    if not isinstance(raw, dict):
        raise _fail(path, f"holidays[{i}]", "应为映射")
    start = raw.get("start")
    if not isinstance(start, dict) or len(set(start) & {"solar", "lunar", "solar_term"}) != 1:
        raise _fail(path, f"{where}start", "应含 solar、lunar 或 solar_term 之一")
    offset = start.get("offset", 0)
    if not isinstance(offset, int):
        raise _fail(path, f"{where}start.offset", f"应为整数，实为 {offset!r}")
    month = day = 0
    term = ""
    if "solar_term" in start:
        kind, term = "solar_term", str(start["solar_term"])
        if term not in terms:
            raise _fail(path, f"{where}start.solar_term", f"节气“{term}”未在 solar_terms 中给出公式")
    else:
        kind = "solar" if "solar" in start else "lunar"
        month, day = _month_day(start[kind], path, f"{where}start.{kind}")
    days = _int(raw, "days", path, where)
    if days < 1:
        raise _fail(path, f"{where}days", "应至少为 1 天")
    return RuleHoliday(
        name=str(raw.get("name") or ""),
        en=str(raw.get("en") or ""),
        kind=kind,
        month=month,
        day=day,
        term=term,
        offset=offset,
        days=days,
    )


@cache
def load_statutory_rules(path: Path = RULES_FILE) -> StatutoryRules:
    """The statutory rules from YAML (the built-in file by default), validated; errors name the field."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"放假规则文件 {path}：顶层应为映射")
    terms_raw = data.get("solar_terms") or {}
    terms: dict[str, tuple[int, float, float]] = {}
    for name, formula in terms_raw.items():
        if not isinstance(formula, dict) or not {"month", "D", "C"} <= set(formula):
            raise _fail(path, f"solar_terms.{name}", "应给出 month、D、C")
        terms[str(name)] = (int(formula["month"]), float(formula["D"]), float(formula["C"]))
    holidays = data.get("holidays")
    if not isinstance(holidays, list) or not holidays:
        raise _fail(path, "holidays", "应为非空列表")
    return StatutoryRules(
        source=str(data.get("source") or ""),
        effective_from=_int(data, "effective_from", path, ""),
        horizon_years=_int(data, "horizon_years", path, ""),
        make_up_weekend=bool(data.get("make_up_weekend", False)),
        solar_terms=terms,
        holidays=tuple(_holiday(h, i, terms, path) for i, h in enumerate(holidays)),
    )


def solar_term_day(year: int, month: int, d: float, c: float) -> date:
    """A solar term's date by the 21st-century formula ``floor(Y·D + C) − floor(Y/4)``, Y = year mod 100.

    >>> solar_term_day(2027, 4, 0.2422, 4.81)
    datetime.date(2027, 4, 5)
    """
    if not 2001 <= year <= 2099:
        raise ValueError(f"节气公式只适用于 2001–2099 年，不适用于 {year} 年")
    y = year % 100
    return date(year, month, math.floor(y * d + c) - y // 4)


def qingming(year: int, rules: StatutoryRules | None = None) -> date:
    """清明 (4 or 5 April) in ``year`` by the rules' formula.

    >>> qingming(2026), qingming(2024)
    (datetime.date(2026, 4, 5), datetime.date(2024, 4, 4))
    """
    month, d, c = (rules or load_statutory_rules()).solar_terms["清明"]
    return solar_term_day(year, month, d, c)


def _first_day(h: RuleHoliday, year: int, rules: StatutoryRules) -> date:
    if h.kind == "solar":
        first = date(year, h.month, h.day)
    elif h.kind == "lunar":
        from lunardate import LunarDate

        first = LunarDate(year, h.month, h.day).to_solar_date()
    else:
        month, d, c = rules.solar_terms[h.term]
        first = solar_term_day(year, month, d, c)
    return first + timedelta(days=h.offset)


def statutory_days(year: int, rules: StatutoryRules | None = None) -> dict[date, str]:
    """The days off of ``year`` by the statutory rules, each with its holiday's name.

    A holiday day on a Saturday or Sunday, or on a day another holiday already takes (中秋 on
    国庆), gives a make-up day (补假) on the next weekday not already off, when the rules say so.
    Weekends themselves are not listed.

    >>> days = statutory_days(2027)
    >>> [d.isoformat() for d, n in sorted(days.items()) if n == "春节"]  # 除夕 Fri, 初一/初二 on the weekend
    ['2027-02-05', '2027-02-08', '2027-02-09', '2027-02-10']
    """
    rules = rules or load_statutory_rules()
    off: dict[date, str] = {}
    owed: list[tuple[date, str]] = []
    for h in rules.holidays:
        first = _first_day(h, year, rules)
        for i in range(h.days):
            day = first + timedelta(days=i)
            if day.year != year:  # 除夕 of a Spring Festival on 1 January would fall in the year before
                continue
            if day.weekday() >= 5 or day in off:
                owed.append((day, h.name))
            else:
                off[day] = h.name
    if rules.make_up_weekend:
        for day, name in sorted(owed):
            make_up = day + timedelta(days=1)
            while make_up.weekday() >= 5 or make_up in off:
                make_up += timedelta(days=1)
            if make_up.year == year:
                off[make_up] = name
    return off
