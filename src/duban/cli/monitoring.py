"""``duban monitoring …``: the monitoring list (防止返贫监测帮扶) from the command line — import a
county's list or a department's screening list (.xlsx, all or nothing), export it (masked unless
``--unmasked``, which is logged), the list, the board by township and by risk, and 风险消除.

Mistakes (a bad row, an unknown household, an unmet condition) are one Chinese line and exit 1.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from duban.cli.common import db_option, friendly, migrated_session, parse_at

F = TypeVar("F", bound=Callable[..., Any])
ACTOR = "命令行"


def _at(f: F) -> F:
    return click.option("--at", default=None, help="业务日期 YYYY-MM-DD（默认现在）")(f)


def register(main: click.Group) -> None:
    """Add the ``monitoring`` group and its commands to the root group."""

    @main.group("monitoring")
    def monitoring_group() -> None:
        """防止返贫监测帮扶：监测对象名单的导入导出、看板和风险消除。"""

    @monitoring_group.command("import")
    @click.argument("file", type=click.Path(path_type=Path))
    @click.option(
        "--found-by", default="部门筛查预警", show_default=True, help="表中没有“识别方式”列时的识别方式"
    )
    @db_option
    @_at
    @friendly
    def import_cmd(file: Path, found_by: str, database_url: str | None, at: str | None) -> None:
        """导入县区监测对象名单或部门筛查预警名单（.xlsx；身份证号已在名单中的户登记新风险；任何一行有误则整表不导入）。"""
        from duban.monitoring.workbook import import_workbook

        if not file.is_file():
            raise click.ClickException(f"文件 {file} 不存在")
        now = parse_at(at)
        with migrated_session(database_url) as s:
            r = import_workbook(session=s, data=file.read_bytes(), found_by=found_by, actor=ACTOR, now=now)
        click.echo(
            f"导入 {r.rows} 行：新纳入 {len(r.created)} 户，登记新风险 {len(r.matched)} 户，无变化 {len(r.unchanged)} 户"
        )

    @monitoring_group.command("export")
    @click.option(
        "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="输出 .xlsx"
    )
    @click.option("--unmasked", is_flag=True, help="写出完整身份证号和电话（记入审计日志）")
    @db_option
    @friendly
    def export_cmd(output: Path, unmasked: bool, database_url: str | None) -> None:
        """导出监测对象名单（与导入相同的表头；身份证号、电话默认遮蔽）。"""
        from duban.monitoring.households import log_view
        from duban.monitoring.workbook import export_workbook

        with migrated_session(database_url) as s:
            data = export_workbook(session=s, unit_id=None, full=lambda _row: unmasked)
            log_view(session=s, household_id=0, actor=ACTOR, now=parse_at(None), role=None, path=str(output),
                     masked=not unmasked, action="export")  # fmt: skip
        output.write_bytes(data)
        click.echo(f"已写出 {output}（{'完整' if unmasked else '遮蔽'}身份证号和电话）")

    @monitoring_group.command("list")
    @click.option("--township", default=None, help="乡镇")
    @click.option(
        "--status", type=click.Choice(["monitoring", "cleared", "returned"]), default=None, help="监测状态"
    )
    @click.option("--risk", default=None, help="风险类型")
    @db_option
    @friendly
    def list_cmd(
        township: str | None, status: str | None, risk: str | None, database_url: str | None
    ) -> None:
        """列出监测户（身份证号、电话遮蔽）。"""
        from duban.monitoring.households import list_households, summaries

        with migrated_session(database_url) as s:
            rows = summaries(session=s, rows=list_households(session=s, township=township, status=status, risk=risk,
                                                             limit=10_000), full=lambda _row: False)  # fmt: skip
        for h in rows:
            click.echo(f"{h['id']}\t{h['county']}{h['township']}{h['village']}\t{h['head_name']}\t{h['id_number']}\t"
                       f"{h['household_type']}\t{'、'.join(h['risks'])}\t{h['status_label']}")  # fmt: skip
        click.echo(f"共 {len(rows)} 户")

    @monitoring_group.command("board")
    @db_option
    @_at
    @friendly
    def board_cmd(database_url: str | None, at: str | None) -> None:
        """看板：按乡镇、按风险类型的户数和超期措施、超期走访。"""
        from duban.monitoring.board import build_board

        with migrated_session(database_url) as s:
            b = build_board(session=s, now=parse_at(at))
        for title, lines in (("按乡镇", b.by_township), ("按风险类型", b.by_risk)):
            click.echo(f"{title}\t户数\t监测中\t已消除\t超期措施\t超期走访")
            for r in [*lines, b.total]:
                click.echo(f"{r.name}\t{r.households}\t{r.monitoring + r.returned}\t{r.cleared}\t"
                           f"{r.overdue_measures}\t{r.overdue_visits}")  # fmt: skip

    @monitoring_group.command("clear")
    @click.argument("household_id", type=click.IntRange(1, 2**31 - 1))
    @click.option("--note", default="", help="说明")
    @db_option
    @_at
    @friendly
    def clear_cmd(household_id: int, note: str, database_url: str | None, at: str | None) -> None:
        """标注风险消除（规则的条件全部满足才可，否则列出未满足的条件）。"""
        from duban.monitoring.clearance import clear_risk

        with migrated_session(database_url) as s:
            clear_risk(session=s, household_id=household_id, note=note, actor=ACTOR, now=parse_at(at))
        click.echo(f"监测户 {household_id} 已标注风险消除")
