"""``duban cases`` commands on stored cases: ``intake``, ``import-311``, ``tick``, ``rates`` and
``report``. Every command takes ``--database-url`` (default ``DUBAN_DATABASE_URL``) and
migrates the database first. Mistakes print one Chinese line naming the file, row and field, and
exit 1; ``--at DATE`` is noon of that day in Beijing time (default: now).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from duban.cli.common import F, db_option, friendly, migrated_session, parse_at

INTAKE_COLUMNS = (
    "channel", "case_type", "urgent", "title", "content", "citizen_name", "citizen_phone", "address",
    "address_id", "lat", "lon", "service_code", "category", "source", "external_id", "received_at",
)  # fmt: skip


def _at_option(f: F) -> F:
    return click.option("--at", "at", default=None, help="业务日期 YYYY-MM-DD（默认现在）")(f)


def _clock(database_url: str | None) -> tuple[Any, Any]:
    from duban.cases.rules import load_rules
    from duban.clock.calendar import WorkCalendar
    from duban.clock.policy import load_policy
    from duban.config import Settings

    settings = Settings.from_env(database_url=database_url)
    calendar = WorkCalendar.load(settings.holiday_file, stored=settings.calendar_dir)
    return calendar, load_policy(load_rules().policy)


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v * 100:.1f}%"


def read_intake_csv(path: Path) -> list[Any]:
    """Cases from a CSV (columns as :data:`INTAKE_COLUMNS`); a bad cell names its row and column."""
    from pydantic import ValidationError

    from duban.cases.rules import CaseError
    from duban.cases.schemas import CaseCreate

    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            unknown = sorted(set(reader.fieldnames or []) - set(INTAKE_COLUMNS))
            if unknown:
                raise CaseError(f"{path}: 未知的列 {', '.join(unknown)}（可用：{', '.join(INTAKE_COLUMNS)}）")
            out = []
            for n, rec in enumerate(reader, start=2):
                data = {k: v for k, v in rec.items() if k and v not in (None, "")}
                if "urgent" in data:
                    data["urgent"] = str(data["urgent"]).strip().lower() in ("1", "true", "是", "yes", "紧急")
                try:
                    out.append(CaseCreate.model_validate(data))
                except ValidationError as exc:
                    err = exc.errors()[0]
                    column = ".".join(str(p) for p in err["loc"]) or "?"
                    raise CaseError(f"{path}: 第 {n} 行 列 {column}：{err['msg']}") from None
            return out
    except FileNotFoundError:
        raise CaseError(f"{path}: 文件不存在") from None
    except UnicodeDecodeError:
        raise CaseError(f"{path}: 不是 UTF-8 编码") from None


def add_commands(group: click.Group) -> None:
    """Add the commands on stored cases to the ``duban cases`` group."""

    @group.command("intake")
    @click.argument("file", type=click.Path(path_type=Path))
    @click.option("--model", type=click.Path(path_type=Path), default=None, help="分类模型文件（可选）")
    @db_option
    @_at_option
    @friendly
    def intake_cmd(file: Path, model: Path | None, database_url: str | None, at: str | None) -> None:
        """受理 CSV 中的工单（列：channel, case_type, content, citizen_phone, address …）。"""
        from duban.cases.intake import intake_many, load_classifier

        cases = read_intake_csv(file)
        calendar, policy = _clock(database_url)
        with migrated_session(database_url) as s:
            rep = intake_many(
                session=s, cases=cases, actor="命令行", now=parse_at(at), calendar=calendar, policy=policy,
                classifier=load_classifier(model),
            )  # fmt: skip
        click.echo(
            f"受理 {rep.created} 件，已存在跳过 {rep.skipped_existing} 件，待人工确认分类 {rep.needs_review} 件，"
            f"关联重复件 {rep.duplicates} 件"
            + (f"，智能派单 {rep.auto_dispatched} 件" if rep.auto_dispatched else "")
        )

    @group.command("import-311")
    @click.argument("file", type=click.Path(path_type=Path))
    @click.option(
        "--mapping", required=True, help="列映射：内置名（baltimore/sf/nyc/nyc-export）或 YAML 路径"
    )
    @click.option("--skip-bad", is_flag=True, help="跳过坏行并列出（默认：有坏行则整体不导入）")
    @click.option("--dry-run", is_flag=True, help="只检查并统计，不写数据库")
    @click.option("--top", type=int, default=15, show_default=True, help="SLA 统计列出的类型数")
    @db_option
    @_at_option
    @friendly
    def import_cmd(
        file: Path,
        mapping: str,
        skip_bad: bool,
        dry_run: bool,
        top: int,
        database_url: str | None,
        at: str | None,
    ) -> None:
        """导入真实 311 数据（列映射 YAML），并打印 SLA 统计（有到期时间的数据）。"""
        from duban.cases.city311 import ImportProblem, import_export, load_mapping, read_export
        from duban.cases.sla311 import sla_stats

        m = load_mapping(mapping)
        parsed = read_export(file, m)
        if parsed.problems and not skip_bad:
            shown = "\n".join(f"  {p}" for p in parsed.problems[:10])
            raise ImportProblem(
                f"{file.name}: {len(parsed.problems)} 处错误，未导入任何记录（可加 --skip-bad 跳过坏行）：\n{shown}"
            )
        for p in parsed.problems:
            click.echo(f"跳过 {p}", err=True)
        if not dry_run:
            with migrated_session(database_url) as s:
                rep = import_export(
                    session=s,
                    path=file,
                    mapping=m,
                    actor="命令行",
                    now=parse_at(at),
                    skip_bad=skip_bad,
                    parsed=parsed,
                )
            click.echo(
                f"导入 {rep.created} 件，已存在 {rep.existing} 件，跳过坏行 {len(rep.skipped)} 行（{m.label}）"
            )
        else:
            click.echo(f"检查通过 {len(parsed.records)} 行，坏行 {len(parsed.problems)} 行（未写入）")
        lines = sla_stats(parsed.records)
        if not any(line.with_due for line in lines):
            click.echo("该数据没有到期时间，不做 SLA 统计")
            return
        table = Table(title=f"SLA 统计：{m.label}")
        for col in ("类型", "请求数", "有到期时间", "已关闭", "按期关闭", "按期关闭率", "关闭中位天数"):
            table.add_column(col, justify="left" if col == "类型" else "right")
        for line in [*lines[:top], lines[-1]]:
            table.add_row(
                line.service_type, str(line.requests), str(line.with_due), str(line.closed),
                str(line.closed_by_due), _pct(line.share_by_due),
                "—" if line.median_days_to_close is None else f"{line.median_days_to_close:.2f}",
            )  # fmt: skip
        Console(width=160, soft_wrap=False).print(table)

    @group.command("tick")
    @db_option
    @_at_option
    @friendly
    def tick_cmd(database_url: str | None, at: str | None) -> None:
        """按工作日时钟检查所有在办工单，记录到期的催办、通报（可重复运行）。"""
        from duban.cases.tick import tick_cases
        from duban.clock.calendar import provisional_note

        calendar, policy = _clock(database_url)
        with migrated_session(database_url) as s:
            rep = tick_cases(session=s, calendar=calendar, policy=policy, now=parse_at(at))
        kinds = "，".join(f"{k} {v}" for k, v in sorted(rep.by_kind.items())) or "无"
        lights = "，".join(f"{k} {v}" for k, v in sorted(rep.lights.items())) or "无"
        click.echo(
            f"检查在办工单 {rep.evaluated} 件；新增动作 {rep.actions} 条（{kinds}）；灯色：{lights}"
            + provisional_note(rep.provisional_years)
        )
        for e in rep.errors[:20]:
            click.echo(f"无法计算：{e}", err=True)
        if rep.failed:
            raise SystemExit(1)

    @group.command("rates")
    @click.option("--month", default=None, help="月份 YYYY-MM（默认全部）")
    @click.option("--json", "as_json", is_flag=True, help="输出 JSON")
    @db_option
    @_at_option
    @friendly
    def rates_cmd(month: str | None, as_json: bool, database_url: str | None, at: str | None) -> None:
        """按单位、月份统计响应率、解决率、满意率、按时办结率、退回率、重办率。"""
        from duban.cases.rates import RATE_LABELS, unit_rates
        from duban.clock.calendar import local_date

        _check_month(month)
        with migrated_session(database_url) as s:
            rows = unit_rates(session=s, as_of=local_date(parse_at(at)), month=month)
        if as_json:
            click.echo(json.dumps([r.as_dict() for r in rows], ensure_ascii=False, indent=1))
            return
        if not rows:
            click.echo("没有可统计的工单")
            return
        table = Table(title="工单办理情况" + (f"（{month}）" if month else ""))
        for col in ("月份", "单位", "类别", "工单量", *RATE_LABELS.values()):
            table.add_column(col)
        for r in rows:
            table.add_row(
                r.month, r.unit, r.unit_kind, str(r.cases), *(_pct(getattr(r, k)) for k in RATE_LABELS)
            )
        Console(width=180, soft_wrap=False).print(table)

    @group.command("report")
    @click.option("--month", required=True, help="月份 YYYY-MM")
    @click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="通报 xlsx 文件")
    @click.option(
        "--json", "json_out", type=click.Path(path_type=Path), default=None, help="另存控制台用 JSON"
    )
    @db_option
    @_at_option
    @friendly
    def report_cmd(
        month: str, output: Path, json_out: Path | None, database_url: str | None, at: str | None
    ) -> None:
        """生成月度工单通报（红榜、黑榜），xlsx，可另存 JSON。"""
        from duban.cases.rates import bulletin_xlsx, rankings, rankings_json
        from duban.clock.calendar import local_date

        _check_month(month)
        with migrated_session(database_url) as s:
            ranks = rankings(session=s, month=month, as_of=local_date(parse_at(at)))
        output.write_bytes(bulletin_xlsx(ranks, month=month))
        if json_out is not None:
            json_out.write_text(
                json.dumps(rankings_json(ranks), ensure_ascii=False, indent=1), encoding="utf-8"
            )
        for r in ranks:
            red = "、".join(x.unit for x in r.red) or "无"
            black = "、".join(x.unit for x in r.black) or "无"
            click.echo(f"{r.unit_kind}：参与排名 {len(r.ranked)} 个；红榜 {red}；黑榜 {black}")
        click.echo(f"已写出 {output}")


def _check_month(month: str | None) -> None:
    import re

    if month is not None and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise click.BadParameter(f"「{month}」不是月份（应为 2026-03）", param_hint="--month")
