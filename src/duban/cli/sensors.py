"""``duban sensors listen``: take sensor alarms from an MQTT broker as cases (一网感知).

The rules (repeat, clear, flapping) are :mod:`duban.cases.sensors`, the same as
``POST /api/sensors/alarms``; the MQTT side is :mod:`duban.cases.mqtt`. The password comes from an
environment variable (``--password-env``, default ``DUBAN_MQTT_PASSWORD``) or the first line of
standard input (``--password-stdin``), never from the command line.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import click

from duban.cli.common import db_option, friendly


def register(main: click.Group) -> None:
    """Add the ``sensors`` group and its commands to the root group."""

    @main.group("sensors")
    def sensors_group() -> None:
        """感知设备告警：从 MQTT 代理接收告警，按同一规则生成工单。"""

    @sensors_group.command("listen")
    @click.option("--mqtt", "mqtt_url", required=True, help="代理地址 mqtt://主机:端口（TLS 用 mqtts://）")
    @click.option("--topic", default="city/sensors/#", show_default=True, help="订阅的主题（可含通配符）")
    @click.option(
        "--client-id", default="duban-sensors", show_default=True, help="客户端标识（持久会话按此保留）"
    )
    @click.option("--username", default=None, help="代理用户名")
    @click.option(
        "--password-env", default="DUBAN_MQTT_PASSWORD", show_default=True, help="从此环境变量读取密码"
    )
    @click.option("--password-stdin", is_flag=True, help="从标准输入第一行读取密码")
    @click.option(
        "--tls-ca", type=click.Path(path_type=Path), default=None, help="校验代理证书的 CA 文件（启用 TLS）"
    )
    @click.option("--max-messages", type=click.IntRange(min=1), default=None, help="处理这么多条消息后停止")
    @click.option("--seconds", type=click.FloatRange(min=0), default=None, help="运行这么多秒后停止")
    @click.option(
        "--max-backoff", type=click.IntRange(min=1), default=30, show_default=True, help="重连退避上限（秒）"
    )
    @db_option
    @friendly
    def listen_cmd(
        mqtt_url: str,
        topic: str,
        client_id: str,
        username: str | None,
        password_env: str,
        password_stdin: bool,
        tls_ca: Path | None,
        max_messages: int | None,
        seconds: float | None,
        max_backoff: int,
        database_url: str | None,
    ) -> None:
        """订阅 MQTT 主题，把每条告警/恢复消息按重复、恢复、防抖规则记为工单（QoS 1，提交后确认）。"""
        from duban.cases.mqtt import ListenOptions, listen, parse_broker
        from duban.cases.rules import load_rules
        from duban.clock.calendar import WorkCalendar
        from duban.clock.policy import load_policy
        from duban.config import Settings
        from duban.db import make_engine, session_scope, upgrade

        if tls_ca is not None and not tls_ca.is_file():
            raise click.BadParameter(f"CA 文件 {tls_ca} 不存在", param_hint="--tls-ca")
        password = sys.stdin.readline().rstrip("\r\n") if password_stdin else os.environ.get(password_env)
        options = ListenOptions(
            broker=parse_broker(mqtt_url), topic=topic, client_id=client_id, username=username,
            password=password or None, tls_ca=str(tls_ca) if tls_ca else None, max_messages=max_messages,
            seconds=seconds, max_backoff=max_backoff,
        )  # fmt: skip
        if not logging.getLogger().handlers:
            logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
        settings = Settings.from_env(database_url=database_url)
        calendar = WorkCalendar.load(settings.holiday_file, stored=settings.calendar_dir)
        policy = load_policy(load_rules().policy)
        engine = make_engine(settings)
        try:
            upgrade(engine)
            stop = threading.Event()
            if threading.current_thread() is threading.main_thread():  # systemctl stop: finish cleanly
                signal.signal(signal.SIGTERM, lambda *_: stop.set())
            try:
                report = listen(
                    options=options, sessions=lambda: session_scope(engine), calendar=calendar, policy=policy,
                    clock=lambda: datetime.now(UTC), stop=stop,
                )  # fmt: skip
            except KeyboardInterrupt:
                raise click.ClickException("已中断") from None
        finally:
            engine.dispose()
        shown = "，".join(f"{k} {v}" for k, v in sorted(report.outcomes.items())) or "无"
        click.echo(
            f"处理消息 {report.handled} 条（{shown}），无效 {report.bad} 条，未入库 {report.failed} 条，"
            f"连接 {report.connects} 次"
        )
