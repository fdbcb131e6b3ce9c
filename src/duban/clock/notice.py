"""Read the State Council's holiday notice (国务院办公厅关于20XX年部分节假日安排的通知) into a schedule.

Owns :class:`NoticeEntry`, :class:`Notice`, :class:`NoticeError` and :func:`parse_notice`. The
sentences it reads and the words it looks for are data (``rules/notice.yaml``): one line per
holiday, ``名称：M月D日（…）至D日（…）放假调休，共N天。M月D日（周六）、…上班。``. Every date is
checked against the weekday written beside it and every range against its 共N天, so a misread
notice is refused with the line at fault rather than stored; a person confirms the result
before it is used (``duban calendar load FILE --confirm``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import yaml

from duban.clock.holiday_file import YearSchedule

__all__ = ["NOTICE_RULES", "Notice", "NoticeEntry", "NoticeError", "parse_notice"]

NOTICE_RULES = Path(__file__).parent / "rules" / "notice.yaml"
_WEEKDAYS = "一二三四五六日"


class NoticeError(ValueError):
    """A notice text duban cannot read; the message names the text and the line."""


@dataclass(frozen=True)
class NoticeEntry:
    """One holiday's arrangement: days off ``first``–``last`` and the weekend days worked for it."""

    names: str
    first: date
    last: date
    workdays: tuple[date, ...]
    line: int

    @property
    def days(self) -> int:
        """Days off, weekends included (the notice's 共N天)."""
        return (self.last - self.first).days + 1


@dataclass(frozen=True)
class Notice:
    """A notice as read: its year, title, the holidays' arrangements, and remarks for the reader."""

    year: int
    title: str
    entries: tuple[NoticeEntry, ...]
    remarks: tuple[str, ...] = ()

    def schedule(self, *, source: str | None = None) -> YearSchedule:
        """The year's days off and 调休 working days (days in other years are left to those years)."""
        off = {
            e.first + timedelta(days=i) for e in self.entries for i in range(e.days)
        }  # weekend days off included: listing them is harmless
        work = {d for e in self.entries for d in e.workdays}
        return YearSchedule(
            year=self.year,
            holidays=frozenset(d for d in off if d.year == self.year),
            workdays=frozenset(d for d in work if d.year == self.year),
            source=source or self.title,
        )


@dataclass(frozen=True)
class _Rules:
    title: re.Pattern[str]
    year: tuple[re.Pattern[str], ...]
    holidays: tuple[str, ...]
    clause: re.Pattern[str]
    sentence_end: re.Pattern[str]
    dated: re.Pattern[str]  # a date with its optional note
    weekday: re.Pattern[str]
    range: re.Pattern[str]
    off: str
    work: str
    total: re.Pattern[str]


@cache
def _rules(path: Path = NOTICE_RULES) -> _Rules:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    try:
        return _Rules(
            title=re.compile(data["title"]),
            year=tuple(re.compile(p) for p in data["year"]),
            holidays=tuple(data["holidays"]),
            clause=re.compile(data["clause"], re.M),
            sentence_end=re.compile(data["sentence_end"]),
            dated=re.compile(f"(?:{data['date']})(?P<note>(?:{data['note']})?)"),
            weekday=re.compile(data["weekday"]),
            range=re.compile(data["range"]),
            off=str(data["off_word"]),
            work=str(data["work_word"]),
            total=re.compile(data["total"]),
        )
    except (KeyError, TypeError, re.error) as exc:
        raise ValueError(f"通知读取规则 {path}：{exc}") from None


def parse_notice(text: str, *, name: str = "通知", year: int | None = None) -> Notice:
    """Read a notice's text into a :class:`Notice`; ``year`` when the text does not say it.

    >>> n = parse_notice("国务院办公厅关于2027年部分节假日安排的通知\\n一、元旦：1月1日（周五）至3日（周日）放假，共3天。")
    >>> n.year, [(e.names, str(e.first), e.days) for e in n.entries]
    (2027, [('元旦', '2027-01-01', 3)])
    """
    rules = _rules()
    title_match = rules.title.search(text)
    title = title_match.group(0) if title_match else ""
    if year is None:
        for pattern in rules.year:
            found = pattern.search(text)
            if found:
                year = int(found.group("year"))
                break
    if year is None:
        raise NoticeError(f"{name}：找不到年份（应有“关于20XX年部分节假日安排”），请用 --year 指定")
    entries: list[NoticeEntry] = []
    remarks: list[str] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        m = rules.clause.match(line)
        if not m or not any(h in m.group("names") for h in rules.holidays):
            continue
        entry = _entry(
            rules, m.group("names").strip(), m.group("body"), year, f"{name} 第 {lineno} 行", lineno
        )
        entries.append(entry)
        for d in sorted({entry.first, entry.last, *entry.workdays}):
            if d.year != year:
                remarks.append(f"第 {lineno} 行{entry.names}：{d} 不在 {year} 年，以该年的日历为准")
    if not entries:
        raise NoticeError(
            f"{name}：没有找到任何放假安排（应有“春节：2月15日至23日放假调休，共9天。”这样的句子）"
        )
    seen: dict[date, str] = {}
    for e in entries:
        for d in (e.first + timedelta(days=i) for i in range(e.days)):
            if d in seen:
                raise NoticeError(f"{name} 第 {e.line} 行{e.names}：{d} 已列入{seen[d]}的放假日")
            seen[d] = e.names
    for e in entries:
        clash = [d for d in e.workdays if d in seen]
        if clash:
            raise NoticeError(f"{name} 第 {e.line} 行{e.names}：{clash[0]} 既是放假日又是上班日")
    return Notice(
        year=year, title=title or f"{year}年部分节假日安排", entries=tuple(entries), remarks=tuple(remarks)
    )


def _entry(rules: _Rules, names: str, body: str, year: int, where: str, line: int) -> NoticeEntry:
    off: list[date] = []
    total: int | None = None
    work: list[date] = []
    month: int | None = None
    for sentence in rules.sentence_end.split(body):
        dates: list[tuple[date, int, int]] = []  # (date, start, end) in the sentence
        for m in rules.dated.finditer(sentence):
            y = int(m.group("year")) if m.group("year") else year
            if m.group("year") and not m.group("month"):
                raise NoticeError(f"{where}：“{m.group(0)}”缺少月份")
            month = int(m.group("month")) if m.group("month") else month
            if month is None:
                raise NoticeError(f"{where}：“{m.group(0)}”缺少月份")
            try:
                d = date(y, month, int(m.group("day")))
            except ValueError:
                raise NoticeError(f"{where}：“{m.group(0)}”不是有效日期") from None
            _check_weekday(rules, m.group("note"), d, where)
            dates.append((d, m.start(), m.end()))
        if not dates:
            continue
        if rules.off in sentence:
            if off:
                raise NoticeError(f"{where}：{names}有两处放假日期，请分成两行")
            off = _off_days(rules, sentence, dates, where)
            counted = rules.total.search(sentence)
            total = int(counted.group("days")) if counted else None
        elif rules.work in sentence:
            work.extend(d for d, _, _ in dates)
    if not off:
        raise NoticeError(f"{where}：{names}没有找到“放假”的日期")
    first, last = off
    if total is not None and total != (last - first).days + 1:
        raise NoticeError(
            f"{where}：{names}写“共{total}天”，但 {first} 至 {last} 是 {(last - first).days + 1} 天"
        )
    return NoticeEntry(names=names, first=first, last=last, workdays=tuple(sorted(set(work))), line=line)


def _off_days(rules: _Rules, sentence: str, dates: list[tuple[date, int, int]], where: str) -> list[date]:
    """(first, last) of an off sentence: one date, or two joined by a range word."""
    if len(dates) == 1:
        return [dates[0][0], dates[0][0]]
    (a, _, a_end), (b, b_start, _) = dates[0], dates[1]
    if len(dates) > 2 or not rules.range.search(sentence[a_end:b_start]):
        raise NoticeError(f"{where}：放假日期应为一天或“某日至某日”，实为“{sentence.strip()}”")
    if b < a:
        raise NoticeError(f"{where}：放假区间 {a} 至 {b} 的结束早于开始")
    return [a, b]


def _check_weekday(rules: _Rules, note: str, d: date, where: str) -> None:
    m = rules.weekday.search(note or "")
    if not m:
        return
    written = m.group("weekday").replace("天", "日")
    if _WEEKDAYS.index(written) != d.weekday():
        raise NoticeError(f"{where}：{d} 标注为星期{written}，实为星期{_WEEKDAYS[d.weekday()]}，请核对通知")
