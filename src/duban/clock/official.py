"""Official schedules replacing 暂定 years: read one (a holiday file or the notice's text), show it
against the calendar in use, and store it once a person has confirmed it.

Owns :func:`read_official`, :func:`holiday_runs`, :func:`changed_days` and :func:`store_official`,
the plain functions behind ``duban calendar load`` / ``show`` (and the console's, when it has them).
Storing writes ``YYYY.yaml`` into the calendar folder (``Settings.calendar_dir``), which
:meth:`WorkCalendar.load` reads on every start; the caller records the audit event from the
returned :class:`StoredYear`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from duban.clock.calendar import WorkCalendar
from duban.clock.holiday_file import YearSchedule, read_schedules, write_schedule
from duban.clock.notice import NoticeError, parse_notice
from duban.clock.statutory import statutory_days

__all__ = ["HolidayRun", "StoredYear", "changed_days", "holiday_runs", "read_official", "store_official"]

_FILE_SUFFIXES = {".yaml", ".yml", ".csv"}


@dataclass(frozen=True)
class HolidayRun:
    """Consecutive days off from one listed holiday to another (weekends between them joined), named."""

    name: str
    first: date
    last: date

    @property
    def days(self) -> int:
        """Calendar days in the run."""
        return (self.last - self.first).days + 1


@dataclass(frozen=True)
class StoredYear:
    """One year stored: where, whether it was 暂定 before, and what it changed."""

    year: int
    path: Path
    was_provisional: bool
    before_source: str
    changed: tuple[tuple[date, bool], ...]  # (day, now a working day) for each day whose status changed


def read_official(path: Path, *, year: int | None = None) -> tuple[tuple[YearSchedule, ...], tuple[str, ...]]:
    """The schedules in ``path`` — a holiday file (YAML/CSV) or a notice's text — and remarks for the reader."""
    if path.suffix.lower() in _FILE_SUFFIXES:
        return read_schedules(path), ()
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            raise NoticeError(f"{path}：不是 UTF-8 或 GB18030 编码的文本") from None
    notice = parse_notice(text, name=str(path), year=year)
    return (notice.schedule(source=f"{notice.title}（{path.name}）"),), notice.remarks


def holiday_runs(schedule: YearSchedule) -> list[HolidayRun]:
    """The year's runs of listed days off, weekends between them joined, named after the statutory holidays in them."""
    year = schedule.year
    try:
        names = statutory_days(year)
    except ValueError:  # a year beyond the lunar table: runs without names
        names = {}
    runs: list[HolidayRun] = []
    run: list[date] = []
    for i in range((date(year + 1, 1, 1) - date(year, 1, 1)).days + 1):
        d = date(year, 1, 1) + timedelta(days=i)
        off = d.year == year and (d in schedule.holidays or (d.weekday() >= 5 and d not in schedule.workdays))
        if off:
            run.append(d)
            continue
        listed = [day for day in run if day in schedule.holidays]  # weekends count only between them
        if listed:
            runs.append(
                HolidayRun(name=_names(listed[0], listed[-1], names), first=listed[0], last=listed[-1])
            )
        run = []
    return runs


def _names(first: date, last: date, names: dict[date, str]) -> str:
    found: list[str] = []
    for i in range((last - first).days + 1):
        name = names.get(first + timedelta(days=i))
        if name and name not in found:
            found.append(name)
    return "、".join(found) or "放假"


def changed_days(calendar: WorkCalendar, schedule: YearSchedule) -> list[tuple[date, bool]]:
    """The days of ``schedule``'s year whose working-day status it changes, with the new status."""
    year = schedule.year
    out: list[tuple[date, bool]] = []
    for i in range((date(year + 1, 1, 1) - date(year, 1, 1)).days):
        d = date(year, 1, 1) + timedelta(days=i)
        now = d in schedule.workdays or (d.weekday() < 5 and d not in schedule.holidays)
        if year not in calendar.years or calendar.is_workday(d) != now:
            out.append((d, now))
    return out


def store_official(
    *, directory: Path, schedules: tuple[YearSchedule, ...], calendar: WorkCalendar, actor: str, now: datetime
) -> list[StoredYear]:
    """Store confirmed schedules in the calendar folder; what each year was before and what changed."""
    stored: list[StoredYear] = []
    for s in schedules:
        changed = changed_days(calendar, s)
        path = write_schedule(directory, s, note=f"{now:%Y-%m-%d %H:%M} 由 {actor} 确认")
        stored.append(
            StoredYear(
                year=s.year,
                path=path,
                was_provisional=s.year in calendar.provisional,
                before_source=calendar.sources.get(s.year, "无"),
                changed=tuple(changed),
            )
        )
    return stored
