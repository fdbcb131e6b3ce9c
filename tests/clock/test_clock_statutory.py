"""暂定 years: the statutory rules as data, 清明 by formula, and how well the rules reproduce the
official days off of the years the package holds (the 调休 they cannot know aside)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
import pytest
from chinese_calendar import constants
from hypothesis import given, settings
from hypothesis import strategies as st

from duban.clock import SHANGHAI, DutySnapshot, WorkCalendar, evaluate, load_policy
from duban.clock.calendar import CalendarGap, provisional_note
from duban.clock.statutory import load_statutory_rules, qingming, statutory_days

RULES = load_statutory_rules()
OFFICIAL = WorkCalendar.default()
CAL = WorkCalendar.load()
NAMES = {h.en: h.name for h in RULES.holidays}  # the package's English names → the rules' names


def _days(year: int) -> list[date]:
    return [
        date(year, 1, 1) + timedelta(days=i) for i in range((date(year + 1, 1, 1) - date(year, 1, 1)).days)
    ]


def test_the_rules_file_is_valid_and_names_every_statutory_holiday() -> None:
    assert [h.name for h in RULES.holidays] == [
        "元旦",
        "春节",
        "清明节",
        "劳动节",
        "端午节",
        "中秋节",
        "国庆节",
    ]
    assert sum(h.days for h in RULES.holidays) == 13  # 2024 revision: 11 → 13 days
    assert RULES.effective_from == 2025 and RULES.horizon_years >= 1
    assert set(NAMES) <= {n for n in constants.holidays.values()}


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("holidays: []\n", ["holidays", "非空列表"]),
        ("effective_from: 2025\nhorizon_years: 5\nholidays:\n  - {name: 元旦, start: {solar: 13-01}, days: 1}\n",
         ["holidays[0].start.solar", "月-日"]),
        ("effective_from: 2025\nhorizon_years: 5\nholidays:\n  - {name: 清明节, start: {solar_term: 清明}, days: 1}\n",
         ["solar_term", "清明"]),
        ("effective_from: 2025\nhorizon_years: 5\nholidays:\n  - {name: 元旦, start: {solar: 01-01}, days: two}\n",
         ["holidays[0].days", "整数"]),
    ],
)  # fmt: skip
def test_a_bad_rules_file_names_the_field(tmp_path: Path, text: str, words: list[str]) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError) as info:
        load_statutory_rules(path)
    assert all(w in str(info.value) for w in words), str(info.value)


def test_qingming_by_formula_matches_the_package_solar_terms_every_year() -> None:
    years = range(2004, 2100)
    terms = {d.year: d for d, name in chinese_calendar.get_solar_terms(date(2004, 1, 1), date(2099, 12, 31))
             if name == "清明"}  # fmt: skip
    assert len(terms) == len(years)
    assert {y: qingming(y) for y in years} == terms


@pytest.mark.parametrize("year", [2025, 2026])
def test_under_the_2024_revision_every_statutory_day_is_an_official_day_off(year: int) -> None:
    """除夕 to 初三, 5月1–2日, … and each 补假: all inside that holiday's official break."""
    for h in RULES.holidays:
        one = replace(RULES, holidays=(h,), make_up_weekend=False)
        first = _first_statutory_day(h.name, year)
        stated = [first + timedelta(days=i) for i in range(h.days)]
        assert not any(chinese_calendar.is_workday(d) for d in stated), (h.name, stated)
        assert statutory_days(year, one).keys() <= set(stated)
    assert statutory_days(year).keys() <= constants.holidays.keys()


def _first_statutory_day(name: str, year: int) -> date:
    from lunardate import LunarDate

    if name == "春节":
        return LunarDate(year, 1, 1).to_solar_date() - timedelta(days=1)
    if name == "端午节":
        return LunarDate(year, 5, 5).to_solar_date()
    if name == "中秋节":
        return LunarDate(year, 8, 15).to_solar_date()
    if name == "清明节":
        return qingming(year)
    return {"元旦": date(year, 1, 1), "劳动节": date(year, 5, 1), "国庆节": date(year, 10, 1)}[name]


def _explained(d: date, year: int) -> bool:
    """A day where the 暂定 year and the official one disagree is explained by 调休: a weekend worked,
    or a weekday off inside an official break that holds a statutory day of the same holiday."""
    if d in constants.workdays:
        return True
    if d not in constants.holidays:
        return False
    name = constants.holidays[d]
    block = {d}
    for step in (1, -1):
        e = d + timedelta(days=step)
        while e in constants.holidays or (e.weekday() >= 5 and e not in constants.workdays):
            block.add(e)
            e += timedelta(days=step)
    rule_days = {x for x, n in statutory_days(year).items() if n == NAMES.get(name, name)}
    return bool(block & rule_days) or constants.holidays[d] not in NAMES


def test_the_rules_reproduce_the_official_days_off_2020_to_2026_except_the_tiaoxiu() -> None:
    """Every day the 暂定 rules get wrong for 2020–2026 is 调休, except 除夕 2024 (below)."""
    wrong_off: list[date] = []
    differ = []
    for year in range(2020, 2027):
        provisional = statutory_days(year)
        wrong_off += [d for d in provisional if chinese_calendar.is_workday(d)]
        differ += [
            d
            for d in _days(year)
            if (d.weekday() < 5 and d not in provisional) != chinese_calendar.is_workday(d)
        ]
    # the one day the rules give off that was worked: 除夕 2024, a statutory holiday only since the
    # 2024 revision (in force from 2025)
    assert wrong_off == [date(2024, 2, 9)]
    unexplained = [d for d in differ if d not in wrong_off and not _explained(d, d.year)]
    assert unexplained == []
    assert 0 < len(differ) < 20 * 7  # docs/clock.md reports the measured count (86 days in 7 years)


def test_the_load_computes_the_years_after_the_package_as_provisional() -> None:
    assert CAL.provisional == frozenset(range(2027, 2027 + RULES.horizon_years))
    assert CAL.sources[2027].startswith("暂定") and CAL.sources[2026].startswith("chinesecalendar")
    assert CAL.is_workday(date(2027, 1, 1)) is False  # 元旦
    assert CAL.is_workday(date(2027, 2, 5)) is False  # 除夕, a Friday
    assert CAL.is_workday(date(2027, 2, 10)) is False  # 补假 for 初一 and 初二 on the weekend
    assert CAL.is_workday(date(2027, 2, 11)) is True
    assert CAL.is_workday(date(2027, 1, 4)) is True
    assert CAL.add_workdays(date(2026, 12, 30), 5) == date(2027, 1, 7)
    assert CAL.provisional_in(date(2026, 12, 1), date(2026, 12, 31)) == ()
    assert CAL.provisional_in(date(2027, 3, 1), date(2026, 12, 30)) == (2027,)
    with pytest.raises(CalendarGap):  # beyond the horizon the clock still refuses to guess
        CAL.is_workday(date(2027 + RULES.horizon_years, 1, 4))
    assert WorkCalendar.load(provisional=False).years == OFFICIAL.years


def test_an_evaluation_says_which_provisional_years_it_depends_on() -> None:
    policy = load_policy("13710")

    def assigned(day: date) -> DutySnapshot:
        from datetime import datetime, time

        ts = datetime.combine(day, time(9), tzinfo=SHANGHAI)
        return DutySnapshot(id=1, assigned_at=ts, major=False, status="assigned", due=None, deployed_at=None,
                         first_feedback_at=None, last_feedback_at=None, closure_requested_at=None, closed_at=None)  # fmt: skip

    from datetime import datetime, time

    now = datetime.combine(date(2026, 12, 28), time(12), tzinfo=SHANGHAI)
    ev = evaluate(assigned(date(2026, 12, 28)), policy, CAL, now)
    assert ev.provisional and ev.provisional_years == (2027,)
    assert [(m.key, m.provisional) for m in ev.milestones] == [
        ("deploy", False), ("first_feedback", False), ("settle", True)
    ]  # fmt: skip
    assert provisional_note(ev.provisional_years) == "（含暂定日历：2027年）"
    # a duty whose every count stays in 2026 does not depend on 2027
    ev = evaluate(assigned(date(2026, 12, 1)), policy, CAL, now)
    assert not ev.provisional and ev.provisional_years == ()
    # overdue and escalated in 2027: the action's due date is provisional too
    later = datetime.combine(date(2027, 1, 8), time(12), tzinfo=SHANGHAI)
    ev = evaluate(assigned(date(2026, 12, 28)), policy, CAL, later)
    assert ev.provisional_years == (2027,)
    assert {a.key: a.provisional for a in ev.actions}["remind:settle"] is True
    assert {a.key: a.provisional for a in ev.actions}["remind:deploy"] is False


STRICT = WorkCalendar.default()
POLICY = load_policy("13710")


@settings(max_examples=300, deadline=None)
@given(
    start=st.dates(min_value=date(2020, 1, 1), max_value=date(2026, 12, 31)),
    days=st.integers(min_value=0, max_value=400),
    major=st.booleans(),
    due=st.one_of(st.none(), st.dates(min_value=date(2020, 1, 1), max_value=date(2027, 12, 31))),
)
def test_counting_with_provisional_years_changes_nothing_where_the_official_calendar_answers(
    start: date, days: int, major: bool, due: date | None
) -> None:
    """The watched view counts exactly as the calendar; only the 暂定 years are noted."""
    from datetime import datetime, time

    duty = DutySnapshot(id=1, assigned_at=datetime.combine(start, time(9), tzinfo=SHANGHAI), major=major,
                     status="assigned", due=due, deployed_at=None, first_feedback_at=None, last_feedback_at=None,
                     closure_requested_at=None, closed_at=None)  # fmt: skip
    now = datetime.combine(start + timedelta(days=days), time(12), tzinfo=SHANGHAI)
    try:
        strict = evaluate(duty, POLICY, STRICT, now)
    except CalendarGap:
        ev = evaluate(duty, POLICY, CAL, now)  # where the package stops, the 暂定 year answers
        assert ev.provisional_years and set(ev.provisional_years) <= CAL.provisional
        return
    ev = evaluate(duty, POLICY, CAL, now)
    assert ev.provisional_years == ()
    assert ev == strict
