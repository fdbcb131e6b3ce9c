"""Sensor alarms (感知设备告警) as cases: ``POST /api/sensors/alarms`` (the console mounts this
``router`` under ``/api``). A bearer token of a sensor gateway's account (role ``gateway``) is required, any other gets 403; the same ``alarm_id`` twice makes one case.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select

from duban.cases.intake import intake
from duban.cases.models import CaseRow
from duban.cases.schemas import CaseCreate
from duban.web.deps import DB, Gateway, state_of

router = APIRouter(tags=["感知设备告警"])
SENSOR_CATEGORY = "设备告警"


class SensorAlarm(BaseModel):
    """One alarm as a sensor gateway sends it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    alarm_id: str = Field(min_length=1, max_length=80)
    sensor_id: str = Field(min_length=1, max_length=80)
    kind: str = Field(min_length=1, max_length=40, description="告警类型，如 积水、井盖位移、烟感")
    level: Literal["normal", "urgent"] = "normal"
    value: float | None = None
    threshold: float | None = None
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


class AlarmAccepted(BaseModel):
    """The case made from an alarm (``duplicate`` when the alarm was already taken in)."""

    case_id: int
    duplicate: bool
    due_date: str | None


@router.post("/sensors/alarms", response_model=AlarmAccepted)
def post_alarm(alarm: SensorAlarm, request: Request, session: DB, who: Gateway) -> AlarmAccepted:
    """Take in one sensor alarm as a case (紧急 for level=urgent); only a ``gateway`` account."""
    found = session.scalar(
        select(CaseRow).where(CaseRow.source == "sensor", CaseRow.external_id == alarm.alarm_id)
    )
    if found is not None:
        return AlarmAccepted(case_id=found.id, duplicate=True, due_date=str(found.due_date))
    reading = ""
    if alarm.value is not None:
        reading = f"，读数 {alarm.value:g}{alarm.unit or ''}"
        if alarm.threshold is not None:
            reading += f"（阈值 {alarm.threshold:g}{alarm.unit or ''}）"
    state = state_of(request)
    row = intake(
        session=session,
        data=CaseCreate(
            channel="sensor",
            case_type="求助",
            urgent=alarm.level == "urgent",
            title=f"{alarm.kind}告警",
            content=f"设备 {alarm.sensor_id} 报告{alarm.kind}{reading}",
            address=alarm.address,
            lat=alarm.lat,
            lon=alarm.lon,
            category=SENSOR_CATEGORY,
            source="sensor",
            external_id=alarm.alarm_id,
            received_at=alarm.at,
        ),
        actor=f"设备网关:{who.account.name if who.account else '?'}",
        now=state.clock(),
        calendar=state.calendar,
        policy=state.case_policy,
        unit_cache=state.case_units,
    )
    return AlarmAccepted(case_id=row.id, duplicate=False, due_date=str(row.due_date))
