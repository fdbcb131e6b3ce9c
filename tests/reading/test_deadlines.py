"""Deadline words in plan clauses, as real reports write them, and the dates they mean."""

from __future__ import annotations

from datetime import date

import pytest

from duban.reading.deadlines import _lexicon, _rules, parse_deadline

# (clause, plan year, expected words, expected due date)
CASES: list[tuple[str, str, int | None, str, date | None]] = [
    ("half-year", "力争光伏项目上半年建成并网", 2023, "上半年", date(2023, 6, 30)),
    ("second-half", "下半年启动二期工程", 2023, "下半年", date(2023, 12, 31)),
    ("year-end", "年底前完成老旧小区改造120个", 2023, "年底前", date(2023, 12, 31)),
    ("year-end-bare", "年底建成投用", 2025, "年底", date(2025, 12, 31)),
    ("year-end-nian-mo", "年末实现全覆盖", 2024, "年末", date(2024, 12, 31)),
    ("within-year", "年内开工建设", 2023, "年内", date(2023, 12, 31)),
    ("whole-year", "全年建成高标准农田20.8万亩", 2023, "全年", date(2023, 12, 31)),
    ("this-year", "今年再建设一批口袋公园", 2026, "今年", date(2026, 12, 31)),
    ("this-year-end", "今年底前全面完成", 2026, "今年底前", date(2026, 12, 31)),
    ("q1", "一季度实现开门红", 2023, "一季度", date(2023, 3, 31)),
    ("q1-di", "第一季度开工建设", 2023, "第一季度", date(2023, 3, 31)),
    ("q2", "二季度建成投产", 2023, "二季度", date(2023, 6, 30)),
    ("q3", "风电项目三季度建成并网", 2023, "三季度", date(2023, 9, 30)),
    ("q4", "四季度全部投用", 2023, "四季度", date(2023, 12, 31)),
    ("june-end-before", "6月底前完成招标", 2023, "6月底前", date(2023, 6, 30)),
    ("june-end", "6月底实现通车", 2023, "6月底", date(2023, 6, 30)),
    ("june-fen", "6月份开工", 2023, "6月份", date(2023, 6, 30)),
    ("june-cn", "六月底前完成清理", 2023, "六月底前", date(2023, 6, 30)),
    ("feb-end", "2月底前完成摸底", 2024, "2月底前", date(2024, 2, 29)),
    ("feb-end-common", "2月底前完成摸底", 2023, "2月底前", date(2023, 2, 28)),
    ("dec-cn", "十二月底前交付", 2023, "十二月底前", date(2023, 12, 31)),
    ("day", "9月1日前建成投用", 2023, "9月1日前", date(2023, 9, 1)),
    ("mid-month", "10月中旬举办文旅大会", 2023, "10月中旬", date(2023, 10, 20)),
    ("early-month", "5月上旬启动", 2023, "5月上旬", date(2023, 5, 10)),
    ("late-month", "11月下旬完成", 2023, "11月下旬", date(2023, 11, 30)),
    ("before-month", "6月前完成前期手续", 2023, "6月前", date(2023, 5, 31)),
    ("spring-festival", "春节前足额发放农民工工资", 2023, "春节前", date(2023, 1, 22)),
    ("spring-festival-2026", "春节前完成保供", 2026, "春节前", date(2026, 2, 17)),
    ("national-day", "国庆节前建成开放", 2023, "国庆节前", date(2023, 9, 30)),
    ("flood", "汛前完成除险加固", 2023, "汛前", date(2023, 5, 31)),
    ("explicit-year-month", "2024年6月底前全面完成", 2023, "2024年6月底前", date(2024, 6, 30)),
    ("explicit-year-end", "到2025年底全部完成", 2023, "到2025年底", date(2025, 12, 31)),
    ("explicit-to-year", "到2025年建成国家级示范区", 2023, "到2025年", date(2025, 12, 31)),
    ("explicit-cn-year", "二〇二五年底前完成", 2023, "二〇二五年底前", date(2025, 12, 31)),
    ("next-year", "明年全面投产", 2023, "明年", date(2024, 12, 31)),
    ("next-year-end", "明年底前建成", 2023, "明年底前", date(2024, 12, 31)),
    ("fourteenth-plan", "“十四五”期间建成100个", 2023, "“十四五”期间", date(2025, 12, 31)),
    ("to-fifteenth-plan", "到“十五五”末基本实现", 2026, "到“十五五”末", date(2030, 12, 31)),
    ("three-years", "三年内实现全覆盖", 2023, "三年内", date(2025, 12, 31)),
    ("most-specific-wins", "全年完成投资100亿元，其中上半年完成50%", 2023, "上半年", date(2023, 6, 30)),
    ("quarter-over-year", "年内力争二季度开工", 2023, "二季度", date(2023, 6, 30)),
    ("no-year", "年底前建成", None, "年底前", None),
    ("no-year-explicit", "2024年6月底前完成", None, "2024年6月底前", date(2024, 6, 30)),
]

NONE_CASES = [
    ("no-words", "推动产业转型升级"),
    ("year-mentioned", "2023年是全面贯彻落实党的二十大精神的开局之年"),
    ("plan-named", "实施“十四五”规划"),
    ("months-count", "连续12个月保持增长"),
]


@pytest.mark.parametrize(
    ("clause", "year", "words", "due"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_deadline(clause: str, year: int | None, words: str, due: date | None) -> None:
    got = parse_deadline(clause, year=year)
    assert got is not None
    assert (got.text, got.due) == (words, due)


@pytest.mark.parametrize("clause", [c[1] for c in NONE_CASES], ids=[c[0] for c in NONE_CASES])
def test_no_deadline(clause: str) -> None:
    assert parse_deadline(clause, year=2023) is None


@pytest.mark.xfail(strict=True, reason="festivals of the lunar calendar other than 春节 are not tabled")
def test_dragon_boat_festival() -> None:
    got = parse_deadline("端午节前开放", year=2023)
    assert got is not None and got.due == date(2023, 6, 22)


def test_spring_festival_outside_table_has_no_date() -> None:
    got = parse_deadline("春节前完成", year=2040)
    assert got is not None and got.text == "春节前" and got.due is None


def test_lexicon_shape() -> None:
    spec = _lexicon()["deadlines"]
    seen: set[str] = set()
    for row in spec["fixed"]:
        assert 1 <= row["month"] <= 12 and 1 <= row["day"] <= 31, row
        date(2023, row["month"], row["day"])  # a real day
        assert 0 <= row["rank"] <= 5
        for word in row["words"]:
            assert word not in seen, f"{word} listed twice"
            seen.add(word)
    spring = _rules().spring
    assert all(d.year == y and d.month in (1, 2) for y, d in spring.items())
    assert set(range(2004, 2031)) <= set(spring)
    assert all(str(year).isdigit() and int(year) % 5 == 0 for year in spec["periods"].values())
