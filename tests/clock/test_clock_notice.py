"""The State Council's notice read into a schedule: the real 2025/2026 style reproduces the package's
years day for day, an invented 2027 notice replaces the 暂定 year, and a misread notice is refused."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import chinese_calendar
import pytest

from duban.clock import SHANGHAI, DutySnapshot, WorkCalendar, evaluate, load_policy
from duban.clock.holiday_file import read_stored
from duban.clock.notice import NoticeError, parse_notice
from duban.clock.official import changed_days, holiday_runs, read_official, store_official

NOTICES = Path(__file__).resolve().parent / "notices"


def _days(year: int) -> list[date]:
    return [
        date(year, 1, 1) + timedelta(days=i) for i in range((date(year + 1, 1, 1) - date(year, 1, 1)).days)
    ]


def test_the_notice_rules_file_loads_and_knows_every_statutory_holiday() -> None:
    from duban.clock.notice import _rules
    from duban.clock.statutory import load_statutory_rules

    rules = _rules()
    assert set(rules.holidays) == {h.name for h in load_statutory_rules().holidays}
    assert rules.title.search("国务院办公厅关于2031年部分节假日安排的通知").group("year") == "2031"
    assert rules.dated.fullmatch("2月15日（农历腊月二十八、周日）") is not None


@pytest.mark.parametrize("year", [2025, 2026])
def test_a_notice_in_the_official_style_gives_the_packages_year_day_for_day(year: int) -> None:
    notice = parse_notice((NOTICES / f"{year}.txt").read_text(encoding="utf-8"), name=f"{year}.txt")
    assert notice.year == year and notice.title == f"国务院办公厅关于{year}年部分节假日安排的通知"
    schedule = notice.schedule()
    cal = WorkCalendar.default().with_schedules([schedule], provisional=False)
    assert [d for d in _days(year) if cal.is_workday(d) != chinese_calendar.is_workday(d)] == []
    assert changed_days(WorkCalendar.default(), schedule) == []


def test_the_2026_notice_entries_as_written() -> None:
    notice = parse_notice((NOTICES / "2026.txt").read_text(encoding="utf-8"))
    spring = next(e for e in notice.entries if e.names == "春节")
    assert (spring.first, spring.last, spring.days) == (date(2026, 2, 15), date(2026, 2, 23), 9)
    assert spring.workdays == (date(2026, 2, 14), date(2026, 2, 28))
    assert [e.names for e in notice.entries] == [
        "元旦",
        "春节",
        "清明节",
        "劳动节",
        "端午节",
        "中秋节",
        "国庆节",
    ]


def test_an_invented_2027_notice_replaces_the_provisional_year_and_removes_the_flag(tmp_path: Path) -> None:
    schedules, remarks = read_official(NOTICES / "2027-invented.txt")
    assert remarks == () and [s.year for s in schedules] == [2027]
    runs = {r.name: (r.first, r.last) for r in holiday_runs(schedules[0])}
    assert runs["春节"] == (date(2027, 2, 5), date(2027, 2, 12))
    assert runs["国庆节"] == (date(2027, 10, 1), date(2027, 10, 7))

    before = WorkCalendar.load(stored=tmp_path)
    assert 2027 in before.provisional
    changed = changed_days(before, schedules[0])
    assert (date(2027, 1, 31), True) in changed and (date(2027, 2, 11), False) in changed
    now = datetime(2026, 12, 6, 8, tzinfo=UTC)
    stored = store_official(directory=tmp_path, schedules=schedules, calendar=before, actor="测试", now=now)
    assert [(s.year, s.was_provisional, s.path.name) for s in stored] == [(2027, True, "2027.yaml")]
    assert stored[0].before_source.startswith("暂定") and len(stored[0].changed) == len(changed)
    assert [s.year for s in read_stored(tmp_path)] == [2027]

    after = WorkCalendar.load(stored=tmp_path)
    assert 2027 not in after.provisional and 2028 in after.provisional
    assert after.sources[2027].startswith("国务院办公厅关于2027年部分节假日安排的通知")
    assert after.is_workday(date(2027, 1, 31)) is True  # the notice's 调休 Sunday
    assert after.is_workday(date(2027, 2, 11)) is False

    # a duty assigned on 2026-12-28: its settle date is 暂定 before the notice and official after
    duty = DutySnapshot(id=1, assigned_at=datetime.combine(date(2026, 12, 28), time(9), tzinfo=SHANGHAI),
                     major=False, status="assigned", due=None, deployed_at=None, first_feedback_at=None,
                     last_feedback_at=None, closure_requested_at=None, closed_at=None)  # fmt: skip
    at = datetime.combine(date(2026, 12, 28), time(12), tzinfo=SHANGHAI)
    policy = load_policy("13710")
    assert evaluate(duty, policy, before, at).provisional_years == (2027,)
    ev = evaluate(duty, policy, after, at)
    assert ev.provisional_years == () and not any(m.provisional for m in ev.milestones)


def test_a_holiday_file_is_read_the_same_way(tmp_path: Path) -> None:
    path = tmp_path / "2027.csv"
    path.write_text(
        "date,type,name\n2027-02-05~2027-02-11,休,春节\n2027-02-20,班,春节调休\n", encoding="utf-8"
    )
    schedules, _ = read_official(path)
    assert schedules[0].source == "节假日文件 2027.csv" and len(schedules[0].holidays) == 7


HEAD = "国务院办公厅关于2027年部分节假日安排的通知\n"
BAD = [
    ("wrong weekday", HEAD + "一、元旦：1月1日（周四）至3日（周日）放假，共3天。", ["第 2 行", "星期四", "星期五"]),
    ("wrong total", HEAD + "二、春节：2月5日至12日放假调休，共7天。", ["第 2 行", "共7天", "8 天"]),
    ("no year", "一、元旦：1月1日放假，共1天。", ["找不到年份", "--year"]),
    ("nothing to read", HEAD + "节假日期间，各地区要妥善安排好值班。", ["没有找到任何放假安排"]),
    ("no day off", HEAD + "二、春节：2月20日（周六）上班。", ["第 2 行", "放假"]),
    ("overlap", HEAD + "一、元旦：1月1日至3日放假。\n二、春节：1月3日至4日放假。", ["第 3 行", "已列入元旦"]),
    ("off and worked", HEAD + "一、春节：2月5日至12日放假。2月6日上班。", ["第 2 行", "既是放假日又是上班日"]),
    ("bad date", HEAD + "一、春节：2月30日放假。", ["第 2 行", "不是有效日期"]),
]  # fmt: skip


@pytest.mark.parametrize(("case", "text", "words"), BAD, ids=[b[0] for b in BAD])
def test_a_notice_that_cannot_be_read_is_refused_naming_the_line(
    case: str, text: str, words: list[str]
) -> None:
    with pytest.raises(NoticeError) as info:
        parse_notice(text, name="通知.txt")
    message = str(info.value)
    assert message.startswith("通知.txt") and all(w in message for w in words), message


def test_the_year_can_be_given_and_days_outside_it_are_left_to_that_year() -> None:
    text = "一、元旦：2026年12月31日（周四）至2027年1月1日（周五）放假，共2天。"
    notice = parse_notice(text, year=2027)
    assert notice.schedule().holidays == frozenset({date(2027, 1, 1)})
    assert len(notice.remarks) == 1 and "2026-12-31" in notice.remarks[0]
