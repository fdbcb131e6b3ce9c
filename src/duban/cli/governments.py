"""``duban governments``: the levels of government in one deployment (省/市/县/乡) — add, list as
a tree, settings inherited from the level above, their units and accounts; and ``duban ledger
hand-down``: hand a duty down (下交) to a child government. See docs/levels.md."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import click

from duban.cli.common import db_option, friendly, migrated_session

LEVELS = ("省", "市", "县", "乡")


def register(main: click.Group) -> None:
    """Add the ``governments`` and ``ledger`` groups to the root group."""
    actor = click.option("--actor", default="命令行", show_default=True, help="记录在事件日志中的操作人")

    @main.group("governments")
    def governments_group() -> None:
        """各级政府（省、市、县、乡）：一个部署中的上下级。"""

    @governments_group.command("add")
    @click.argument("name")
    @click.option("--level", required=True, type=click.Choice(LEVELS), help="层级：省、市、县、乡")
    @click.option("--parent", default=None, help="上级政府名称（省略：顶级政府）")
    @click.option("--code", default=None, help="行政区划代码")
    @db_option
    @actor
    @friendly
    def add(
        name: str, level: str, parent: str | None, code: str | None, database_url: str | None, actor: str
    ) -> None:
        """新增政府 NAME。"""
        from duban.units.governments import add_government

        with migrated_session(database_url) as s:
            row = add_government(session=s, name=name, level=level, parent=parent, code=code, actor=actor,
                                 now=datetime.now(UTC))  # fmt: skip
            click.echo(
                f"已新增{row.level}级政府 {row.name}" + (f"（上级 {parent}）" if parent else "（顶级）")
            )

    @governments_group.command("list")
    @db_option
    @friendly
    def list_(database_url: str | None) -> None:
        """列出各级政府（树形）。"""
        from duban.units.governments import tree

        with migrated_session(database_url) as s:
            nodes = tree(session=s)
        if not nodes:
            click.echo("尚无政府（单一政府部署）；用 duban governments add 新增")
        for n in nodes:
            click.echo(f"{'  ' * n.depth}{n.name}（{n.level}）" + (f" {n.code}" if n.code else ""))

    @governments_group.command("set")
    @click.argument("name")
    @click.argument("key")
    @click.argument("value")
    @db_option
    @actor
    @friendly
    def set_(name: str, key: str, value: str, database_url: str | None, actor: str) -> None:
        """设置政府 NAME 的本级设置 KEY 为 VALUE（JSON；null 取消，改用上级的）。"""
        from duban.units.governments import GovernmentError, set_setting

        try:
            parsed = json.loads(value)
        except json.JSONDecodeError as exc:
            raise GovernmentError(
                f"VALUE 不是合法的 JSON：{exc.msg}（第 {exc.pos + 1} 个字符）", "value"
            ) from None
        if key == "routing_rules" and parsed is not None:
            from duban.ledger.routing import parse_rules

            parse_rules(parsed, source=f"{name} 的 routing_rules")  # LedgerError names the bad rule
        if key == "policy" and parsed is not None:
            from duban.clock.policy import policy_from

            policy_from(parsed, f"{name} 的 policy")  # PolicyError names the bad field
        with migrated_session(database_url) as s:
            set_setting(session=s, name=name, key=key, value=parsed, actor=actor, now=datetime.now(UTC))
        click.echo(f"{name}: {key} " + ("已取消（沿用上级）" if parsed is None else "已设置"))

    @governments_group.command("settings")
    @click.argument("name")
    @db_option
    @friendly
    def settings_(name: str, database_url: str | None) -> None:
        """政府 NAME 实际使用的设置：本级的，或从上级继承的（注明来自哪一级）。"""
        from duban.units.governments import SETTING_KEYS, require_government, setting

        with migrated_session(database_url) as s:
            gid = require_government(session=s, name=name).id
            for key in SETTING_KEYS:
                value, origin = setting(session=s, government_id=gid, key=key)
                shown = (
                    "（未设置）" if origin is None else f"{json.dumps(value, ensure_ascii=False)}  ← {origin}"
                )
                click.echo(f"{key}: {shown}")

    @governments_group.command("units")
    @click.argument("name")
    @click.argument("units", nargs=-1, required=True)
    @db_option
    @actor
    @friendly
    def units_(name: str, units: tuple[str, ...], database_url: str | None, actor: str) -> None:
        """把单位 UNITS 划归政府 NAME。"""
        from duban.units.governments import attach_units
        from duban.units.service import require_unit

        with migrated_session(database_url) as s:
            rows = [require_unit(session=s, name=u) for u in units]
            n = attach_units(session=s, government=name, units=rows, actor=actor, now=datetime.now(UTC))
        click.echo(f"{name}: 划入单位 {n} 个")

    @governments_group.command("user")
    @click.argument("user")
    @click.argument("name")
    @db_option
    @actor
    @friendly
    def user_(user: str, name: str, database_url: str | None, actor: str) -> None:
        """把账号 USER 划归政府 NAME（该账号只看到其辖区）。"""
        from duban.accounts.service import AccountError, set_government

        with migrated_session(database_url) as s:
            try:
                set_government(session=s, name=user, government=name, actor=actor, now=datetime.now(UTC))
            except AccountError as exc:
                raise click.ClickException(str(exc)) from exc
        click.echo(f"账号 {user} 已划归 {name}")

    @main.group("ledger")
    def ledger_group() -> None:
        """台账的上下级操作。"""

    @ledger_group.command("hand-down")
    @click.argument("duty_id", type=int)
    @click.option("--to", "to", required=True, help="下级政府名称")
    @db_option
    @actor
    @friendly
    def hand_down(duty_id: int, to: str, database_url: str | None, actor: str) -> None:
        """把督办事项 DUTY_ID 下交给下级政府（在其台账中生成关联的督办事项）。"""
        from duban.ledger.levels import hand_down as do_hand_down

        with migrated_session(database_url) as s:
            child = do_hand_down(session=s, duty_id=duty_id, to=to, actor=actor, now=datetime.now(UTC))
            click.echo(f"督办事项 {duty_id} 已下交 {to}：督办事项 {child.id}（待其督查室交办）")
