"""Holiday files: a year's official schedule written down (YAML or CSV), read and written.

Owns :class:`YearSchedule` (one year's days off and 调休 working days, with where they came
from), :class:`HolidayFileError`, :func:`read_schedules` (a file a person wrote, or one that
``duban calendar load --confirm`` stored) and :func:`write_schedule` / :func:`read_stored` (the
confirmed schedules kept one file a year in the calendar folder). The format is in
``docs/clock.md``; every error names the file and the line or field.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "HolidayFileError",
    "YearSchedule",
    "date_runs",
    "read_holiday_file",
    "read_schedules",
    "read_stored",
    "write_schedule",
]

_HOLIDAY_WORDS = {"holiday", "休", "放假", "假"}
_WORKDAY_WORDS = {"workday", "班", "上班", "调休上班"}
_YEAR_FIELDS = {"holidays", "workdays", "source"}


class HolidayFileError(ValueError):
    """A user holiday file that cannot be read; the message names the file, line or field."""


@dataclass(frozen=True)
class YearSchedule:
    """One year's official schedule: days off (weekend days off may be left out), 调休 working days."""

    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]
    source: str = ""


def date_runs(days: frozenset[date] | set[date]) -> list[tuple[date, date]]:
    """Consecutive days as (first, last) runs, in order.

    >>> date_runs({date(2027, 2, 5), date(2027, 2, 6), date(2027, 1, 1)})
    [(datetime.date(2027, 1, 1), datetime.date(2027, 1, 1)), (datetime.date(2027, 2, 5), datetime.date(2027, 2, 6))]
    """
    runs: list[tuple[date, date]] = []
    for d in sorted(days):
        if runs and runs[-1][1] + timedelta(days=1) == d:
            runs[-1] = (runs[-1][0], d)
        else:
            runs.append((d, d))
    return runs


def read_holiday_file(path: Path) -> tuple[set[int], set[date], set[date]]:
    """Read a holiday file into (years it holds, days off, 调休 working days); errors name file and line."""
    schedules = read_schedules(path)
    years = {s.year for s in schedules}
    holidays = {d for s in schedules for d in s.holidays}
    workdays = {d for s in schedules for d in s.workdays}
    return years, holidays, workdays


def read_schedules(path: Path, *, source: str | None = None) -> tuple[YearSchedule, ...]:
    """The years of a holiday file (YAML or CSV), each a :class:`YearSchedule`; errors name file and line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise HolidayFileError(f"节假日文件 {path} 不存在") from None
    except UnicodeDecodeError:
        raise HolidayFileError(f"节假日文件 {path} 不是 UTF-8 编码") from None
    except OSError as exc:
        raise HolidayFileError(f"节假日文件 {path} 无法读取：{exc.strerror}") from None
    suffix = path.suffix.lower()
    if suffix == ".csv":
        years, holidays, workdays, sources = _read_csv(path, text)
    elif suffix in {".yaml", ".yml"}:
        years, holidays, workdays, sources = _read_yaml(path, text)
    else:
        raise HolidayFileError(f"节假日文件 {path}：只支持 .yaml/.yml 或 .csv 文件")
    both = holidays & workdays
    if both:
        raise HolidayFileError(f"节假日文件 {path}：日期 {min(both)} 同时被列为放假日和调休上班日")
    default = source or f"节假日文件 {path.name}"
    return tuple(
        YearSchedule(
            year=y,
            holidays=frozenset(d for d in holidays if d.year == y),
            workdays=frozenset(d for d in workdays if d.year == y),
            source=sources.get(y) or default,
        )
        for y in sorted(years)
    )


# --- the confirmed schedules, one file a year ---------------------------------------------------------


def read_stored(directory: Path | None) -> tuple[YearSchedule, ...]:
    """The schedules stored in ``directory`` (``YYYY.yaml`` each); none when it is None or absent."""
    if directory is None or not directory.is_dir():
        return ()
    out: list[YearSchedule] = []
    for path in sorted(directory.glob("[0-9][0-9][0-9][0-9].yaml")):
        out.extend(read_schedules(path))
    return tuple(out)


def write_schedule(directory: Path, schedule: YearSchedule, *, note: str = "") -> Path:
    """Store ``schedule`` as ``directory/YYYY.yaml`` (replacing that year's file, atomically)."""
    lines = [
        f"# 由 duban calendar load 写入{('：' + note) if note else ''}；格式见 docs/clock.md",
        f"{schedule.year}:",
    ]
    if schedule.source:
        lines.append(f"  source: {_quoted(schedule.source)}")
    for field, days in (("holidays", schedule.holidays), ("workdays", schedule.workdays)):
        lines.append(f"  {field}:" + ("" if days else " []"))
        for first, last in date_runs(days):
            lines.append(f"    - {first}" if first == last else f"    - {first}~{last}")
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"{schedule.year}.yaml"
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{schedule.year}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(tmp, target)
    return target


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# --- reading ------------------------------------------------------------------------------------------


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

_Read = tuple[set[int], set[date], set[date], dict[int, str]]


def _read_yaml(path: Path, text: str) -> _Read:
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
    sources: dict[int, str] = {}
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
        unknown = set(block) - _YEAR_FIELDS
        if unknown:
            name = sorted(map(str, unknown))[0]
            raise HolidayFileError(
                f"节假日文件 {path} 字段 {year}.{name}：未知字段，只允许 holidays（放假）、workdays（调休上班）和 source（来源）"
            )
        if block.get("source"):
            sources[year] = str(block["source"])
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
    return years, holidays, workdays, sources


def _read_csv(path: Path, text: str) -> _Read:
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
    return years, holidays, workdays, {}
