"""CLI commands for the ledger domain: plans, assignment, progress, tick, board, Excel, db.

Every command takes ``--database-url`` (default: ``DUBAN_DATABASE_URL``) and migrates the database
to head before it starts. User mistakes print one Chinese line and exit 1 (usage errors exit 2);
``--at DATE`` means noon of that day in Beijing time; without it commands use the wall clock.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from duban.cli.common import F, db_option, friendly, migrated_session, parse_at

LIGHT_STYLE = {"green": "green", "yellow": "yellow", "red": "bold red", "grey": "dim"}


def _actor_option(f: F) -> F:
    return click.option("--actor", default="命令行", show_default=True, help="记录在事件日志中的操作人")(f)


def _at_option(f: F) -> F:
    return click.option("--at", "at", default=None, help="业务日期 YYYY-MM-DD（默认今天）")(f)


def _clock(database_url: str | None) -> tuple[Any, Any]:
    from duban.clock.calendar import WorkCalendar
    from duban.clock.policy import load_policy
    from duban.config import Settings

    settings = Settings.from_env(database_url=database_url)
    return WorkCalendar.load(settings.holiday_file, stored=settings.calendar_dir), load_policy(
        settings.policy
    )


def _console() -> Console:
    return Console(width=160, soft_wrap=False)


def register(main: click.Group) -> None:
    """Add this domain's commands to the root group."""

    # ---- db ---------------------------------------------------------------------------------
    @main.group("db")
    def db_group() -> None:
        """数据库维护。"""

    @db_group.command("upgrade")
    @db_option
    @friendly
    def db_upgrade(database_url: str | None) -> None:
        """把数据库迁移到最新版本。"""
        from duban.config import Settings
        from duban.db import current_revision, make_engine, upgrade

        settings = Settings.from_env(database_url=database_url)
        engine = make_engine(settings)
        try:
            upgrade(engine)
            click.echo(f"数据库已是最新版本 ({current_revision(engine)})")
        finally:
            engine.dispose()

    # ---- plans ------------------------------------------------------------------------------
    @main.group("plan")
    def plan_group() -> None:
        """政府工作报告（计划）。"""

    @plan_group.command("load")
    @click.argument("file", type=click.Path(path_type=Path))
    @click.option("--year", type=int, default=None, help="报告年份（读不出时必填）")
    @db_option
    @_actor_option
    @friendly
    def plan_load(file: Path, year: int | None, database_url: str | None, actor: str) -> None:
        """读取报告 FILE 并载入台账（同一文件再次载入会被识别）。"""
        from duban import read_report
        from duban.ledger import service
        from duban.reading.model import ReadError

        if not file.exists():
            raise click.ClickException(f"{file}: 文件不存在")
        try:
            plan = read_report(file, year=year)
        except ReadError as exc:
            raise click.ClickException(str(exc)) from exc
        with migrated_session(database_url) as s:
            row, created = service.load_plan(session=s, plan=plan, actor=actor, now=datetime.now(UTC))
            if created:
                click.echo(f"已载入计划 {row.id}: {row.title}（{len(row.items)} 项）")
            else:
                click.echo(f"该报告已载入过: 计划 {row.id}《{row.title}》，未重复导入")

    @plan_group.command("list")
    @db_option
    @friendly
    def plan_list(database_url: str | None) -> None:
        """列出已载入的计划。"""
        from duban.ledger import service

        with migrated_session(database_url) as s:
            plans = service.list_plans(session=s)
            if not plans:
                click.echo("尚未载入任何计划（duban plan load 报告文件）")
                return
            t = Table("编号", "地方", "层级", "年份", "标题", "事项数", "载入时间")
            for p in plans:
                t.add_row(
                    str(p.id),
                    p.place,
                    p.level,
                    str(p.year),
                    p.title,
                    str(len(p.items)),
                    p.loaded_at.strftime("%Y-%m-%d %H:%M"),
                )
            _console().print(t)

    @plan_group.command("show")
    @click.argument("plan_id", type=int)
    @db_option
    @friendly
    def plan_show(plan_id: int, database_url: str | None) -> None:
        """显示计划 PLAN_ID 的事项及分办情况。"""
        from duban.ledger import service
        from duban.ledger.xlsx import target_text

        with migrated_session(database_url) as s:
            p = service.get_plan(session=s, plan_id=plan_id)
            items = service.plan_items(session=s, plan_id=plan_id)
            t = Table(
                "事项",
                "类型",
                "板块",
                "内容",
                "目标值",
                "时限",
                "牵头单位",
                "督办事项",
                title=f"{p.year} {p.title}",
            )
            kinds = {"target": "目标", "achievement": "成绩", "task": "任务"}
            for i in items:
                t.add_row(
                    str(i.id),
                    kinds.get(i.kind, i.kind),
                    i.section_title or "",
                    i.text[:60],
                    target_text(i),
                    i.deadline.isoformat() if i.deadline else "",
                    i.assignment.lead_unit.name if i.assignment else "",
                    str(i.duty.id) if i.duty else "",
                )
            _console().print(t)

    # ---- assignment -------------------------------------------------------------------------
    @main.command("assign")
    @click.option("--auto", is_flag=True, help="按分办规则自动分办计划中尚未分办的事项")
    @click.option("--plan", "plan_id", type=int, default=None, help="计划编号（--auto 时默认最新计划）")
    @click.option(
        "--rules",
        type=click.Path(path_type=Path),
        default=None,
        help="分办规则 YAML（默认：该政府的设置 routing_rules，或内置规则）",
    )
    @click.option("--item", "item_id", type=int, default=None, help="事项编号")
    @click.option("--unit", default=None, help="牵头单位（全称或别名）")
    @click.option("--co-unit", "co_units", multiple=True, help="配合单位，可重复")
    @click.option("--leader", default=None, help="责任领导")
    @click.option("--major", is_flag=True, help="重大事项")
    @_at_option
    @db_option
    @_actor_option
    @friendly
    def assign_cmd(
        auto: bool,
        plan_id: int | None,
        rules: Path | None,
        item_id: int | None,
        unit: str | None,
        co_units: tuple[str, ...],
        leader: str | None,
        major: bool,
        at: str | None,
        database_url: str | None,
        actor: str,
    ) -> None:
        """分办：--auto 按规则，或 --item ID --unit 单位 手工指定（覆盖记入日志）。"""
        from duban.ledger import service
        from duban.ledger.routing import load_rules

        if auto == (item_id is not None):
            raise click.UsageError("请用 --auto，或用 --item ID --unit 单位（二选一）")
        now = parse_at(at)
        with migrated_session(database_url) as s:
            if auto:
                plans = service.list_plans(session=s)
                if plan_id is None:
                    if not plans:
                        raise click.ClickException("尚未载入任何计划")
                    plan_id = plans[0].id
                done, needs = service.auto_assign(
                    session=s,
                    plan_id=plan_id,
                    rules=load_rules(rules) if rules else None,
                    actor=actor,
                    now=now,
                )
                click.echo(f"计划 {plan_id}: 自动分办 {len(done)} 项，需人工分办 {len(needs)} 项")
                if needs:
                    click.echo("需人工分办的事项: " + ", ".join(str(i) for i in needs))
                return
            if unit is None:
                raise click.UsageError("--item 需要同时给出 --unit")
            assert item_id is not None
            a = service.assign(
                session=s,
                item_id=item_id,
                unit=unit,
                co_units=co_units,
                leader=leader,
                actor=actor,
                now=now,
                major=major,
            )
            click.echo(f"事项 {item_id} 已交由 {a.lead_unit.name} 牵头")

    # ---- progress ---------------------------------------------------------------------------
    @main.group("progress")
    def progress_group() -> None:
        """进展反馈。"""

    @progress_group.command("add")
    @click.argument("duty_id", type=int)
    @click.option("--text", required=True, help="进展情况")
    @click.option("--figure", type=float, default=None, help="完成值")
    @click.option("--share", type=click.IntRange(0, 100), default=None, help="完成比例 0–100")
    @click.option("--evidence", default=None, help="佐证材料")
    @_at_option
    @db_option
    @_actor_option
    @friendly
    def progress_add(
        duty_id: int,
        text: str,
        figure: float | None,
        share: int | None,
        evidence: str | None,
        at: str | None,
        database_url: str | None,
        actor: str,
    ) -> None:
        """为督办事项 DUTY_ID 报送进展。"""
        from duban.ledger import service

        when = parse_at(at)
        with migrated_session(database_url) as s:
            p = service.add_progress(
                session=s,
                duty_id=duty_id,
                text=text,
                figure=figure,
                share=share,
                evidence=evidence,
                actor=actor,
                now=datetime.now(UTC),
                reported_at=when,
            )
            click.echo(f"已记录督办事项 {duty_id} 的进展（第 {p.id} 条）")

    # ---- clock ------------------------------------------------------------------------------
    @main.command("tick")
    @_at_option
    @db_option
    @friendly
    def tick_cmd(at: str | None, database_url: str | None) -> None:
        """按督办时钟评估全部未办结事项，记录催办/通报/报送提醒与亮灯变化（重复运行无副作用）。"""
        from duban.accounts import idempotency
        from duban.clock.calendar import provisional_note
        from duban.ledger.tick import tick

        now = parse_at(at)
        calendar, policy = _clock(database_url)
        with migrated_session(database_url) as s:
            r = tick(session=s, calendar=calendar, policy=policy, now=now)
        with migrated_session(database_url) as s:  # idempotency keys older than a day
            purged = idempotency.purge(session=s, now=now)
        kinds = {"remind": "催办", "circular": "通报", "report_due": "报送提醒"}
        detail = "，".join(f"{kinds.get(k, k)} {n}" for k, n in sorted(r.actions_by_kind.items())) or "无"
        click.echo(
            f"评估 {r.evaluated} 项；新动作 {r.new_actions}（{detail}）；亮灯变化 {r.light_changes}"
            + provisional_note(r.provisional_years)
        )
        if purged:
            click.echo(f"清理过期幂等键 {purged} 条")
        for e in r.errors:
            click.echo(f"未能计算: {e}", err=True)
        if r.failed:  # the others were evaluated and recorded; the exit status says some were not
            ids = "、".join(map(str, r.failed[:50])) + (" 等" if len(r.failed) > 50 else "")
            click.echo(f"共 {len(r.failed)} 项未能计算（督办事项 {ids}），其余已评估并记录", err=True)
            raise SystemExit(1)

    @main.command("board")
    @_at_option
    @db_option
    @friendly
    def board_cmd(at: str | None, database_url: str | None) -> None:
        """督办看板：各单位亮灯情况与逾期清单（截至最近一次 tick）。"""
        from sqlalchemy import select

        from duban.clock.calendar import local_date, provisional_note
        from duban.ledger.models import DutyRow
        from duban.ledger.tick import LIGHT_LABELS, board

        now = parse_at(at)
        calendar, _policy = _clock(database_url)
        with migrated_session(database_url) as s:
            b = board(session=s, now=now)
            next_dues = s.scalars(select(DutyRow.next_due).where(DutyRow.status != "closed").distinct())
            provisional = calendar.provisional_among([local_date(now), *next_dues])
        console = _console()
        if provisional:
            click.echo(f"亮灯与期限{provisional_note(provisional)}：该年放假安排尚未公布，按法定假日推算")
        t = Table("牵头单位", "绿灯", "黄灯", "红灯", "灰灯", "合计", title="各单位亮灯")
        for u in b.units:
            t.add_row(
                u.unit,
                str(u.green),
                f"[yellow]{u.yellow}[/]",
                f"[bold red]{u.red}[/]",
                str(u.grey),
                str(u.total),
            )
        tot = b.totals
        t.add_row(
            "合计",
            str(tot["green"]),
            str(tot["yellow"]),
            str(tot["red"]),
            str(tot["grey"]),
            str(tot["total"]),
        )
        console.print(t)
        o = Table(
            "督办事项",
            "牵头单位",
            "内容",
            "完成时限",
            "逾期工作日",
            "灯",
            title=f"逾期清单（{len(b.overdue)} 项）",
        )
        for r in b.overdue:
            light = r.light if r.light in LIGHT_STYLE else "grey"
            o.add_row(
                str(r.duty_id),
                r.unit,
                r.text[:40],
                r.due.isoformat(),
                str(r.overdue_workdays),
                f"[{LIGHT_STYLE[light]}]{LIGHT_LABELS[light]}[/]",
            )
        console.print(o)

    # ---- Excel ------------------------------------------------------------------------------
    @main.group("export")
    def export_group() -> None:
        """导出。"""

    @export_group.command("xlsx")
    @click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="输出的 .xlsx 文件")
    @click.option("--by-unit", is_flag=True, help="每个牵头单位一个工作表")
    @db_option
    @friendly
    def export_xlsx_cmd(output: Path, by_unit: bool, database_url: str | None) -> None:
        """导出台账为 Excel。"""
        from duban.ledger.xlsx import export_xlsx

        calendar, _policy = _clock(database_url)
        with migrated_session(database_url) as s:
            n = export_xlsx(session=s, path=output, by_unit=by_unit, calendar=calendar, now=parse_at(None))
        click.echo(f"已导出 {n} 项督办事项到 {output}")

    @main.group("import")
    def import_group() -> None:
        """导入。"""

    @import_group.command("xlsx")
    @click.argument("file", type=click.Path(path_type=Path))
    @db_option
    @_actor_option
    @friendly
    def import_xlsx_cmd(file: Path, database_url: str | None, actor: str) -> None:
        """导入填报后的台账 Excel（任何一行有错则全部不导入）。"""
        from duban.ledger.xlsx import import_xlsx

        with migrated_session(database_url) as s:
            r = import_xlsx(session=s, path=file, actor=actor, now=datetime.now(UTC))
        click.echo(
            f"读取 {r.rows} 行：新增进展 {r.progress_added}，调整时限 {r.due_changed}，未变 {r.unchanged}"
        )
