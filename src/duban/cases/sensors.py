"""Sensor alarms (感知设备告警) as cases: one intake for every channel (the HTTP endpoint and the
MQTT listener), pure of both.

The rules (hold-off as data: ``sensors.holdoff_minutes`` in ``cases/hub.yaml``):

- a sensor with no open alarm opens a case (``opened``);
- a repeat of a sensor's open alarm (a new ``alarm_id``, case not yet settled) adds to that case:
  a ``sensor_repeat`` event on the case with the running count (``repeat``);
- a ``clear`` notes the recovery on the sensor's case (``cleared``); with no open alarm it is
  only logged (``no_case``);
- a flapping sensor — alarming again less than the hold-off after its clear — re-opens the alarm
  on the same case instead of opening a new one (``reopened``);
- the same ``alarm_id`` in the same ``state`` twice (a gateway's retry, an MQTT redelivery) changes
  nothing (``duplicate``).

The notes are audit events on the case (``sensor_alarm``, ``sensor_repeat``, ``sensor_clear``)
carrying the sensor id, so the sensor's state is read back from the events log: no table of its own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from duban.audit import service as audit
from duban.audit.models import EventRow
from duban.cases.intake import intake
from duban.cases.models import CaseRow, CaseStatus
from duban.cases.rules import HUB_RULES, CaseError, HubRules
from duban.cases.schemas import CaseCreate
from duban.clock.calendar import WorkCalendar
from duban.clock.policy import Policy
from duban.db import Figure

SENSOR_CATEGORY = "设备告警"
SENSOR_ACTIONS = ("sensor_alarm", "sensor_repeat", "sensor_clear")
CLOSED = frozenset({CaseStatus.SETTLED.value, CaseStatus.FOLLOWED_UP.value, CaseStatus.ARCHIVED.value})
"""A sensor's case in one of these statuses takes no more repeats: the next alarm opens a new case."""

Outcome = Literal["opened", "repeat", "reopened", "cleared", "duplicate", "no_case"]


class SensorAlarm(BaseModel):
    """One alarm (or its clear) as a sensor gateway sends it, over HTTP or MQTT."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    alarm_id: str = Field(min_length=1, max_length=80)
    sensor_id: str = Field(min_length=1, max_length=80)
    kind: str = Field(min_length=1, max_length=40, description="告警类型，如 积水、井盖位移、烟感")
    level: Literal["normal", "urgent"] = "normal"
    state: Literal["alarm", "clear"] = Field(default="alarm", description="alarm 告警 / clear 恢复")
    value: Figure | None = None
    threshold: Figure | None = None
    unit: str | None = Field(default=None, max_length=20)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    address: str | None = Field(default=None, max_length=300)
    at: datetime

    @field_validator("at")
    @classmethod
    def _aware(cls, v: datetime) -> datetime:
        if v.tzinfo is None:
            raise ValueError("告警时间须带时区（如 2026-03-03T10:00:00+08:00）")
        return v


class SensorMessageError(CaseError):
    """A message that is not a sensor alarm; ``str()`` names the field and what is wrong."""


def parse_message(payload: bytes) -> SensorAlarm:
    """A message body (UTF-8 JSON, one object) as a :class:`SensorAlarm`; else a clear reason."""
    try:
        data = json.loads(payload.decode("utf-8"))
    except UnicodeDecodeError:
        raise SensorMessageError("消息不是 UTF-8 编码") from None
    except json.JSONDecodeError as exc:
        raise SensorMessageError(
            f"消息不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列：{exc.msg}）"
        ) from None
    if not isinstance(data, dict):
        raise SensorMessageError(f"消息应为 JSON 对象，实为 {type(data).__name__}")
    try:
        return SensorAlarm.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "?"
        msg = str(err["msg"]).removeprefix("Value error, ")
        raise SensorMessageError(f"字段 {where}：{msg}", where) from None


@dataclass(frozen=True)
class SensorRules:
    """The sensor intake's rules (``sensors:`` in ``hub.yaml``)."""

    holdoff_minutes: int = 30


@lru_cache(maxsize=8)
def load_sensor_rules(path: Path = HUB_RULES) -> SensorRules:
    """The ``sensors`` section of the hub rules; a bad value is named."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise CaseError(f"规则文件 {path} 无法读取：{exc}") from None
    section = data.get("sensors") or {}
    minutes = section.get("holdoff_minutes", SensorRules.holdoff_minutes)
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes < 0:
        raise CaseError(f"规则文件 {path} 字段 sensors.holdoff_minutes：应为非负整数，实为 {minutes!r}")
    return SensorRules(holdoff_minutes=minutes)


@dataclass(frozen=True)
class AlarmResult:
    """What one alarm message did: the outcome, the case (None for ``no_case``), the alarms counted on it."""

    outcome: Outcome
    case_id: int | None
    count: int = 0
    due_date: str | None = None


def _events_of(key: str, value: str) -> Any:
    return (
        select(EventRow)
        .where(EventRow.entity == "case", EventRow.action.in_(SENSOR_ACTIONS))
        .where(EventRow.after[key].as_string() == value)
    )


def last_event(*, session: Session, sensor_id: str) -> EventRow | None:
    """The newest sensor event of ``sensor_id`` (its case, state and count), or None."""
    stmt = _events_of("sensor_id", sensor_id).order_by(EventRow.id.desc()).limit(1)
    return session.scalar(stmt)


def _seen(session: Session, alarm: SensorAlarm) -> EventRow | None:
    for ev in session.scalars(_events_of("alarm_id", alarm.alarm_id).order_by(EventRow.id)):
        after = ev.after or {}
        if after.get("state") == alarm.state and after.get("sensor_id") == alarm.sensor_id:
            return ev
    return None


def _reading(alarm: SensorAlarm) -> str:
    if alarm.value is None:
        return ""
    text = f"，读数 {alarm.value:g}{alarm.unit or ''}"
    if alarm.threshold is not None:
        text += f"（阈值 {alarm.threshold:g}{alarm.unit or ''}）"
    return text


def _note(
    alarm: SensorAlarm, *, state: str, count: int, flaps: int, cleared_at: str | None
) -> dict[str, Any]:
    return {
        "sensor_id": alarm.sensor_id,
        "alarm_id": alarm.alarm_id,
        "state": state,
        "kind": alarm.kind,
        "level": alarm.level,
        "value": alarm.value,
        "at": alarm.at.isoformat(),
        "count": count,
        "flaps": flaps,
        "cleared_at": cleared_at,
        "note": f"设备 {alarm.sensor_id} {'恢复正常' if state == 'clear' else '再次报告' + alarm.kind}{_reading(alarm)}",
    }


def take_alarm(
    *,
    session: Session,
    alarm: SensorAlarm,
    actor: str,
    now: datetime,
    calendar: WorkCalendar,
    policy: Policy,
    rules: SensorRules | None = None,
    hub_rules: HubRules | None = None,
    unit_cache: dict[str, int | None] | None = None,
) -> AlarmResult:
    """Take in one sensor message by the repeat, clear and flap rules; the caller commits."""
    rules = rules or load_sensor_rules()
    seen = _seen(session, alarm)
    if seen is not None:
        row = session.get(CaseRow, seen.entity_id)
        due = str(row.due_date) if row is not None and row.due_date else None
        return AlarmResult("duplicate", seen.entity_id, int((seen.after or {}).get("count", 0)), due)
    last = last_event(session=session, sensor_id=alarm.sensor_id)
    before = dict(last.after or {}) if last is not None else {}
    case = session.get(CaseRow, last.entity_id) if last is not None else None
    live = case is not None and case.status not in CLOSED
    count, flaps = int(before.get("count", 0)), int(before.get("flaps", 0))
    if alarm.state == "clear":
        if case is None or not live or before.get("state") == "clear":
            return AlarmResult("no_case", None, count)
        after = _note(alarm, state="clear", count=count, flaps=flaps, cleared_at=alarm.at.isoformat())
        _record(session, case, "sensor_clear", before, after, actor, now)
        return AlarmResult("cleared", case.id, count, str(case.due_date) if case.due_date else None)
    if case is not None and live:
        if before.get("state") != "clear":
            after = _note(alarm, state="alarm", count=count + 1, flaps=flaps, cleared_at=None)
            _record(session, case, "sensor_repeat", before, after, actor, now)
            return AlarmResult("repeat", case.id, count + 1, str(case.due_date) if case.due_date else None)
        cleared = datetime.fromisoformat(str(before.get("cleared_at")))
        if alarm.at - cleared < timedelta(minutes=rules.holdoff_minutes):
            after = _note(alarm, state="alarm", count=count + 1, flaps=flaps + 1, cleared_at=None)
            _record(session, case, "sensor_repeat", before, after, actor, now)
            return AlarmResult("reopened", case.id, count + 1, str(case.due_date) if case.due_date else None)
    row = intake(
        session=session,
        data=CaseCreate(
            channel="sensor",
            case_type="求助",
            urgent=alarm.level == "urgent",
            title=f"{alarm.kind}告警",
            content=f"设备 {alarm.sensor_id} 报告{alarm.kind}{_reading(alarm)}",
            address=alarm.address,
            lat=alarm.lat,
            lon=alarm.lon,
            category=SENSOR_CATEGORY,
            source="sensor",
            external_id=alarm.alarm_id,
            received_at=alarm.at,
        ),
        actor=actor,
        now=now,
        calendar=calendar,
        policy=policy,
        rules=hub_rules,
        unit_cache=unit_cache,
    )
    after = _note(alarm, state="alarm", count=1, flaps=0, cleared_at=None)
    _record(session, row, "sensor_alarm", None, after, actor, now)
    return AlarmResult("opened", row.id, 1, str(row.due_date) if row.due_date else None)


def _record(
    session: Session,
    case: CaseRow,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any],
    actor: str,
    now: datetime,
) -> None:
    audit.record(
        session, actor=actor, now=now, entity="case", entity_id=case.id, action=action, before=before, after=after
    )  # fmt: skip
    session.flush()
