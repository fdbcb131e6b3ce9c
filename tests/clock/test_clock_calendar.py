"""The working-day calendar: statutory holidays and 调休 days, counting across them, gaps, user files."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from duban.clock.calendar import SHANGHAI, CalendarGap, HolidayFileError, WorkCalendar, local_date

CAL = WorkCalendar.default()

# The four holiday periods the clock must get right, as published by the State Council
# (国务院办公厅关于2023年/2025年部分节假日安排的通知). True = working day.
HOLIDAY_FACTS = {
    "2023 Spring Festival": [
        (date(2023, 1, 20), True),  # Friday before the break
        *[(date(2023, 1, d), False) for d in range(21, 28)],  # Jan 21–27 off
        (date(2023, 1, 28), True),  # Saturday worked (调休)
        (date(2023, 1, 29), True),  # Sunday worked (调休)
    ],
    "2023 National Day": [
        (date(2023, 9, 28), True),
        (date(2023, 9, 29), False),  # Mid-Autumn + National Day: Sep 29 – Oct 6 off
        (date(2023, 9, 30), False),
        *[(date(2023, 10, d), False) for d in range(1, 7)],
        (date(2023, 10, 7), True),  # Saturday worked
        (date(2023, 10, 8), True),  # Sunday worked
    ],
    "2025 Spring Festival": [
        (date(2025, 1, 26), True),  # Sunday worked
        (date(2025, 1, 27), True),
        *[(date(2025, 1, d), False) for d in range(28, 32)],  # Jan 28 – Feb 4 off
        *[(date(2025, 2, d), False) for d in range(1, 5)],
        (date(2025, 2, 5), True),
        (date(2025, 2, 8), True),  # Saturday worked
    ],
    "2025 National Day": [
        (date(2025, 9, 28), True),  # Sunday worked
        *[(date(2025, 10, d), False) for d in range(1, 9)],  # Oct 1–8 off
        (date(2025, 10, 9), True),
        (date(2025, 10, 11), True),  # Saturday worked
        (date(2025, 10, 12), False),
    ],
}
FACTS = [(name, d, worked) for name, days in HOLIDAY_FACTS.items() for d, worked in days]


@pytest.mark.parametrize(("period", "day", "worked"), FACTS, ids=[f"{n}-{d}" for n, d, _ in FACTS])
def test_holiday_facts_hold_in_calendar_and_in_chinese_calendar(period: str, day: date, worked: bool) -> None:
    assert chinese_calendar.is_workday(day) is worked, (
        "the package itself disagrees with the published schedule"
    )
    assert CAL.is_workday(day) is worked


ADD_CASES = [
    # (start, n, expected, why)
    (date(2023, 1, 20), 1, date(2023, 1, 28), "Friday before Spring Festival → the working Saturday"),
    (date(2023, 1, 19), 2, date(2023, 1, 28), "Thu +2 skips Jan 21–27"),
    (date(2023, 1, 21), 0, date(2023, 1, 28), "n=0 on a holiday → next working day"),
    (date(2023, 1, 20), 0, date(2023, 1, 20), "n=0 on a working day → itself"),
    (date(2023, 1, 28), -1, date(2023, 1, 20), "backwards across the break"),
    (date(2023, 9, 28), 1, date(2023, 10, 7), "National Day 2023 → working Saturday Oct 7"),
    (date(2023, 9, 28), 3, date(2023, 10, 9), "Oct 7, 8, 9"),
    (date(2025, 1, 24), 1, date(2025, 1, 26), "working Sunday Jan 26 2025"),
    (date(2025, 1, 24), 3, date(2025, 2, 5), "Jan 26, 27, then Feb 5"),
    (date(2025, 2, 7), 1, date(2025, 2, 8), "working Saturday Feb 8 2025"),
    (date(2025, 9, 26), 1, date(2025, 9, 28), "working Sunday Sep 28 2025"),
    (date(2025, 9, 26), 4, date(2025, 10, 9), "Sep 28, 29, 30, then Oct 9"),
    (date(2025, 10, 9), 2, date(2025, 10, 11), "working Saturday Oct 11 2025"),
]


@pytest.mark.parametrize(("start", "n", "expected", "why"), ADD_CASES, ids=[c[3] for c in ADD_CASES])
def test_add_workdays_across_holidays(start: date, n: int, expected: date, why: str) -> None:
    assert CAL.add_workdays(start, n) == expected


BETWEEN_CASES = [
    (date(2023, 1, 20), date(2023, 1, 28), 1),
    (date(2023, 1, 20), date(2023, 1, 30), 3),
    (date(2023, 9, 28), date(2023, 10, 9), 3),
    (date(2025, 1, 24), date(2025, 2, 8), 6),  # Jan 26, 27, Feb 5, 6, 7, 8
    (date(2025, 9, 27), date(2025, 10, 12), 6),  # Sep 28, 29, 30, Oct 9, 10, 11
    (date(2025, 10, 12), date(2025, 9, 27), -6),
    (date(2023, 1, 25), date(2023, 1, 25), 0),
]


@pytest.mark.parametrize(
    ("start", "end", "expected"), BETWEEN_CASES, ids=[f"{a}..{b}" for a, b, _ in BETWEEN_CASES]
)
def test_workdays_between_across_holidays(start: date, end: date, expected: int) -> None:
    assert CAL.workdays_between(start, end) == expected


def test_whole_year_counts_match_the_package() -> None:
    for year in (2023, 2025, 2026):
        days = [
            date(year, 1, 1) + timedelta(days=i)
            for i in range((date(year + 1, 1, 1) - date(year, 1, 1)).days)
        ]
        expected = sum(chinese_calendar.is_workday(d) for d in days)
        assert CAL.workdays_between(date(year - 1, 12, 31), date(year, 12, 31)) == expected
    assert CAL.workdays_between(date(2025, 12, 31), date(2026, 12, 31)) == 248


def test_default_years_are_those_the_package_covers() -> None:
    assert min(CAL.years) == 2004
    assert max(CAL.years) == 2026
    assert CAL.years == frozenset(range(2004, 2027))


# --- gaps and user files ---------------------------------------------------------------------------


def test_2027_is_a_gap_with_a_helpful_message() -> None:
    with pytest.raises(CalendarGap) as info:
        CAL.is_workday(date(2027, 1, 4))
    message = str(info.value)
    assert "2027" in message
    assert "节假日文件" in message and "docs/clock.md" in message and "DUBAN_HOLIDAY_FILE" in message
    assert "duban calendar load" in message
    assert info.value.year == 2027


def test_counting_into_a_gap_year_refuses_rather_than_guesses() -> None:
    with pytest.raises(CalendarGap):
        CAL.add_workdays(date(2026, 12, 30), 5)
    with pytest.raises(CalendarGap):
        CAL.workdays_between(date(2026, 12, 1), date(2027, 1, 10))
    with pytest.raises(CalendarGap):
        CAL.is_workday(date(2003, 12, 31))


# An illustrative 2027 schedule written for this test (not the official one).
HOLIDAYS_2027_YAML = """\
# 2027 年放假安排（示例）
2027:
  holidays:
    - 2027-01-01
    - 2027-02-05~2027-02-12
  workdays:
    - 2027-02-13   # 周六调休上班
    - 2027-02-14   # 周日调休上班
"""

HOLIDAYS_2027_CSV = """\
date,type,name
2027-01-01,休,元旦
2027-02-05~2027-02-12,holiday,春节
2027-02-13,班,春节调休
2027-02-14,workday,春节调休
"""


@pytest.mark.parametrize(("suffix", "text"), [(".yaml", HOLIDAYS_2027_YAML), (".csv", HOLIDAYS_2027_CSV)])
def test_user_file_adds_2027(tmp_path: Path, suffix: str, text: str) -> None:
    path = tmp_path / f"holidays{suffix}"
    path.write_text(text, encoding="utf-8")
    cal = WorkCalendar.load(path)
    assert 2027 in cal.years and 2026 in cal.years
    assert 2027 not in cal.provisional and cal.provisional == frozenset(range(2028, 2038))
    assert cal.sources[2027] == "节假日文件 " + path.name
    assert cal.is_workday(date(2027, 1, 1)) is False
    assert cal.is_workday(date(2027, 1, 4)) is True
    assert cal.is_workday(date(2027, 2, 8)) is False  # Monday inside the range
    assert cal.is_workday(date(2027, 2, 14)) is True  # Sunday worked
    assert cal.add_workdays(date(2026, 12, 31), 1) == date(2027, 1, 4)
    assert cal.add_workdays(date(2027, 2, 4), 1) == date(2027, 2, 13)
    assert cal.workdays_between(date(2026, 12, 31), date(2027, 1, 8)) == 5
    # the default years are untouched
    assert cal.is_workday(date(2023, 1, 28)) is True


def test_user_file_overrides_a_year(tmp_path: Path) -> None:
    path = tmp_path / "override.yaml"
    path.write_text("2026:\n  holidays: [2026-01-01]\n  workdays: []\n", encoding="utf-8")
    cal = WorkCalendar.load(path)
    assert CAL.is_workday(date(2026, 10, 1)) is False
    assert cal.is_workday(date(2026, 10, 1)) is True  # the file's 2026 replaces the package's
    assert cal.is_workday(date(2026, 1, 1)) is False
    assert cal.is_workday(date(2025, 10, 1)) is False  # other years kept


def test_load_does_not_read_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings are read once (duban.config) and passed in: the clock itself reads no variable."""
    path = tmp_path / "h.yaml"
    path.write_text(HOLIDAYS_2027_YAML, encoding="utf-8")
    for name in ("DUBAN_HOLIDAYS", "DUBAN_HOLIDAY_FILE"):
        monkeypatch.setenv(name, str(path))
    assert 2027 in WorkCalendar.load().provisional
    assert 2027 not in WorkCalendar.load(path).provisional


BAD_FILES = [
    # (name, text, words the message must contain)
    ("syntax.yaml", "2027:\n  holidays: [2027-01-01\n  workdays: []\n", ["syntax.yaml", "行", "YAML"]),
    (
        "baddate.yaml",
        "2027:\n  holidays:\n    - 2027-01-01\n    - 2027-02-30\n",
        ["baddate.yaml", "2027.holidays[1]", "2027-02-30"],
    ),
    (
        "wrongyear.yaml",
        "2027:\n  holidays: [2028-01-01]\n",
        ["wrongyear.yaml", "2027.holidays[0]", "不属于 2027"],
    ),
    ("field.yaml", "2027:\n  holiday: [2027-01-01]\n", ["field.yaml", "2027.holiday", "未知字段"]),
    ("year.yaml", "twenty:\n  holidays: []\n", ["year.yaml", "twenty", "年份"]),
    (
        "both.yaml",
        "2027:\n  holidays: [2027-02-13]\n  workdays: [2027-02-13]\n",
        ["both.yaml", "2027-02-13", "同时"],
    ),
    ("range.yaml", "2027:\n  holidays: [2027-02-12~2027-02-05]\n", ["range.yaml", "结束早于开始"]),
    ("type.csv", "date,type\n2027-01-01,休\n2027-01-02,rest\n", ["type.csv", "第 3 行", "type", "rest"]),
    ("date.csv", "date,type\n2027-13-01,休\n", ["date.csv", "第 2 行", "date", "2027-13-01"]),
    ("header.csv", "day,kind\n2027-01-01,休\n", ["header.csv", "第 1 行", "表头"]),
    ("short.csv", "date,type\n2027-01-01\n", ["short.csv", "第 2 行"]),
    ("holidays.txt", "2027-01-01\n", ["holidays.txt", ".csv"]),
]


@pytest.mark.parametrize(("name", "text", "words"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_holiday_file_names_file_and_place(
    tmp_path: Path, name: str, text: str, words: list[str]
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(HolidayFileError) as info:
        WorkCalendar.load(path)
    for word in words:
        assert word in str(info.value)


def test_missing_holiday_file(tmp_path: Path) -> None:
    with pytest.raises(HolidayFileError, match="不存在"):
        WorkCalendar.load(tmp_path / "nope.yaml")


# --- time zone --------------------------------------------------------------------------------------


def test_local_date_is_shanghai_and_refuses_naive() -> None:
    assert local_date(datetime(2023, 1, 20, 15, 59, tzinfo=UTC)) == date(2023, 1, 20)
    assert local_date(datetime(2023, 1, 20, 16, 0, tzinfo=UTC)) == date(2023, 1, 21)
    assert local_date(datetime(2023, 1, 21, 0, 30, tzinfo=SHANGHAI)) == date(2023, 1, 21)
    with pytest.raises(ValueError, match="时区"):
        local_date(datetime(2023, 1, 20, 12, 0))  # noqa: DTZ001 - the point of the test


def test_end_of_workday_is_aware_1730_beijing() -> None:
    end = CAL.end_of_workday(date(2023, 1, 28))
    assert end.tzinfo is not None
    assert end.astimezone(UTC) == datetime(2023, 1, 28, 9, 30, tzinfo=UTC)
    assert local_date(end) == date(2023, 1, 28)


# --- properties ------------------------------------------------------------------------------------

dates = st.dates(min_value=date(2004, 1, 1), max_value=date(2025, 6, 30))
counts = st.integers(min_value=0, max_value=120)


@settings(max_examples=300, deadline=None)
@given(d=dates, n=counts)
def test_add_workdays_is_monotonic_in_n_and_lands_on_a_workday(d: date, n: int) -> None:
    a, b = CAL.add_workdays(d, n), CAL.add_workdays(d, n + 1)
    assert a <= b
    assert a < b or (n == 0 and not CAL.is_workday(d))  # n=0 from a day off is the 1st working day
    assert a >= d
    assert CAL.is_workday(a) and CAL.is_workday(b)


@settings(max_examples=300, deadline=None)
@given(d=dates, e=dates, n=counts)
def test_add_workdays_is_monotonic_in_the_start(d: date, e: date, n: int) -> None:
    lo, hi = min(d, e), max(d, e)
    assert CAL.add_workdays(lo, n) <= CAL.add_workdays(hi, n)


@settings(max_examples=300, deadline=None)
@given(d=dates, n=st.integers(min_value=1, max_value=120))
def test_workdays_between_inverts_add_workdays(d: date, n: int) -> None:
    assert CAL.workdays_between(d, CAL.add_workdays(d, n)) == n
    assert CAL.workdays_between(CAL.add_workdays(d, n), d) == -n


@settings(max_examples=300, deadline=None)
@given(d=dates, n=counts)
def test_backwards_undoes_forwards_from_a_workday(d: date, n: int) -> None:
    start = CAL.add_workdays(d, 0)
    assert CAL.add_workdays(CAL.add_workdays(start, n), -n) == start


@settings(max_examples=500, deadline=None)
@given(d=st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 12, 31)))
def test_agrees_with_chinese_calendar_on_every_held_day(d: date) -> None:
    assert CAL.is_workday(d) is chinese_calendar.is_workday(d)


def _naive_add(cal: WorkCalendar, d: date, n: int) -> date:
    """Reference model: walk day by day."""
    if n == 0:
        while not cal.is_workday(d):
            d += timedelta(days=1)
        return d
    step, left = timedelta(days=1 if n > 0 else -1), abs(n)
    while left:
        d += step
        if cal.is_workday(d):
            left -= 1
    return d


@settings(max_examples=400, deadline=None)
@given(
    d=st.dates(min_value=date(2003, 6, 1), max_value=date(2027, 6, 30)),
    n=st.integers(min_value=-150, max_value=150),
)
def test_add_workdays_matches_a_day_by_day_walk_including_gaps(d: date, n: int) -> None:
    try:
        expected: date | int = _naive_add(CAL, d, n)
    except CalendarGap as gap:
        expected = gap.year
    try:
        got: date | int = CAL.add_workdays(d, n)
    except CalendarGap as gap:
        got = gap.year
    assert got == expected


def test_a_missing_year_between_held_years_is_not_jumped() -> None:
    cal = WorkCalendar(holidays=set(), workdays=set(), years={2020, 2022})
    with pytest.raises(CalendarGap) as info:
        cal.add_workdays(date(2020, 12, 31), 1)
    assert info.value.day == date(2021, 1, 1)
    with pytest.raises(CalendarGap):
        cal.add_workdays(date(2022, 1, 3), -1)
    with pytest.raises(CalendarGap):
        cal.workdays_between(date(2020, 12, 1), date(2022, 1, 10))
    assert cal.workdays_between(date(2022, 1, 1), date(2022, 1, 10)) == 6  # Jan 3–7 and Mon 10


@pytest.mark.parametrize(
    ("day", "n", "gap"),
    [
        (date(2062, 1, 5), 3, 2062),
        (date(1990, 1, 5), -3, 1990),
        (date(2062, 1, 5), -3, 2027),
        (date(1990, 1, 5), 3, 1990),
    ],
)
def test_counting_from_a_day_outside_the_held_years_is_a_gap_not_a_crash(day: date, n: int, gap: int) -> None:
    with pytest.raises(CalendarGap) as info:
        CAL.add_workdays(day, n)
    assert info.value.year == gap
