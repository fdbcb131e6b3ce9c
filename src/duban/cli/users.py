"""CLI commands for accounts beyond ``duban users add``: list, disable, enable, reset-password,
set-role, revoke-tokens. Every change is one transaction with an event naming ``--actor``."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import click

from duban.cli.common import db_option, friendly, migrated_session

F = TypeVar("F", bound=Callable[..., Any])
ROLE_CHOICE = click.Choice(["office", "unit", "leader", "operator", "gateway"])


def _accounts(f: F) -> F:
    """Account errors (an unknown user, a weak password) as one line and exit 1."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from duban.accounts.service import AccountError

        try:
            return f(*args, **kwargs)
        except AccountError as exc:
            raise click.ClickException(str(exc)) from exc

    return friendly(wrapper)  # type: ignore[return-value]


def _actor(f: F) -> F:
    return click.option("--actor", default="命令行", show_default=True, help="记录在事件日志中的操作人")(f)


def register(users: click.Group) -> None:
    """Add the account commands to ``duban users``."""

    @users.command("list")
    @db_option
    @_accounts
    def list_(database_url: str | None) -> None:
        """列出全部用户（名称、角色、单位、状态、有效令牌数）。"""
        from duban.accounts.service import list_users, live_tokens

        now = datetime.now(UTC)
        with migrated_session(database_url) as s:
            rows = [(a, live_tokens(session=s, user_id=a.id, now=now)) for a in list_users(session=s)]
        for a, tokens in rows:
            state = "启用" if a.active else "停用"
            click.echo(f"{a.name}\t{a.role}\t{a.unit_name or '-'}\t{state}\t令牌 {tokens}")

    @users.command("disable")
    @click.argument("name")
    @db_option
    @_actor
    @_accounts
    def disable(name: str, database_url: str | None, actor: str) -> None:
        """停用用户 NAME（会话立即失效，令牌不再可用）。"""
        from duban.accounts.service import set_active

        with migrated_session(database_url) as s:
            set_active(session=s, name=name, active=False, now=datetime.now(UTC), actor=actor)
        click.echo(f"已停用用户 {name}")

    @users.command("enable")
    @click.argument("name")
    @db_option
    @_actor
    @_accounts
    def enable(name: str, database_url: str | None, actor: str) -> None:
        """重新启用用户 NAME。"""
        from duban.accounts.service import set_active

        with migrated_session(database_url) as s:
            set_active(session=s, name=name, active=True, now=datetime.now(UTC), actor=actor)
        click.echo(f"已启用用户 {name}")

    @users.command("reset-password")
    @click.argument("name")
    @click.option("--password-stdin", is_flag=True, help="从标准输入读取新密码（第一行）")
    @db_option
    @_actor
    @_accounts
    def reset_password(name: str, password_stdin: bool, database_url: str | None, actor: str) -> None:
        """重设用户 NAME 的密码（至少 10 位、不在常见密码表中；其会话全部结束）。"""
        from duban.accounts.service import set_password

        if not password_stdin:
            raise click.UsageError("请用 --password-stdin 从标准输入提供密码（不在命令行中出现）")
        password = sys.stdin.readline().rstrip("\r\n")
        with migrated_session(database_url) as s:
            set_password(session=s, name=name, password=password, now=datetime.now(UTC), actor=actor)
        click.echo(f"已重设用户 {name} 的密码")

    @users.command("set-role")
    @click.argument("name")
    @click.option("--role", required=True, type=ROLE_CHOICE, help="新角色")
    @click.option("--unit", default=None, help="所属单位（unit 角色必填）")
    @db_option
    @_actor
    @_accounts
    def set_role_(name: str, role: str, unit: str | None, database_url: str | None, actor: str) -> None:
        """改变用户 NAME 的角色或单位（其会话全部结束）。"""
        from duban.accounts.service import set_role

        with migrated_session(database_url) as s:
            account = set_role(session=s, name=name, role=role, unit=unit, now=datetime.now(UTC), actor=actor)
            suffix = f"（{account.unit_name}）" if account.unit_name else ""
        click.echo(f"用户 {name} 的角色改为 {role}{suffix}")

    @users.command("revoke-tokens")
    @click.argument("name")
    @db_option
    @_actor
    @_accounts
    def revoke(name: str, database_url: str | None, actor: str) -> None:
        """撤销用户 NAME 的全部 API 令牌。"""
        from duban.accounts.service import revoke_tokens

        with migrated_session(database_url) as s:
            n = revoke_tokens(session=s, name=name, now=datetime.now(UTC), actor=actor)
        click.echo(f"已撤销用户 {name} 的 {n} 个令牌")
