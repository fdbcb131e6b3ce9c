"""The MQTT listener for sensor alarms (一网感知): an adapter that only calls
:func:`duban.cases.sensors.take_alarm`.

paho-mqtt 2 (``CallbackAPIVersion.VERSION2``), QoS 1 with a persistent session (a fixed client id,
``clean_session=False``) and manual acknowledgement: each message is handled in its own
transaction and acknowledged only after it commits; when a transaction fails the listener
reconnects after a back-off (1 s doubling up to ``max_backoff``) and the broker delivers the
unacknowledged message again. A bad message is logged (topic, first bytes, the
reason) and acknowledged: it never stops the listener. A lost connection is retried with
exponential back-off (1 s doubling up to ``max_backoff``).
"""

from __future__ import annotations

import logging
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from duban.cases.rules import CaseError
from duban.cases.sensors import AlarmResult, SensorMessageError, parse_message, take_alarm
from duban.clock.calendar import WorkCalendar
from duban.clock.policy import Policy

log = logging.getLogger("duban.sensors")
PREVIEW_BYTES = 80


@dataclass(frozen=True)
class BrokerAddress:
    """Where the broker listens: ``mqtt://HOST:PORT`` (plain) or ``mqtts://HOST:PORT`` (TLS)."""

    host: str
    port: int
    tls: bool


def parse_broker(url: str) -> BrokerAddress:
    """``mqtt://HOST[:1883]`` or ``mqtts://HOST[:8883]``; anything else is a clear error."""
    parts = urlsplit(url)
    if parts.scheme not in ("mqtt", "mqtts") or not parts.hostname:
        raise CaseError(f"代理地址「{url}」应为 mqtt://主机:端口 或 mqtts://主机:端口", "mqtt")
    try:
        port = parts.port
    except ValueError:
        raise CaseError(f"代理地址「{url}」的端口无效", "mqtt") from None
    tls = parts.scheme == "mqtts"
    return BrokerAddress(parts.hostname, port or (8883 if tls else 1883), tls)


@dataclass
class ListenOptions:
    """What the listener connects to and when it stops."""

    broker: BrokerAddress
    topic: str
    client_id: str = "duban-sensors"
    username: str | None = None
    password: str | None = None
    tls_ca: str | None = None
    max_messages: int | None = None
    seconds: float | None = None
    max_backoff: int = 30


@dataclass
class ListenReport:
    """What a listening run did: messages by outcome, bad ones, connections made."""

    outcomes: dict[str, int] = field(default_factory=dict)
    bad: int = 0
    failed: int = 0
    connects: int = 0

    @property
    def handled(self) -> int:
        """Messages taken in (a case changed or a duplicate/no-case noted) plus bad ones."""
        return sum(self.outcomes.values()) + self.bad


SessionFactory = Callable[[], AbstractContextManager[Session]]


def preview(payload: bytes) -> str:
    """The first bytes of a message for the log."""
    head = payload[:PREVIEW_BYTES].decode("utf-8", errors="replace")
    return head + ("…" if len(payload) > PREVIEW_BYTES else "")


def handle_message(
    *,
    topic: str,
    payload: bytes,
    sessions: SessionFactory,
    calendar: WorkCalendar,
    policy: Policy,
    clock: Callable[[], datetime],
    unit_cache: dict[str, int | None] | None = None,
) -> AlarmResult | None:
    """One message in its own transaction: the result, or None for a bad message (logged)."""
    try:
        alarm = parse_message(payload)
    except SensorMessageError as exc:
        log.warning("传感消息无效（主题 %s，内容 %r）：%s", topic, preview(payload), exc)
        return None
    with sessions() as session:
        got = take_alarm(
            session=session,
            alarm=alarm,
            actor=f"MQTT:{topic}"[:100],
            now=clock(),
            calendar=calendar,
            policy=policy,
            unit_cache=unit_cache,
        )
    log.info("传感消息 %s %s %s → %s 工单 %s（计 %d 次）", topic, alarm.sensor_id, alarm.state, got.outcome,
             got.case_id, got.count)  # fmt: skip
    return got


def listen(
    *,
    options: ListenOptions,
    sessions: SessionFactory,
    calendar: WorkCalendar,
    policy: Policy,
    clock: Callable[[], datetime],
    stop: threading.Event | None = None,
) -> ListenReport:
    """Listen until ``max_messages`` are handled, ``seconds`` pass or ``stop`` is set."""
    stop = stop or threading.Event()
    report = ListenReport()
    retry: dict[str, Any] = {"at": None, "delay": 1.0}
    units: dict[str, int | None] = {}
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2,
        client_id=options.client_id,
        clean_session=False,
        reconnect_on_failure=True,
    )
    client.manual_ack_set(True)
    client.reconnect_delay_set(min_delay=1, max_delay=options.max_backoff)
    if options.username:
        client.username_pw_set(options.username, options.password)
    if options.broker.tls or options.tls_ca:
        client.tls_set(ca_certs=options.tls_ca, cert_reqs=ssl.CERT_REQUIRED)

    def on_connect(c: mqtt.Client, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        if reason.is_failure:
            log.error("连接 MQTT 代理失败：%s", reason)
            return
        report.connects += 1
        log.info(
            "已连接 MQTT 代理 %s:%d，订阅 %s（QoS 1）",
            options.broker.host,
            options.broker.port,
            options.topic,
        )
        c.subscribe(options.topic, qos=1)

    def on_subscribe(_c: mqtt.Client, _u: Any, _mid: int, reasons: list[Any], _p: Any) -> None:
        failed = [r for r in reasons if r.is_failure]
        if failed:
            log.error("订阅 %s 被代理拒绝：%s", options.topic, failed[0])
        else:
            log.info("已订阅 %s", options.topic)

    def on_disconnect(_c: mqtt.Client, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        if not stop.is_set():
            log.warning("与 MQTT 代理断开（%s），将按退避重连", reason)

    def on_message(c: mqtt.Client, _u: Any, msg: mqtt.MQTTMessage) -> None:
        payload = bytes(msg.payload)
        try:
            got = handle_message(
                topic=msg.topic, payload=payload, sessions=sessions, calendar=calendar, policy=policy,
                clock=clock, unit_cache=units,
            )  # fmt: skip
        except Exception as exc:  # not committed: not acknowledged, comes again; the listener goes on
            report.failed += 1
            if retry["at"] is None:  # reconnect after a back-off: the broker then delivers it again
                retry["at"] = time.monotonic() + retry["delay"]
                retry["delay"] = min(retry["delay"] * 2, options.max_backoff)
            log.error("传感消息未能入库（主题 %s，内容 %r）：%s；未确认，重连后代理将重发", msg.topic,
                      preview(payload), str(exc).splitlines()[0] if str(exc) else type(exc).__name__,
                      exc_info=not isinstance(exc, CaseError | SQLAlchemyError))  # fmt: skip
            return
        c.ack(msg.mid, msg.qos)
        retry["delay"] = 1.0
        if got is None:
            report.bad += 1
        else:
            report.outcomes[got.outcome] = report.outcomes.get(got.outcome, 0) + 1
        if options.max_messages is not None and report.handled >= options.max_messages:
            stop.set()

    client.on_connect = on_connect
    client.on_disconnect = on_disconnect
    client.on_subscribe = on_subscribe
    client.on_message = on_message
    client.connect_async(options.broker.host, options.broker.port, keepalive=30)
    client.loop_start()
    try:
        for _ in _ticks(options.seconds):
            if stop.wait(0.2):
                break
            if retry["at"] is not None and time.monotonic() >= retry["at"]:
                retry["at"] = None
                log.info("重新连接 MQTT 代理，取回未确认的消息")
                client.disconnect()
                client.loop_stop()
                client.connect_async(options.broker.host, options.broker.port, keepalive=30)
                client.loop_start()
    finally:
        stop.set()
        client.disconnect()
        client.loop_stop()
    return report


def _ticks(seconds: float | None) -> Iterator[None]:
    end = None if seconds is None else time.monotonic() + seconds
    while end is None or time.monotonic() < end:
        yield None
