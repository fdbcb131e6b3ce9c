"""CLI commands for the web console: ``duban serve`` and ``duban users`` (add here; the rest in
:mod:`duban.cli.users`)."""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime

import click


def register(main: click.Group) -> None:
    """Add this domain's commands to the root group."""

    @main.command("serve")
    @click.option("--host", default="127.0.0.1", show_default=True, help="监听地址")
    @click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="端口")
    @click.option("--database-url", default=None, help="数据库 URL（默认取 DUBAN_DATABASE_URL）")
    @click.option(
        "--workers",
        default=1,
        show_default=True,
        type=click.IntRange(1, 64),
        help="工作进程数（多个进程共享数据库与上传目录；一般取 CPU 核数）",
    )
    def serve(host: str, port: int, database_url: str | None, workers: int) -> None:
        """启动督办系统网页（迁移数据库到最新版本后开始服务）。"""
        import uvicorn

        from duban.config import Settings, SettingsError
        from duban.db import make_engine, upgrade
        from duban.web import create_app
        from duban.web.workers import run_workers

        try:
            settings = Settings.from_env(database_url=database_url)
        except SettingsError as exc:
            raise click.ClickException(str(exc)) from exc
        if settings.uses_dev_secret and host not in ("127.0.0.1", "localhost", "::1"):
            raise click.ClickException("对外监听时须设置 DUBAN_SECRET_KEY（不能使用开发用密钥）")
        engine = make_engine(settings)
        upgrade(engine)
        engine.dispose()
        click.echo(f"督办系统: http://{host}:{port}/（{workers} 个工作进程）", err=True)
        if workers == 1:
            uvicorn.run(create_app(settings), host=host, port=port, log_level="warning", proxy_headers=False)
            return
        os.environ.update(settings.to_env())  # each worker builds its app from these
        run_workers(  # each worker on a socket of its own (duban.web.workers)
            "duban.web.app:app_from_env",
            workers=workers,
            host=host,
            port=port,
            log_level="warning",
            proxy_headers=False,  # X-Forwarded-For is read by duban, from trusted_proxies only
        )

    @main.group("users")
    def users() -> None:
        """账号管理（督查室 office / 责任单位 unit / 领导 leader / 话务员 operator / 设备网关 gateway）。"""

    from duban.cli import users as users_commands

    users_commands.register(users)

    @users.command("add")
    @click.argument("name")
    @click.option(
        "--role",
        required=True,
        type=click.Choice(["office", "unit", "leader", "operator", "gateway"]),
        help="角色",
    )
    @click.option("--unit", default=None, help="所属单位（unit 角色必填）")
    @click.option("--password-stdin", is_flag=True, help="从标准输入读取密码（第一行）")
    @click.option("--database-url", default=None, help="数据库 URL（默认取 DUBAN_DATABASE_URL）")
    def add(name: str, role: str, unit: str | None, password_stdin: bool, database_url: str | None) -> None:
        """新增用户 NAME。"""
        from duban.accounts.service import AccountError, create_user
        from duban.config import Settings, SettingsError
        from duban.db import make_engine, session_scope, upgrade
        from duban.ledger.errors import LedgerError
        from duban.units.service import UnitError

        if not password_stdin:
            raise click.UsageError("请用 --password-stdin 从标准输入提供密码（不在命令行中出现）")
        password = sys.stdin.readline().rstrip("\r\n")
        try:
            settings = Settings.from_env(database_url=database_url)
        except SettingsError as exc:
            raise click.ClickException(str(exc)) from exc
        engine = make_engine(settings)
        try:
            upgrade(engine)
            with session_scope(engine) as session:
                account = create_user(
                    session=session, name=name, role=role, unit=unit, password=password, now=datetime.now(UTC)
                )
        except (AccountError, LedgerError, UnitError) as exc:
            raise click.ClickException(str(exc)) from exc
        finally:
            engine.dispose()
        suffix = f"（{account.unit_name}）" if account.unit_name else ""
        click.echo(f"已创建用户 {account.name}，角色 {account.role}{suffix}")
