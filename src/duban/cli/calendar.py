"""CLI commands for the working-day calendar: ``duban calendar show YEAR`` and ``duban calendar load FILE``.

``load`` reads a holiday file or the text of the State Council's notice, shows the schedule and
what it changes; with ``--confirm`` it stores it in the calendar folder (``DUBAN_CALENDAR_DIR``),
records one ``calendar_load`` event per year in the events log and says which years turn from
暂定 to official. Errors print one line and exit 1.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import click

from duban.cli.common import db_option, friendly, migrated_session

_WEEKDAYS = "一二三四五六日"


def _day(d: date) -> str:
    return f"{d.isoformat()}（周{_WEEKDAYS[d.weekday()]}）"


def _calendar(settings: Any) -> Any:
    from duban.clock.calendar import WorkCalendar

    return WorkCalendar.load(settings.holiday_file, stored=settings.calendar_dir)


def _print_schedule(schedule: Any, *, provisional: bool) -> None:
    from duban.clock.official import holiday_runs

    flag = "（暂定）" if provisional and not schedule.source.startswith("暂定") else ""
    click.echo(f"{schedule.year}年放假安排{flag}：{schedule.source or '来源不明'}")
    for run in holiday_runs(schedule):
        span = _day(run.first) if run.first == run.last else f"{_day(run.first)} 至 {_day(run.last)}"
        click.echo(f"  {run.name}：{span}，共{run.days}天")
    worked = "、".join(_day(d) for d in sorted(schedule.workdays)) or "无"
    click.echo(f"  调休上班：{worked}")
    year = schedule.year
    days = (date(year + 1, 1, 1) - date(year, 1, 1)).days
    workdays = sum(_is_workday(schedule, date(year, 1, 1) + timedelta(days=i)) for i in range(days))
    click.echo(f"  全年工作日 {workdays} 天")


def _is_workday(schedule: Any, d: date) -> bool:
    return d in schedule.workdays or (d.weekday() < 5 and d not in schedule.holidays)


def register(main: click.Group) -> None:
    """Add the calendar commands to the root group."""

    @main.group("calendar")
    def calendar_group() -> None:
        """工作日历：查看某年的放假安排，载入国务院办公厅的放假通知。"""

    @calendar_group.command("show")
    @click.argument("year", type=int)
    @friendly
    def calendar_show(year: int) -> None:
        """显示 YEAR 年的放假与调休安排，及其来源（正式或暂定）。"""
        from duban.config import Settings

        cal = _calendar(Settings.from_env())
        _print_schedule(cal.schedule(year), provisional=year in cal.provisional)

    @calendar_group.command("load")
    @click.argument("file", type=click.Path(path_type=Path))
    @click.option("--confirm", is_flag=True, help="核对无误后保存，替换该年的日历")
    @click.option("--year", type=int, default=None, help="通知年份（文本中读不出时）")
    @click.option("--actor", default="命令行", show_default=True, help="记录在事件日志中的操作人")
    @db_option
    @friendly
    def calendar_load(
        file: Path, confirm: bool, year: int | None, actor: str, database_url: str | None
    ) -> None:
        """读取放假安排 FILE（节假日文件 .yaml/.csv，或国务院办公厅通知的文本），显示结果；--confirm 保存。"""
        from duban.audit import service as events
        from duban.clock.notice import NoticeError
        from duban.clock.official import changed_days, read_official, store_official
        from duban.config import Settings

        if not file.exists():
            raise click.ClickException(f"{file}: 文件不存在")
        settings = Settings.from_env(database_url=database_url)
        try:
            schedules, remarks = read_official(file, year=year)
        except NoticeError as exc:
            raise click.ClickException(str(exc)) from exc
        cal = _calendar(settings)
        for s in schedules:
            _print_schedule(s, provisional=False)
            changes = changed_days(cal, s)
            before = "暂定" if s.year in cal.provisional else "正式"
            if s.year not in cal.years:
                click.echo(f"  当前日历不含{s.year}年")
            elif changes:
                shown = "，".join(f"{d.isoformat()} {'上班' if work else '放假'}" for d, work in changes[:12])
                more = f" 等 {len(changes)} 天" if len(changes) > 12 else ""
                click.echo(f"  与当前{before}日历相比，{len(changes)} 天有变化：{shown}{more}")
            else:
                click.echo(f"  与当前{before}日历相同")
        for remark in remarks:
            click.echo(f"提示：{remark}")
        if not confirm:
            click.echo("以上为读取结果，尚未保存；核对无误后加 --confirm 保存。")
            return
        now = datetime.now(UTC)
        with migrated_session(database_url) as session:
            try:
                stored = store_official(
                    directory=settings.calendar_dir, schedules=schedules, calendar=cal, actor=actor, now=now
                )
            except OSError as exc:
                raise click.ClickException(
                    f"无法写入日历目录 {settings.calendar_dir}（DUBAN_CALENDAR_DIR）：{exc.strerror}"
                ) from exc
            for s, done in zip(schedules, stored, strict=True):
                events.record(
                    session,
                    actor=actor,
                    now=now,
                    entity="calendar",
                    entity_id=s.year,
                    action="calendar_load",
                    before={"source": done.before_source, "provisional": done.was_provisional},
                    after={
                        "source": s.source,
                        "file": str(done.path),
                        "holidays": sorted(d.isoformat() for d in s.holidays),
                        "workdays": sorted(d.isoformat() for d in s.workdays),
                        "changed": [d.isoformat() for d, _ in done.changed],
                    },
                )
        for done in stored:
            turn = "暂定 → 正式" if done.was_provisional else "正式安排已替换"
            click.echo(f"{done.year}年：{turn}（{len(done.changed)} 天有变化），已保存到 {done.path}")
        official = [str(d.year) for d in stored if d.was_provisional]
        if official:
            click.echo(f"由暂定转为正式的年份：{'、'.join(official)}；下次 duban tick 按正式安排重新计算。")
