"""The working-day calendar: which dates are 工作日 in mainland China, and counting them.

Owns :class:`WorkCalendar`, the Asia/Shanghai zone and :func:`local_date`. The table is seeded
from the ``chinesecalendar`` package (statutory holidays and 调休 working weekends, 2004–2026);
official schedules a person confirmed (``duban calendar load``) and a holiday file replace whole
years of it (see ``docs/clock.md``). :meth:`WorkCalendar.load` computes the years after the last
official one from the statutory rules and marks them 暂定 (:mod:`duban.clock.statutory`); a date
in a year the calendar does not hold at all raises :class:`CalendarGap` rather than guessing.

A date is a working day when it is a listed 调休 working day, or a Monday–Friday that is not a
listed holiday. Pure apart from :meth:`WorkCalendar.load`, which reads the files it is given.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from duban.clock.holiday_file import HolidayFileError, YearSchedule, read_schedules, read_stored
from duban.clock.statutory import StatutoryRules, load_statutory_rules, statutory_days

__all__ = [
    "END_OF_WORKDAY",
    "PACKAGE_SOURCE",
    "SHANGHAI",
    "CalendarGap",
    "Days",
    "HolidayFileError",
    "Watched",
    "WorkCalendar",
    "YearSchedule",
    "local_date",
    "provisional_note",
]

SHANGHAI = ZoneInfo("Asia/Shanghai")
END_OF_WORKDAY = time(17, 30)
"""Office closing time used by :meth:`WorkCalendar.end_of_workday` (17:30 Beijing time)."""
PACKAGE_SOURCE = "chinesecalendar（国务院办公厅历年通知）"
"""Where the years of :meth:`WorkCalendar.default` come from."""

_DAY = timedelta(days=1)


class CalendarGap(Exception):
    """A date in a year the working-day calendar does not hold."""

    def __init__(self, day: date, years: Iterable[int]) -> None:
        held = sorted(years)
        span = f"{held[0]}–{held[-1]}年" if held else "无"
        super().__init__(
            f"工作日历不含{day.year}年（{day.isoformat()}）：当前日历只包含{span}。"
            f"请载入国务院办公厅公布的{day.year}年放假安排（duban calendar load 通知文本或节假日文件，"
            f"格式见 docs/clock.md），或在环境变量 DUBAN_HOLIDAY_FILE 中指定节假日文件。"
        )
        self.day = day
        self.year = day.year


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


class Days(Protocol):
    """What counting needs of a calendar: a :class:`WorkCalendar`, or a :class:`Watched` view of one."""

    def is_workday(self, d: date) -> bool: ...
    def add_workdays(self, d: date, n: int) -> date: ...
    def workdays_between(self, start: date, end: date) -> int: ...
    def provisional_in(self, first: date, last: date) -> tuple[int, ...]: ...


class WorkCalendar:
    """Working days for the years in ``years``; ``holidays`` are days off, ``workdays`` 调休 working days.

    ``provisional`` are the held years computed from the statutory rules (暂定) rather than taken
    from an official schedule; ``sources`` says where each year came from.
    """

    def __init__(
        self,
        *,
        holidays: set[date],
        workdays: set[date],
        years: set[int],
        provisional: Iterable[int] = (),
        sources: Mapping[int, str] | None = None,
    ) -> None:
        both = holidays & workdays
        if both:
            first = min(both).isoformat()
            raise ValueError(f"日期 {first} 同时被列为放假日和调休上班日")
        self.years: frozenset[int] = frozenset(years)
        self.provisional: frozenset[int] = frozenset(provisional) & self.years
        """Held years computed from the statutory rules (暂定), not from an official schedule."""
        self._first_provisional = min(self.provisional, default=10_000)
        self.sources: dict[int, str] = dict(sources or {})
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
        tail = f" provisional={sorted(self.provisional)}" if self.provisional else ""
        return (
            f"<WorkCalendar years={span} holidays={len(self._holidays)} workdays={len(self._workdays)}{tail}>"
        )

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
        years = set(range(first, last + 1))
        return cls(
            holidays=holidays, workdays=workdays, years=years, sources=dict.fromkeys(years, PACKAGE_SOURCE)
        )

    @classmethod
    def load(
        cls,
        path: Path | None = None,
        *,
        stored: Path | None = None,
        provisional: bool = True,
        rules: StatutoryRules | None = None,
    ) -> WorkCalendar:
        """The calendar duban counts on: the package's years, replaced year by year by the holiday file
        ``path`` and then by the schedules confirmed into the folder ``stored``; with ``provisional``,
        the years after the last one held are computed from the statutory rules and marked 暂定."""
        base = cls.default()
        layers: list[YearSchedule] = []
        if path is not None:
            layers.extend(read_schedules(Path(path)))
        layers.extend(read_stored(stored))
        return base.with_schedules(layers, provisional=provisional, rules=rules)

    def with_days(self, *, workdays: Iterable[date] = (), holidays: Iterable[date] = ()) -> WorkCalendar:
        """This calendar with a government's own days: ``holidays`` off (a 民族自治地方's festival),
        ``workdays`` worked (a local 调休); a day in both is worked. Days outside the held years
        change nothing. Without any day, this calendar itself.

        >>> cal = WorkCalendar.default()
        >>> local = cal.with_days(holidays=[date(2024, 4, 11)])  # a Thursday
        >>> cal.is_workday(date(2024, 4, 11)), local.is_workday(date(2024, 4, 11))
        (True, False)
        >>> local.add_workdays(date(2024, 4, 10), 1)
        datetime.date(2024, 4, 12)
        """
        on, off = frozenset(workdays), frozenset(holidays)
        if not on and not off:
            return self
        return WorkCalendar(
            holidays=set((self._holidays - on) | (off - on)),
            workdays=set((self._workdays - off) | on),
            years=set(self.years),
            provisional=self.provisional,
            sources=self.sources,
        )

    def with_schedules(
        self,
        schedules: Iterable[YearSchedule],
        *,
        provisional: bool = True,
        rules: StatutoryRules | None = None,
    ) -> WorkCalendar:
        """A new calendar where each schedule replaces its year (later ones win), then, with
        ``provisional``, the missing years up to the rules' horizon computed from the statutory rules."""
        holidays, workdays = set(self._holidays), set(self._workdays)
        years = set(self.years) - self.provisional
        sources = {y: self.sources.get(y, "") for y in years}
        for s in schedules:
            holidays = {d for d in holidays if d.year != s.year} | set(s.holidays)
            workdays = {d for d in workdays if d.year != s.year} | set(s.workdays)
            years.add(s.year)
            sources[s.year] = s.source
        computed: set[int] = set()
        if provisional and years:
            rules = rules or load_statutory_rules()
            for year in range(rules.effective_from, max(years) + rules.horizon_years + 1):
                if year not in years and year <= 2099:
                    holidays.update(statutory_days(year, rules))
                    computed.add(year)
                    sources[year] = f"暂定：按{rules.source}推算（不含调休）"
        return WorkCalendar(
            holidays=holidays,
            workdays=workdays,
            years=years | computed,
            provisional=computed,
            sources=sources,
        )

    def schedule(self, year: int) -> YearSchedule:
        """The days off and 调休 working days of a held ``year``, with its source; CalendarGap otherwise."""
        if year not in self.years:
            raise CalendarGap(date(year, 1, 1), self.years)
        return YearSchedule(
            year=year,
            holidays=frozenset(d for d in self._holidays if d.year == year),
            workdays=frozenset(d for d in self._workdays if d.year == year),
            source=self.sources.get(year, ""),
        )

    def provisional_in(self, first: date, last: date) -> tuple[int, ...]:
        """The 暂定 years a count over the days from ``first`` to ``last`` (either order) passes through."""
        if first > last:
            first, last = last, first
        if last.year < self._first_provisional:
            return ()
        return tuple(y for y in range(first.year, last.year + 1) if y in self.provisional)

    def provisional_among(self, days: Iterable[date | None]) -> tuple[int, ...]:
        """The 暂定 years any of ``days`` falls in (None is skipped), sorted."""
        return tuple(sorted({d.year for d in days if d is not None and d.year in self.provisional}))

    def watch(self) -> Watched:
        """A view of this calendar for one evaluation that notes the 暂定 years its counts pass through."""
        return Watched(self)

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
            if j >= len(ords):  # past the last held year (``d`` itself may already lie beyond it)
                self._require(d + _DAY, max(d + _DAY, date(max(self.years) + 1, 1, 1)))
            found = date.fromordinal(ords[j])
            self._require(d + _DAY, found)
        else:
            j = bisect_left(ords, d.toordinal()) + n
            if j < 0:  # before the first held year (``d`` itself may already lie before it)
                self._require(min(d - _DAY, date(min(self.years) - 1, 12, 31)), d - _DAY)
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


def provisional_note(years: Iterable[int]) -> str:
    """The flag printed beside a result that depends on 暂定 years: "（含暂定日历：2027年）", or "".

    >>> provisional_note([2027, 2028]), provisional_note([])
    ('（含暂定日历：2027年、2028年）', '')
    """
    held = sorted(set(years))
    return f"（含暂定日历：{'、'.join(f'{y}年' for y in held)}）" if held else ""


class Watched:
    """A :class:`WorkCalendar` view that counts the same and notes the 暂定 years each count touched.

    ``years`` collects them all; ``touched`` is set by any count that passed through one and may be
    reset by the caller to ask about the next count alone.
    """

    __slots__ = ("_cal", "_first", "touched", "years")

    def __init__(self, calendar: WorkCalendar) -> None:
        self._cal = calendar
        self._first = calendar._first_provisional
        self.years: set[int] = set()
        self.touched = False

    @property
    def calendar(self) -> WorkCalendar:
        """The calendar being watched."""
        return self._cal

    def _note(self, a: date, b: date) -> None:
        if a.year >= self._first or b.year >= self._first:
            found = self._cal.provisional_in(a, b)
            if found:
                self.years.update(found)
                self.touched = True

    def is_workday(self, d: date) -> bool:
        """As :meth:`WorkCalendar.is_workday`."""
        self._note(d, d)
        return self._cal.is_workday(d)

    def add_workdays(self, d: date, n: int) -> date:
        """As :meth:`WorkCalendar.add_workdays`."""
        found = self._cal.add_workdays(d, n)
        self._note(d, found)
        return found

    def workdays_between(self, start: date, end: date) -> int:
        """As :meth:`WorkCalendar.workdays_between`."""
        count = self._cal.workdays_between(start, end)
        self._note(start, end)
        return count

    def provisional_in(self, first: date, last: date) -> tuple[int, ...]:
        """As :meth:`WorkCalendar.provisional_in` (asking does not count as touching)."""
        return self._cal.provisional_in(first, last)
