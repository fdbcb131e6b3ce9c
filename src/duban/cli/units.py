"""``duban units``: load the responsible units (a YAML/CSV unit file, or the built-in list of a
prefecture-level city) into the database; see :mod:`duban.units`."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from duban.cli.common import F, db_option, friendly, migrated_session


def _actor_option(f: F) -> F:
    return click.option("--actor", default="命令行", show_default=True, help="记录在事件日志中的操作人")(f)


def register(main: click.Group) -> None:
    """Add the ``units`` group to the root group."""

    @main.group("units")
    def units_group() -> None:
        """责任单位。"""

    @units_group.command("load")
    @click.argument("file", type=click.Path(path_type=Path), required=False)
    @db_option
    @_actor_option
    @friendly
    def units_load(file: Path | None, database_url: str | None, actor: str) -> None:
        """载入单位文件 FILE（YAML/CSV；省略时用内置的地级市单位表）。"""
        from duban.units.service import DEFAULT_UNITS, load_units

        path = file or DEFAULT_UNITS
        if not path.exists():
            raise click.ClickException(f"{path}: 文件不存在")
        with migrated_session(database_url) as s:
            r = load_units(session=s, path=path, actor=actor, now=datetime.now(UTC))
            click.echo(
                f"单位: 新增 {r.created}，更新 {r.updated}，未变 {r.unchanged}；别名新增 {r.aliases_added}"
            )
