"""CLI commands for the sources of duties: import a source's list, the replies of suggestions and
proposals (答复, 满意度, 延期) and the count of duties by source."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import click

from duban.cli.common import db_option, friendly, migrated_session, parse_at


def register(main: click.Group) -> None:
    """Add ``import source``, ``reply add|rate|extend`` and ``sources`` to the root group."""
    import_group = main.commands["import"]
    assert isinstance(import_group, click.Group)
    actor = click.option("--actor", default="命令行", show_default=True, help="记录在事件日志中的操作人")
    at_option = click.option("--at", "at", default=None, help="业务日期 YYYY-MM-DD（默认今天）")

    @import_group.command("source")
    @click.argument("file", type=click.Path(path_type=Path))
    @click.option("--source", "source_name", required=True, help="来源：交办、批示、议定、建议、提案")
    @click.option(
        "--rules",
        type=click.Path(path_type=Path),
        default=None,
        help="分办规则 YAML（默认：该政府的设置 routing_rules，或内置规则）",
    )
    @at_option
    @db_option
    @actor
    @friendly
    def import_source_cmd(
        file: Path, source_name: str, rules: Path | None, at: str | None, database_url: str | None, actor: str
    ) -> None:
        """导入来源清单 xlsx（上级交办、领导批示、会议议定事项、人大代表建议、政协委员提案），
        有承办单位的按其交办，否则按分办规则分办；任何一行有错则全部不导入。"""
        from duban.ledger.errors import LedgerError
        from duban.ledger.routing import load_rules
        from duban.ledger.sources import import_source, sheet_rows, source_of

        source = source_of(source_name)
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise LedgerError(f"{file}: 无法读取 ({exc.strerror})") from exc
        with migrated_session(database_url) as s:
            r = import_source(
                session=s, source=source, rows=sheet_rows(data, file.name), name=file.name,
                rules=load_rules(rules) if rules else None, actor=actor, now=parse_at(at),
            )  # fmt: skip
            plan_id = r.plan.id
        if not r.created:
            click.echo(f"{file.name} 已导入过（计划 {plan_id}），未重复导入")
            return
        click.echo(
            f"已导入{source.label} {r.rows} 项（计划 {plan_id}）：已交办 {len(r.assigned)}，"
            f"待人工分办 {len(r.needs_person)}"
        )

    @main.group("reply")
    def reply_group() -> None:
        """建议、提案的答复、满意度与延期。"""

    @reply_group.command("add")
    @click.argument("duty_id", type=int)
    @click.option("--text", required=True, help="答复内容")
    @at_option
    @db_option
    @actor
    @friendly
    def reply_add(duty_id: int, text: str, at: str | None, database_url: str | None, actor: str) -> None:
        """承办单位答复督办事项 DUTY_ID（建议或提案），等待记录满意度。"""
        from duban.ledger import service

        with migrated_session(database_url) as s:
            r = service.reply(session=s, duty_id=duty_id, text=text, actor=actor, now=parse_at(at))
            click.echo(f"已答复督办事项 {duty_id}（第 {r.round} 次答复）")

    @reply_group.command("rate")
    @click.argument("duty_id", type=int)
    @click.option("--satisfaction", required=True, help="满意 / 基本满意 / 不满意")
    @click.option("--opinion", default=None, help="代表或委员的意见")
    @at_option
    @db_option
    @actor
    @friendly
    def reply_rate(
        duty_id: int,
        satisfaction: str,
        opinion: str | None,
        at: str | None,
        database_url: str | None,
        actor: str,
    ) -> None:
        """记录代表或委员对督办事项 DUTY_ID 答复的满意度：不满意则重办，满意、基本满意则办结。"""
        from duban.cli.ledger import _clock
        from duban.ledger import service

        calendar, policy = _clock(database_url)
        with migrated_session(database_url) as s:
            r = service.rate(
                session=s, duty_id=duty_id, satisfaction=satisfaction, opinion=opinion, actor=actor,
                now=parse_at(at), calendar=calendar, policy=policy,
            )  # fmt: skip
            if r.satisfaction is None:
                click.echo(f"督办事项 {duty_id} 答复不满意，重新办理（第 {r.round} 次答复时限 {r.due}）")
            else:
                click.echo(f"督办事项 {duty_id} 答复{satisfaction}，已办结")

    @reply_group.command("extend")
    @click.argument("duty_id", type=int)
    @click.option("--due", "due", required=True, help="延期后的答复时限 YYYY-MM-DD")
    @click.option("--reason", required=True, help="延期理由")
    @db_option
    @actor
    @friendly
    def reply_extend(duty_id: int, due: str, reason: str, database_url: str | None, actor: str) -> None:
        """批准督办事项 DUTY_ID 的答复延期（记入事件日志）。"""
        from duban.ledger import service

        try:
            until = date.fromisoformat(due)
        except ValueError:
            raise click.BadParameter(f"「{due}」不是日期（应为 2026-07-15）", param_hint="--due") from None
        with migrated_session(database_url) as s:
            r = service.extend(
                session=s, duty_id=duty_id, due=until, reason=reason, actor=actor, now=datetime.now(UTC)
            )
            click.echo(f"督办事项 {duty_id} 第 {r.round} 次答复时限延至 {r.due}")

    @main.command("sources")
    @db_option
    @friendly
    def sources_cmd(database_url: str | None) -> None:
        """按来源统计督办事项：总数、在办、办结、红黄灯、逾期，建议提案的答复、重办与满意度。"""
        from duban.ledger.source_board import source_counts

        with migrated_session(database_url) as s:
            counts = source_counts(session=s)
        click.echo("来源\t总数\t在办\t办结\t红灯\t黄灯\t逾期\t已答复\t重办\t满意度")
        for c in counts:
            rated = "，".join(f"{k} {n}" for k, n in c.satisfaction.items()) or "—"
            click.echo(
                f"{c.label}\t{c.total}\t{c.open}\t{c.closed}\t{c.red}\t{c.yellow}\t{c.overdue}\t"
                f"{c.replied}\t{c.redo}\t{rated}"
            )
