"""The working-day calendar: which dates are 工作日 in mainland China, and counting them.

Owns :class:`WorkCalendar`, the Asia/Shanghai zone and :func:`local_date`. The table is seeded
from the ``chinesecalendar`` package (statutory holidays and 调休 working weekends, 2004–2026)
and can be extended or overridden per year by a holiday file a person writes (YAML or CSV, see
``docs/clock.md``). A date in a year the table does not hold raises :class:`CalendarGap` rather
than guessing: counting through an unknown Spring Festival would silently move deadlines.

A date is a working day when it is a listed 调休 working day, or a Monday–Friday that is not a
listed holiday. Pure apart from :meth:`WorkCalendar.load`, which reads the holiday file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

__all__ = [
    "END_OF_WORKDAY",
    "HOLIDAY_FILE_ENV",
    "SHANGHAI",
    "CalendarGap",
    "HolidayFileError",
    "WorkCalendar",
    "local_date",
]

SHANGHAI = ZoneInfo("Asia/Shanghai")
END_OF_WORKDAY = time(17, 30)
"""Office closing time used by :meth:`WorkCalendar.end_of_workday` (17:30 Beijing time)."""
HOLIDAY_FILE_ENV = "DUBAN_HOLIDAYS"
"""Environment variable naming the holiday file :meth:`WorkCalendar.load` reads when no path is given."""

_DAY = timedelta(days=1)
_HOLIDAY_WORDS = {"holiday", "休", "放假", "假"}
_WORKDAY_WORDS = {"workday", "班", "上班", "调休上班"}


class CalendarGap(Exception):
    """A date in a year the working-day calendar does not hold."""

    def __init__(self, day: date, years: Iterable[int]) -> None:
        held = sorted(years)
        span = f"{held[0]}–{held[-1]}年" if held else "无"
        super().__init__(
            f"工作日历不含{day.year}年（{day.isoformat()}）：当前日历只包含{span}。"
            f"请按国务院办公厅公布的{day.year}年放假安排编写节假日文件（YAML 或 CSV，格式见 docs/clock.md），"
            f"并通过 WorkCalendar.load(路径) 或环境变量 {HOLIDAY_FILE_ENV} 加载。"
        )
        self.day = day
        self.year = day.year


class HolidayFileError(ValueError):
    """A user holiday file that cannot be read; the message names the file, line or field."""


def local_date(ts: datetime) -> date:
    """The calendar date of an aware timestamp in Asia/Shanghai; a naive one is refused.

    >>> local_date(datetime(2023, 1, 20, 16, 30, tzinfo=UTC))
    datetime.date(2023, 1, 21)
    """
    tz = ts.tzinfo
    if tz is UTC:  # how the database hands timestamps back: shift by that UTC day's offset
        offset = _UTC_DAY_OFFSETS.get(ts.toordinal(), _UNKNOWN)
        if offset is _UNKNOWN:
            offset = _UTC_DAY_OFFSETS[ts.toordinal()] = _utc_day_offset(ts.toordinal())
        if offset is not None:
            return (ts + offset).date()
    elif tz is SHANGHAI:
        return ts.date()
    if tz is None or ts.utcoffset() is None:
        raise ValueError(f"时间 {ts.isoformat()} 缺少时区信息：请传入带时区的时间（建议 UTC）")
    return ts.astimezone(SHANGHAI).date()


_UNKNOWN = timedelta(-1)
_UTC_DAY_OFFSETS: dict[int, timedelta | None] = {}
"""Memo of :func:`_utc_day_offset` by the proleptic ordinal of a UTC day."""


def _utc_day_offset(day: int) -> timedelta | None:
    """Shanghai's UTC offset through the whole UTC day ``day`` (an ordinal); None when it changes that day.

    >>> _utc_day_offset(date(2023, 1, 20).toordinal())
    datetime.timedelta(seconds=28800)
    >>> _utc_day_offset(date(1991, 9, 14).toordinal()) is None  # the last summer time ended
    True
    """
    first = datetime.combine(date.fromordinal(day), time(), tzinfo=UTC)
    last = first + timedelta(days=1, microseconds=-1)
    offset = first.astimezone(SHANGHAI).utcoffset()
    return offset if offset == last.astimezone(SHANGHAI).utcoffset() else None


class WorkCalendar:
    """Working days for the years in ``years``; ``holidays`` are days off, ``workdays`` 调休 working days."""

    def __init__(self, *, holidays: set[date], workdays: set[date], years: set[int]) -> None:
        both = holidays & workdays
        if both:
            first = min(both).isoformat()
            raise ValueError(f"日期 {first} 同时被列为放假日和调休上班日")
        self.years: frozenset[int] = frozenset(years)
        self._holidays = frozenset(holidays)
        self._workdays = frozenset(workdays)
        # Ordinals of every working day in the held years, for counting by bisection.
        self._ordinals: list[int] = [
            day
            for year in sorted(self.years)
            for day in range(date(year, 1, 1).toordinal(), date(year + 1, 1, 1).toordinal())
            if self._is_workday_held(date.fromordinal(day))
        ]
        # Answers already counted, by argument: a tick asks the same few hundred questions thousands
        # of times. Only answers are kept; a CalendarGap is raised again on every call.
        self._added: dict[tuple[date, int], date] = {}
        self._between: dict[tuple[date, date], int] = {}

    def __repr__(self) -> str:
        span = f"{min(self.years)}–{max(self.years)}" if self.years else "empty"
        return f"<WorkCalendar years={span} holidays={len(self._holidays)} workdays={len(self._workdays)}>"

    @property
    def holidays(self) -> frozenset[date]:
        """Listed days off (weekend days off need not be listed)."""
        return self._holidays

    @property
    def workdays(self) -> frozenset[date]:
        """Listed 调休 working days (weekend days that are worked)."""
        return self._workdays

    @classmethod
    def default(cls) -> WorkCalendar:
        """The calendar seeded from ``chinese_calendar`` for the years it covers (2004–2026 in 1.11)."""
        from chinese_calendar import constants

        holidays = set(constants.holidays)
        workdays = set(constants.workdays)
        first, last = min(holidays).year, max(holidays).year
        return cls(holidays=holidays, workdays=workdays, years=set(range(first, last + 1)))

    @classmethod
    def load(cls, path: Path | None = None) -> WorkCalendar:
        """The default calendar plus a user holiday file (YAML or CSV) whose years add to or replace it.

        With no ``path``, the file named by ``$DUBAN_HOLIDAYS`` is read when set; otherwise
        the default calendar is returned.
        """
        base = cls.default()
        if path is None:
            env = os.environ.get(HOLIDAY_FILE_ENV)
            if not env:
                return base
            path = Path(env)
        years, holidays, workdays = read_holiday_file(Path(path))
        kept_h = {d for d in base.holidays if d.year not in years}
        kept_w = {d for d in base.workdays if d.year not in years}
        return cls(holidays=kept_h | holidays, workdays=kept_w | workdays, years=set(base.years) | years)

    def is_workday(self, d: date) -> bool:
        """Whether ``d`` is a working day; :class:`CalendarGap` outside the calendar's years."""
        if d.year not in self.years:
            raise CalendarGap(d, self.years)
        return self._is_workday_held(d)

    def _is_workday_held(self, d: date) -> bool:
        if d in self._workdays:
            return True
        return d.weekday() < 5 and d not in self._holidays

    def add_workdays(self, d: date, n: int) -> date:
        """The n-th working day after ``d`` (n < 0: before); n = 0 gives ``d`` or the next working day.

        >>> cal = WorkCalendar.default()
        >>> cal.add_workdays(date(2023, 1, 20), 1)  # Friday before the 2023 Spring Festival
        datetime.date(2023, 1, 28)
        """
        found = self._added.get((d, n))
        if found is None:
            found = self._added[d, n] = self._add_workdays(d, n)
        return found

    def _add_workdays(self, d: date, n: int) -> date:
        if n == 0:
            return d if self.is_workday(d) else self.add_workdays(d, 1)
        ords = self._ordinals
        if n > 0:
            j = bisect_right(ords, d.toordinal()) + n - 1
            if j >= len(ords):
                self._require(d + _DAY, date(max(self.years) + 1, 1, 1))
            found = date.fromordinal(ords[j])
            self._require(d + _DAY, found)
        else:
            j = bisect_left(ords, d.toordinal()) + n
            if j < 0:
                self._require(date(min(self.years) - 1, 12, 31), d - _DAY)
            found = date.fromordinal(ords[j])
            self._require(found, d - _DAY)
        return found

    def workdays_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative (the count in (end, start]) when end is before start.

        >>> WorkCalendar.default().workdays_between(date(2023, 9, 28), date(2023, 10, 9))
        3
        """
        count = self._between.get((start, end))
        if count is None:
            count = self._between[start, end] = self._workdays_between(start, end)
        return count

    def _workdays_between(self, start: date, end: date) -> int:
        if end < start:
            return -self.workdays_between(end, start)
        if end == start:
            return 0
        self._require(start + _DAY, end)
        ords = self._ordinals
        return bisect_right(ords, end.toordinal()) - bisect_right(ords, start.toordinal())

    def _require(self, first: date, last: date) -> None:
        """CalendarGap at the first day of [first, last] whose year the calendar does not hold."""
        for year in range(first.year, last.year + 1):
            if year not in self.years:
                raise CalendarGap(max(first, date(year, 1, 1)), self.years)

    def end_of_workday(self, d: date) -> datetime:
        """17:30 Asia/Shanghai on ``d``, aware (the close of office hours, for reminders and display)."""
        return datetime.combine(d, END_OF_WORKDAY, tzinfo=SHANGHAI)


# --- the user holiday file -------------------------------------------------------------------------


def read_holiday_file(path: Path) -> tuple[set[int], set[date], set[date]]:
    """Read a holiday file into (years it holds, days off, 调休 working days); errors name file and line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise HolidayFileError(f"节假日文件 {path} 不存在") from None
    except UnicodeDecodeError:
        raise HolidayFileError(f"节假日文件 {path} 不是 UTF-8 编码") from None
    except OSError as exc:
        raise HolidayFileError(f"节假日文件 {path} 无法读取：{exc.strerror}") from None
    if path.suffix.lower() == ".csv":
        return _read_csv(path, text)
    if path.suffix.lower() in {".yaml", ".yml"}:
        return _read_yaml(path, text)
    raise HolidayFileError(f"节假日文件 {path}：只支持 .yaml/.yml 或 .csv 文件")


def _parse_day(value: Any, where: str) -> list[date]:
    """One date, or an inclusive range written ``2027-02-05~2027-02-11`` (or with ``..``)."""
    if isinstance(value, datetime):
        raise HolidayFileError(f"{where}：应为日期，不应带时刻（{value}）")
    if isinstance(value, date):
        return [value]
    text = str(value).strip()
    for sep in ("~", "..", "至"):
        if sep in text:
            a_text, b_text = (part.strip() for part in text.split(sep, 1))
            a, b = _iso(a_text, where), _iso(b_text, where)
            if b < a:
                raise HolidayFileError(f"{where}：日期区间 {text} 的结束早于开始")
            return [a + timedelta(days=i) for i in range((b - a).days + 1)]
    return [_iso(text, where)]


def _iso(text: str, where: str) -> date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise HolidayFileError(f"{where}：“{text}” 不是 YYYY-MM-DD 格式的日期") from None


class _DatesAsText(yaml.SafeLoader):
    """A safe loader that leaves dates as text, so a bad date is reported with its field."""


_DatesAsText.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _read_yaml(path: Path, text: str) -> tuple[set[int], set[date], set[date]]:
    try:
        data = yaml.load(text, Loader=_DatesAsText)  # a SafeLoader subclass: safe
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"第 {mark.line + 1} 行" if mark is not None else "某处"
        problem = getattr(exc, "problem", None) or "语法错误"
        raise HolidayFileError(f"节假日文件 {path} {line}：YAML 格式错误（{problem}）") from None
    if not isinstance(data, dict) or not data:
        raise HolidayFileError(
            f"节假日文件 {path}：顶层应为“年份: {{holidays: [...], workdays: [...]}}”的映射"
        )
    years: set[int] = set()
    holidays: set[date] = set()
    workdays: set[date] = set()
    for key, block in data.items():
        try:
            year = int(key)
        except (TypeError, ValueError):
            raise HolidayFileError(f"节假日文件 {path} 字段 {key}：应为四位年份") from None
        if not 1900 <= year <= 2200:
            raise HolidayFileError(f"节假日文件 {path} 字段 {key}：年份超出范围")
        block = block or {}
        if not isinstance(block, dict):
            raise HolidayFileError(f"节假日文件 {path} 字段 {year}：应包含 holidays 和 workdays 两个列表")
        unknown = set(block) - {"holidays", "workdays"}
        if unknown:
            name = sorted(map(str, unknown))[0]
            raise HolidayFileError(
                f"节假日文件 {path} 字段 {year}.{name}：未知字段，只允许 holidays（放假）和 workdays（调休上班）"
            )
        for field, target in (("holidays", holidays), ("workdays", workdays)):
            items = block.get(field) or []
            if not isinstance(items, list):
                raise HolidayFileError(f"节假日文件 {path} 字段 {year}.{field}：应为日期列表")
            for i, item in enumerate(items):
                where = f"节假日文件 {path} 字段 {year}.{field}[{i}]"
                for d in _parse_day(item, where):
                    if d.year != year:
                        raise HolidayFileError(f"{where}：日期 {d} 不属于 {year} 年")
                    target.add(d)
        years.add(year)
    _check_disjoint(path, holidays, workdays)
    return years, holidays, workdays


def _read_csv(path: Path, text: str) -> tuple[set[int], set[date], set[date]]:
    reader = csv.reader(io.StringIO(text))
    rows = [(i, row) for i, row in enumerate(reader, start=1) if row and any(c.strip() for c in row)]
    rows = [(i, row) for i, row in rows if not row[0].lstrip().startswith("#")]
    if not rows:
        raise HolidayFileError(f"节假日文件 {path}：文件为空，应有表头 date,type[,name]")
    line, header = rows[0]
    names = [c.strip().lower() for c in header]
    if "date" not in names or "type" not in names:
        raise HolidayFileError(
            f"节假日文件 {path} 第 {line} 行：表头应包含 date 和 type 两列（实为 {','.join(header)}）"
        )
    i_date, i_type = names.index("date"), names.index("type")
    years: set[int] = set()
    holidays: set[date] = set()
    workdays: set[date] = set()
    for line, row in rows[1:]:
        if len(row) <= max(i_date, i_type):
            raise HolidayFileError(f"节假日文件 {path} 第 {line} 行：缺少 date 或 type 列")
        where = f"节假日文件 {path} 第 {line} 行 date 列"
        days = _parse_day(row[i_date], where)
        kind = row[i_type].strip().lower()
        if kind in _HOLIDAY_WORDS:
            holidays.update(days)
        elif kind in _WORKDAY_WORDS:
            workdays.update(days)
        else:
            raise HolidayFileError(
                f"节假日文件 {path} 第 {line} 行 type 列：“{row[i_type]}” 应为 holiday（休）或 workday（班）"
            )
        years.update(d.year for d in days)
    if not years:
        raise HolidayFileError(f"节假日文件 {path}：没有任何日期行")
    _check_disjoint(path, holidays, workdays)
    return years, holidays, workdays


def _check_disjoint(path: Path, holidays: set[date], workdays: set[date]) -> None:
    both = holidays & workdays
    if both:
        raise HolidayFileError(f"节假日文件 {path}：日期 {min(both)} 同时被列为放假日和调休上班日")
